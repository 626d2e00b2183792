"""Draw a reproduction's ``Figure`` (engine.reproductions.figure: numpy in dataclasses) with pyqtgraph.

``FigureView`` is a ``GraphicsLayoutWidget`` with one plot per ``Plot`` in a row; its ``export_item()``
is what ``app.export.figures.render_png`` / ``render_svg`` take, as for a panel. Drawn once: a
reproduction's figure does not change.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from widgets.parts.base import DARK, LIGHT, SERIES_COLORS
from widgets.parts.legend_place import add_legend

PLOT_W, PLOT_H = 520, 400  # px of one plot on screen (the PNG is --scale times this)
LEGEND_OFFSETS = {"top-left": (8, 8), "top-right": (-8, 8), "bottom-left": (8, -8), "bottom-right": (-8, -8)}


def _color(index: int, alpha: int = 255) -> QColor:
    c = QColor(SERIES_COLORS[index % len(SERIES_COLORS)])
    c.setAlpha(alpha)
    return c


class FigureView(pg.GraphicsLayoutWidget):
    def __init__(self, figure, light: bool = False, parent=None):
        theme = LIGHT if light else DARK
        super().__init__(parent)
        self.setObjectName("resultFigure")
        self.setBackground(theme["background"])
        self.figure = figure
        self.plots = []
        for i, spec in enumerate(figure.plots):
            plot = self.addPlot(row=0, col=i)
            self._draw(plot, spec, theme)
            self.plots.append(plot)
        self.resize(PLOT_W * max(1, len(figure.plots)), PLOT_H)

    def export_item(self):
        return self.ci  # the whole layout of plots

    def lay_out_offscreen(self) -> None:
        """Lay the plots out at their size without showing a window (before an export)."""
        from PySide6.QtWidgets import QApplication

        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.show()
        QApplication.processEvents()

    def _draw(self, plot: pg.PlotItem, spec, theme: dict) -> None:
        ink = theme["foreground"]
        plot.setTitle(html.escape(spec.title), color=ink, size="11pt")  # (pyqtgraph labels are rich text)
        plot.setLabel("bottom", html.escape(spec.x_label), color=ink)
        plot.setLabel("left", html.escape(spec.y_label), color=ink)
        for axis in ("bottom", "left"):
            plot.getAxis(axis).setPen(theme["muted"])
            plot.getAxis(axis).setTextPen(ink)
            plot.getAxis(axis).enableAutoSIPrefix(False)  # the label says the unit; no "(x0.001)"
        plot.showGrid(x=True, y=True, alpha=0.15)
        if spec.log_y:
            plot.setLogMode(y=True)
        if spec.equal_aspect:
            plot.setAspectLocked(True)
        legend = add_legend(plot, offset=LEGEND_OFFSETS.get(spec.legend, (8, 8)), labelTextColor=ink,
                            labelTextSize="10pt", brush=pg.mkBrush(theme["background"] + "c0"))
        for s in spec.series:
            self._series(plot, s, theme)
        for ref in spec.ref_lines:
            y = np.log10(ref.y) if spec.log_y and ref.y > 0 else ref.y
            line = pg.InfiniteLine(pos=y, angle=0, pen=pg.mkPen(theme["muted"], width=1.5, style=Qt.DashLine),
                                   label=html.escape(ref.label),
                                   labelOpts={"color": theme["muted"], "position": 0.98,
                                              "anchors": [(1, 0), (1, 0)] if getattr(ref, "below", False)
                                              else [(1, 1), (1, 1)]})
            plot.addItem(line)
        if spec.x_ticks:
            plot.getAxis("bottom").setTicks([list(spec.x_ticks)])
        if spec.x_range is not None:
            plot.setXRange(*spec.x_range, padding=0.02)
        if spec.y_range is not None:
            lo, hi = spec.y_range
            if spec.log_y:
                lo, hi = np.log10(lo), np.log10(hi)
            plot.setYRange(lo, hi, padding=0.02)
        if spec.legend == "none" or not any(not s.faint for s in spec.series):
            legend.setVisible(False)

    def _series(self, plot: pg.PlotItem, s, theme: dict) -> None:
        name = None if s.faint else s.name
        if s.kind == "bar":
            bars = pg.BarGraphItem(x=s.x, height=s.y, width=0.6, brush=_color(s.color), pen=pg.mkPen(None),
                                   name=name)
            plot.addItem(bars)
            if name:
                plot.legend.addItem(bars, name)
            return
        if s.kind == "line":
            pen = pg.mkPen(_color(s.color, 60 if s.faint else 255), width=1.0 if s.faint else s.width)
            plot.plot(s.x, s.y, pen=pen, name=name)
            return
        color = _color(s.color)
        brush = pg.mkBrush(color) if s.filled else pg.mkBrush(theme["background"])
        plot.plot(s.x, s.y, pen=None, symbol=s.symbol, symbolSize=s.size, symbolBrush=brush,
                  symbolPen=pg.mkPen(color, width=2), name=name)
        for x, y, text in zip(s.x, s.y, s.labels or ("",) * len(s.x), strict=True):
            if not text:
                continue
            label = pg.TextItem(text, color=theme["foreground"], anchor=(-0.15, 0.5))
            label.setPos(float(x), float(y))
            plot.addItem(label)
