"""GateSaturationPanel: each gate unit's time spent saturated (Karpathy, Johnson & Fei-Fei 2015, fig. 4).

Draws the ``gate_saturation`` payload of engine.analysis.hidden_live: {"gates": {name: {"left": (L, D, H),
"right": (L, D, H)}}} over the 32 reference examples. One dot per unit and gate: x = fraction of
steps left-saturated (< 0.1), y = fraction right-saturated (> 0.9). Dots near the top-left corner are
gates that stay open (a forget gate there keeps its memory), near the bottom-right gates that stay
shut; dots on the diagonal x + y = 1 never sit in between; near the origin, gates that respond to
the input. A simple RNN has no gates.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, gates_reason, set_combo_items
from widgets.parts.empty_state import EmptyState
from widgets.parts.legend_place import add_legend
from widgets.parts.plot_items import apply_plot_theme

SYMBOLS = ("o", "s", "t", "d")  # one per layer


class GateSaturationPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("gateSaturationPanel", parent)
        self.payload: dict | None = None
        row = QHBoxLayout()
        self.layer_combo = QComboBox(objectName="gateSaturationLayerCombo")
        self.layer_combo.addItem("all layers")
        self.layer_combo.setToolTip("Show every layer (one symbol each) or one layer.")
        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        row.addWidget(self.layer_combo)
        self.note = QLabel("", objectName="gateSaturationNote")
        self.note.setWordWrap(True)
        row.addWidget(self.note, 1)
        self._layout.addLayout(row)
        self.plot = pg.PlotWidget(objectName="gateSaturationPlot")
        self.plot.setMinimumSize(200, 160)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.setLabel("bottom", "fraction of steps left-saturated (&lt; 0.1)")
        item.setLabel("left", "fraction right-saturated (&gt; 0.9)")
        item.setXRange(0, 1, padding=0.03)
        item.setYRange(0, 1, padding=0.03)
        self.diagonal = pg.PlotDataItem([0, 1], [1, 0])
        item.addItem(self.diagonal)
        self.scatters: list[pg.ScatterPlotItem] = []
        self.legend = add_legend(item, offset=(-2, 2), labelTextSize="7pt", verSpacing=-8)
        self._layout.addWidget(self.plot, 1)
        self.empty = EmptyState(self, "how often each unit's gates are shut or open\n"
                                "appears with the first example of a GRU or LSTM", self.plot, hide=(self.diagonal,))
        self.set_theme(False)

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        return gates_reason(trace)

    def set_saturation(self, payload: dict | None) -> None:
        self.payload = payload
        if payload is not None:
            L = next(iter(payload["gates"].values()))["left"].shape[0]
            items = ["all layers"] + [f"layer {i + 1}" for i in range(L)]
            if [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())] != items:
                set_combo_items(self.layer_combo, items)
        self._draw()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        apply_plot_theme(self.plot, self.theme)
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=self.theme["grid"] / 255)
        self.diagonal.setPen(pg.mkPen(self.theme["muted"], style=pg.QtCore.Qt.PenStyle.DashLine))
        self.legend.setLabelTextColor(self.theme["foreground"])
        self._draw()

    def _on_layer_changed(self, _index: int) -> None:
        self._draw()

    def _points(self):
        """[(gate, layer, direction, unit, left, right)] for the chosen layers."""
        if self.payload is None:
            return []
        choice = self.layer_combo.currentIndex()
        out = []
        for name, sat in self.payload["gates"].items():
            L, D, H = sat["left"].shape
            for layer in range(L):
                if choice > 0 and layer != choice - 1:
                    continue
                for d in range(D):
                    for u in range(H):
                        out.append((name, layer, d, u, float(sat["left"][layer, d, u]),
                                    float(sat["right"][layer, d, u])))
        return out

    def _draw(self) -> None:
        item = self.plot.getPlotItem()
        for s in self.scatters:
            item.removeItem(s)
        self.scatters = []
        self.legend.clear()
        self.empty.set_empty(self.payload is None)
        if self.payload is None:
            simple = self.trace is not None and not getattr(self.trace, "gates", None)
            self.note.setText("A simple RNN has no gates: switch the cell to GRU or LSTM." if simple else "")
            return
        self.note.setText(f"One dot per unit and gate, over the 32 reference examples (step "
                          f"{self.payload['step']}). Top left: mostly open; bottom right: mostly shut.")
        pts = self._points()
        for g, name in enumerate(self.payload["gates"]):
            for layer in sorted({p[1] for p in pts}):
                sel = np.array([[p[4], p[5]] for p in pts if p[0] == name and p[1] == layer]).reshape(-1, 2)
                sel = sel[np.isfinite(sel).all(axis=1)]  # (gates that overflowed have no fraction to place)
                if not len(sel):
                    continue
                color = SERIES_COLORS[g % len(SERIES_COLORS)]
                s = pg.ScatterPlotItem(sel[:, 0], sel[:, 1], symbol=SYMBOLS[layer % len(SYMBOLS)], size=7,
                                       brush=pg.mkBrush(color + "c0"), pen=pg.mkPen(self.theme["background"]))
                item.addItem(s)
                self.scatters.append(s)
                if layer == min(p[1] for p in pts):
                    self.legend.addItem(s, f"{name} gate")

    def data_table(self):
        header = ["gate", "layer", "direction", "unit", "fraction < 0.1", "fraction > 0.9"]
        return header, [[n, la + 1, "forward" if d == 0 else "backward", u + 1, left, right]
                        for n, la, d, u, left, right in self._points()]

    def export_item(self):
        return self.plot.getPlotItem()
