"""The screen theme: Qt's Fusion style with a dark palette matching the pyqtgraph panels."""
from __future__ import annotations

from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from widgets.parts.base import DARK


def apply_dark_theme(app: QApplication) -> None:
    """The app's look, on screen and in exports: Fusion, the dark palette, antialiased plots."""
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True)
    app.setStyle("Fusion")
    p = QPalette()
    bg, fg = QColor("#1e2127"), QColor(DARK["foreground"])
    base = QColor(DARK["background"])
    for role, color in (
        (QPalette.Window, bg), (QPalette.WindowText, fg), (QPalette.Base, base),
        (QPalette.AlternateBase, QColor("#252931")), (QPalette.ToolTipBase, QColor("#2b303a")),
        (QPalette.ToolTipText, fg), (QPalette.Text, fg), (QPalette.Button, QColor("#2b303a")),
        (QPalette.ButtonText, fg), (QPalette.BrightText, QColor(DARK["bad"])),
        (QPalette.Highlight, QColor("#3d6fb6")), (QPalette.HighlightedText, QColor("#ffffff")),
        (QPalette.Link, QColor("#4dabf7")), (QPalette.PlaceholderText, QColor(DARK["muted"])),
    ):
        p.setColor(role, color)
    for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
        p.setColor(QPalette.Disabled, role, QColor("#6b7280"))
    app.setPalette(p)


_IGNORED = ("This plugin does not support propagateSizeHints",)


def quiet_platform_messages() -> None:
    """Drop the offscreen plugin's harmless per-dock notice; print every other Qt message."""
    import sys

    def handler(mode, context, message):
        if not message.startswith(_IGNORED):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
