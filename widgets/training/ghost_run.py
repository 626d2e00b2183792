"""GhostRun: the previous run's learning curves, drawn faintly behind the current run's.

When the window starts a new run on the same task (a note's "now switch the cell to GRU", another
hidden size, a reset), the run it replaces stays on the curves as a dashed grey "ghost" with its
label ("previous run: LSTM, H 32, 600 steps") on a row under the panel's header (wrapped, never cut: beside
the header it had a third of a narrow dock and lost most of its words), so the two halves of a
contrast can be read on one plot. It stays until the user clears it (the ✕ beside its label), a
run of another task starts, or the next new run replaces it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from widgets.parts.base import DARK
from widgets.training.curve_math import finite_xy


class GhostRun(QWidget):
    """The ghost's two curves (loss, metric) and its label with a clear button, for the header."""

    cleared = Signal()

    def __init__(self, loss_plot, metric_plot, parent=None):
        super().__init__(parent)
        self.setObjectName("curvesGhost")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(2)
        self.label = QLabel("", objectName="curvesGhostLabel", wordWrap=True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clear_button = QToolButton(objectName="curvesGhostClear", text="✕")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setToolTip("Clear the previous run's curves")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.label, 1)
        row.addWidget(self.clear_button)
        self.curves = (pg.PlotDataItem(antialias=False), pg.PlotDataItem(antialias=False))
        for curve, plot in zip(self.curves, (loss_plot, metric_plot), strict=True):
            curve.setZValue(-5)  # behind the current run
            plot.addItem(curve)
        self.run: dict | None = None  # {"label", "step", "loss", "metric"}
        self.metric_log = False
        self.set_theme(DARK)
        self.hide()

    @property
    def active(self) -> bool:
        return self.run is not None

    def set_run(self, label: str, steps, loss, metric) -> None:
        """Keep a finished run (its history arrays) as the ghost, labelled ``label``."""
        self.run = {"label": label, "step": np.asarray(steps, dtype=np.float64).copy(),
                    "loss": np.asarray(loss, dtype=np.float64).copy(),
                    "metric": np.asarray(metric, dtype=np.float64).copy()}
        self.label.setText(f"┄ {label}")
        self.label.setToolTip(f"Dashed grey: {label}. It stays for comparison until you clear it (✕).")
        self.show()
        self.redraw()

    def clear(self) -> None:
        if self.run is None:
            return
        self.run = None
        for curve in self.curves:
            curve.setData([], [])
        self.hide()
        self.cleared.emit()

    def set_metric_log(self, log: bool) -> None:
        if log != self.metric_log:
            self.metric_log = log
            self.redraw()

    def redraw(self) -> None:
        if self.run is None:
            return
        r = self.run
        self.curves[0].setData(*finite_xy(r["step"], r["loss"], True))
        self.curves[1].setData(*finite_xy(r["step"], r["metric"], self.metric_log))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, loss, metric) for the plots' ranges: empty without a ghost."""
        if self.run is None:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        return self.run["step"], self.run["loss"], self.run["metric"]

    def set_theme(self, theme: dict) -> None:
        for curve in self.curves:
            curve.setPen(pg.mkPen(theme["muted"], width=1, style=Qt.PenStyle.DashLine))
        self.label.setStyleSheet(f"color: {theme['muted']};")
