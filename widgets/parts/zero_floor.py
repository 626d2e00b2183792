"""Exact zeros on a log axis: drawn on a marked floor labelled "0", never as a made-up tiny value.

A log axis has no place for 0 (a float32 gradient that underflowed, the first step's term of a model
whose h_0 is zero). ``log_safe`` puts such values on a floor one decade under the smallest positive
value; ``ZeroFloor`` makes that floor say what it is: a dashed line labelled "0 (exact zero)" and a
hollow marker at every zero, shown only while there are zeros.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt


class ZeroFloor:
    def __init__(self, plot):
        self.line = pg.InfiniteLine(angle=0, movable=False, label="0 (exact zero)",
                                    labelOpts={"position": 0.02, "anchors": [(0, 0), (0, 0)]})
        self.marks = pg.PlotDataItem(pen=None, symbol="o", symbolSize=8)  # (follows the plot's log mode)
        self.line.setZValue(4)
        self.marks.setZValue(7)
        plot.addItem(self.line, ignoreBounds=True)
        plot.addItem(self.marks)
        self.count = 0
        self.set_theme({"muted": "#8a93a3", "background": "#15171c"})
        self.show(np.zeros(0), 1.0)

    def show(self, x_zero, floor: float) -> None:
        """Mark the steps ``x_zero`` whose value is exactly 0, drawn at ``floor`` (linear units)."""
        x_zero = np.asarray(x_zero, dtype=np.float64)
        self.count = len(x_zero)
        visible = self.count > 0 and floor > 0 and math.isfinite(floor)
        self.line.setVisible(visible)
        self.marks.setVisible(visible)
        if visible:
            self.line.setPos(math.log10(floor))  # the axis is in log10 units
            self.marks.setData(x_zero, np.full(self.count, floor))
        else:
            self.marks.setData([], [])

    def set_theme(self, theme: dict) -> None:
        muted = theme["muted"]
        self.line.setPen(pg.mkPen(muted, width=1, style=Qt.PenStyle.DotLine))
        self.line.label.setColor(muted)
        self.marks.setSymbolPen(pg.mkPen(muted, width=1.5))
        self.marks.setSymbolBrush(pg.mkBrush(theme["background"]))


def zero_steps(values) -> np.ndarray:
    """Indices (along the last axis) where any of ``values`` is exactly 0."""
    v = np.asarray(values, dtype=np.float64)
    return np.flatnonzero((v == 0).reshape(-1, v.shape[-1]).any(axis=0)) if v.size else np.zeros(0, int)
