"""GatesExplain: the gates panel's numbers explain themselves (mixed into ``GatesPanel``).

Hovering a gate heatmap cell shows ``explain(t, unit)``: every gate of that unit at step t with its
formula and operands (``widgets.explain.states``); another panel's hovered number outlines the gate
values it read.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from widgets.explain.hover import HoverTip, plot_locator
from widgets.explain.states import explain_gates, gate_sources


class GatesExplain:
    def _setup_explain(self) -> None:
        self.source_marks = pg.ScatterPlotItem(pxMode=False, size=1.0, symbol="s", brush=None)
        self.source_marks.setZValue(11)
        self.heat_plot.addItem(self.source_marks, ignoreBounds=True)
        self.unit_marks = pg.PlotDataItem(connect="finite")  # the unit clicked in the cell view
        self.unit_marks.setZValue(11)
        self.heat_plot.addItem(self.unit_marks, ignoreBounds=True)
        self._locate = plot_locator(self.heat_plot, self.plots)
        self.hover = HoverTip(self, self.plots, self._hovered, self._hover_sources)

    # ---- every number explains itself -------------------------------------------------------
    def explain(self, t: int, index: int, layer: int | None = None, direction: int | None = None) -> str:
        """Every gate of unit ``index`` at step t (1-based) of the selected chain: the hover tooltip."""
        sel = self.selectors.selection()
        layer, d = sel[0] if layer is None else layer, sel[1] if direction is None else direction
        return explain_gates(self.trace, layer, d, int(t), int(index))

    def _hovered(self, pos):
        p = self._locate(pos) if self.rows and self._shape is not None else None
        if p is None:
            return None
        t, y = int(round(p[0])), int(round(p[1]))
        T, H = self._shape
        for row in self.rows:
            if 0 <= t < T and row["base"] <= y < row["base"] + H:
                return t + 1, y - row["base"], {}
        return None

    def _hover_sources(self, t: int, index: int) -> list:
        layer, d = self.selectors.selection()
        return gate_sources(self.trace, layer, d, t, index)

    def show_sources(self, sources) -> None:
        """Outline the gate values (of the shown chain) another panel's hovered number read."""
        if not self.rows or self._shape is None:
            return
        layer, d = self.selectors.selection()
        base = {row["name"]: row["base"] for row in self.rows}
        pts = [(s[4], base[s[1]] + s[5]) for s in sources or ()
               if s[0] == "gate" and s[1] in base and s[2:4] == (layer, d) and s[5] is not None]
        self.source_marks.setData([p[0] for p in pts], [p[1] for p in pts])

    def highlight_unit(self, unit: int | None) -> None:
        """Outline one unit's row in every gate (the unit clicked in the cell view); None clears it."""
        if unit is None or not self.rows or self._shape is None or not 0 <= unit < self._shape[1]:
            self.unit_marks.setData([], [])
            return
        T = self._shape[0]
        xs, ys = [], []
        for row in self.rows:
            lo, hi = row["base"] + unit - 0.5, row["base"] + unit + 0.5
            xs += [-0.5, T - 0.5, T - 0.5, -0.5, -0.5, np.nan]
            ys += [lo, lo, hi, hi, lo, np.nan]
        self.unit_marks.setData(xs, ys)
