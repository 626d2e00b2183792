"""PanelBoard: every display panel laid out in one widget, for headless export and the GIF sweep."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from .panel_registry import SPECS
from .panels import apply_snapshot, make_panels


class PanelBoard(QWidget):
    def __init__(self, snapshot, size=(1600, 2800)):
        super().__init__()
        self.setObjectName("panelBoard")
        self.setWindowTitle("RNN Lab export")
        self.panels = make_panels()
        grid = QGridLayout(self)
        for name, panel in self.panels.items():
            grid.addWidget(panel, *SPECS[name].board)
        grid.setRowStretch(1, 2)
        for row in (2, 3, 4, 5, 6):
            grid.setRowStretch(row, 2)
        self.resize(*size)
        self.show()
        QApplication.processEvents()
        apply_snapshot(self.panels, snapshot, 0)
        QApplication.processEvents()
