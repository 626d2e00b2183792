"""PanelBoard: every display panel laid out in one widget, for headless export and the GIF sweep."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from app.panels.feed import apply_snapshot, make_panels
from app.panels.registry import SPECS


class PanelBoard(QWidget):
    def __init__(self, snapshot, size=None):
        super().__init__()
        self.setObjectName("panelBoard")
        self.setWindowTitle("RNN Lab export")
        self.panels = make_panels()
        grid = QGridLayout(self)
        for name, panel in self.panels.items():
            grid.addWidget(panel, *SPECS[name].board)
        rows = max(spec.board[0] + spec.board[2] for spec in SPECS.values())
        for row in range(1, rows):
            grid.setRowStretch(row, 2)
        self.resize(*(size or (1600, 400 * rows)))  # every panel ~400 px tall, however many are registered
        self.show()
        QApplication.processEvents()
        apply_snapshot(self.panels, snapshot, 0)
        QApplication.processEvents()
