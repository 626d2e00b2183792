"""PanelBoard: every display panel laid out in one widget, for headless export and the GIF sweep."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from .panels import apply_snapshot, make_panels

# (row, column, row span, column span) of each panel in a 3 x 2 grid
PLACES = {"sequenceStrip": (0, 0, 1, 2), "unrolledView": (1, 0, 1, 2), "hiddenHeatmap": (2, 0, 1, 1),
          "gatesPanel": (2, 1, 1, 1), "gradientPanel": (3, 0, 1, 1), "curvesPanel": (3, 1, 1, 1),
          "attentionPanel": (4, 0, 1, 1), "vanishingPanel": (4, 1, 1, 1), "counterfactualPanel": (5, 0, 1, 1),
          "equationsPanel": (5, 1, 1, 1), "gateStatsPanel": (6, 0, 1, 2)}


class PanelBoard(QWidget):
    def __init__(self, snapshot, size=(1600, 2800)):
        super().__init__()
        self.setObjectName("panelBoard")
        self.setWindowTitle("RNN Lab export")
        self.panels = make_panels()
        grid = QGridLayout(self)
        for name, panel in self.panels.items():
            grid.addWidget(panel, *PLACES[name])
        grid.setRowStretch(1, 2)
        for row in (2, 3, 4, 5, 6):
            grid.setRowStretch(row, 2)
        self.resize(*size)
        self.show()
        QApplication.processEvents()
        apply_snapshot(self.panels, snapshot, 0)
        QApplication.processEvents()
