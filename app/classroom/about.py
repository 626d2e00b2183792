"""The app icon and Help > About (version, the libraries' versions, the licence)."""
from __future__ import annotations

import html

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout

from app.cli.version import app_version, dependency_versions
from engine.util.assets import asset

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """RNN Lab's icon: the PNG sizes (crisp at small sizes) plus the SVG for everything else."""
    icon = QIcon()
    for n in ICON_SIZES:
        pixmap = QPixmap()
        pixmap.loadFromData(QByteArray(asset(f"icons/rnnlab-{n}.png").read_bytes()), "PNG")
        icon.addPixmap(pixmap)
    return icon


def licence_text() -> str:
    """The MIT licence shipped with RNN Lab (package metadata when installed, else the checkout's LICENSE)."""
    from importlib import metadata
    from pathlib import Path

    checkout = Path(__file__).resolve().parents[2] / "LICENSE"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    try:
        dist = metadata.distribution("rnnlab")
        for f in dist.files or ():
            if f.name == "LICENSE":
                return f.read_text(encoding="utf-8")
    except metadata.PackageNotFoundError:
        pass
    return "MIT License (the LICENSE file is missing from this installation)"


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About RNN Lab")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        logo = QLabel(objectName="aboutIcon")
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignTop)
        top.addWidget(logo)
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(v)}</td></tr>"
                       for k, v in dependency_versions().items())
        self.text = QLabel(objectName="aboutText", textFormat=Qt.RichText, wordWrap=True)
        self.text.setText(f"<h2>RNN Lab {html.escape(app_version())}</h2>"
                          "<p>Watch recurrent neural networks (simple RNN, GRU, LSTM) learn, step by step.</p>"
                          f"<table>{rows}</table>"
                          "<p>Free software under the MIT licence (below).</p>")
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top.addWidget(self.text, 1)
        layout.addLayout(top)
        self.licence = QTextBrowser(objectName="aboutLicence")
        self.licence.setPlainText(licence_text())
        self.licence.setMinimumHeight(170)
        layout.addWidget(self.licence, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 480)


def show_about(parent) -> AboutDialog:
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
