"""CompareGradients: ||dL/dh_t|| against the lag, one curve per run, on one log axis.

The lag of input position t is T-1-t: how many recurrent steps h_t lies before the last input,
where a sequence-level loss is read. With the lag on x, vanishing reads left to right: a simple
RNN's curve falls by a roughly constant factor per step (a straight line on the log axis), a gated
cell's stays flatter. Every run probes the same example, so the curves differ only by the model.
Bidirectional runs add their right-to-left chain as a dashed curve. Exact zeros (underflow) sit at
the bottom of the axis. The summary gives each run's decay over the whole sequence,
||dL/dh at lag T-1|| / ||dL/dh at lag 0||. Takes numpy arrays only (``set_runs``).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy

from widgets.parts.base import LIGHT, SERIES_COLORS, Panel, apply_palette, set_combo_items
from widgets.parts.panel_parts import log_safe, make_legend
from widgets.parts.plot_items import LogAxis, apply_plot_theme, integer_ticks
from widgets.training.compare_curves import LEGEND_TEXT
from widgets.training.curve_math import short


class CompareGradients(Panel):
    TIP = ("How strongly the loss depends on h_t, against the lag T−1−t (steps back from the last input), "
           "for the same example in every run, on a log axis. Backpropagation through time multiplies by "
           "the recurrent Jacobian once per step of lag, so a simple RNN's curve falls geometrically "
           "(vanishing gradient); gates (GRU, LSTM) can keep it flatter. Dashed: the backward chain of a "
           "bidirectional run. The vertical line is the shared time cursor.")

    def __init__(self, parent=None):
        super().__init__("compareGradients", parent)
        self.labels: list[str] = []
        self.norms: list[np.ndarray] = []  # per run (L, D, T)
        self.curves: list[tuple[int, int, pg.PlotDataItem]] = []  # (run, direction, curve)
        self._built: tuple = ([], [])  # (labels, directions per run) the curves were made for
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        self.summary = QLabel("no example yet", objectName="compareGradientsSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layer_combo = QComboBox(objectName="compareGradientsLayerCombo")
        self.layer_combo.addItem("layer 1")
        self.layer_combo.setToolTip("Which stacked layer's states h_t to compare (layer 1 reads the inputs)")
        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        controls.addWidget(self.summary, 1)
        controls.addWidget(self.layer_combo)
        self._layout.addLayout(controls)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("compareGradientsPlot")
        self._layout.addWidget(self.view, 1)
        self.plot = self.view.addPlot(axisItems={"left": LogAxis("left")})
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("bottom", "lag T−1−t (steps back from the last input)")
        integer_ticks(self.plot.getAxis("bottom"))  # a lag is a whole number of steps: no "1.5"
        self.plot.setLabel("left", "‖∂L/∂h_t‖ (log)")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setMenuEnabled(False)
        self.plot.setToolTip(self.TIP)
        self.legend = make_legend(self.plot, columns=4)
        self.legend.opts["labelTextSize"] = LEGEND_TEXT
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.cursor.setZValue(10)
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(-3, 1, padding=0)
        self.set_theme(False)

    # ---- controller-facing API ---------------------------------------------------------
    def set_runs(self, labels, grad_norms) -> None:
        """labels: one name per run; grad_norms: per run the probe's ||dL/dh_t||, (L, D, T)."""
        labels = [str(x) for x in labels]
        norms = [np.asarray(g, dtype=np.float64) for g in grad_norms]
        directions = [n.shape[1] for n in norms]
        layers = max((n.shape[0] for n in norms), default=1)
        if self.layer_combo.count() != layers:
            set_combo_items(self.layer_combo, [f"layer {i + 1}" for i in range(layers)])
        self.layer_combo.setVisible(layers > 1)
        if (labels, directions) != self._built:
            self._build(labels, directions)
        self.labels, self.norms = labels, norms
        self._redraw()

    def set_time(self, t: int) -> None:
        self.time = int(t)
        if self.norms:
            T = self.norms[0].shape[2]
            self.time = int(np.clip(self.time, 0, T - 1))
            self.cursor.setPos(T - 1 - self.time)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        self.view.setBackground(th["background"])
        apply_plot_theme(self.plot, th)
        self.plot.showGrid(x=False, y=True, alpha=th["grid"] / 255)  # y: read a norm off the log axis
        self.legend.setLabelTextColor(th["foreground"])
        self.legend.setBrush(pg.mkBrush(th["background"] + "e0"))
        self.legend.setPen(pg.mkPen(th["muted"]))
        for _sample, label in self.legend.items:
            label.setText(label.text, color=th["foreground"])
        self.cursor.setPen(pg.mkPen(th["accent"], width=1.5))
        apply_palette(self, th)

    # ---- what is shown -----------------------------------------------------------------
    def layer(self) -> int:
        return max(self.layer_combo.currentIndex(), 0)

    def series(self) -> list[tuple[str, np.ndarray]]:
        """(name, norms indexed by lag) of every curve: forward chain, then backward if bidirectional."""
        out = []
        for label, g in zip(self.labels, self.norms, strict=True):
            layer = min(self.layer(), g.shape[0] - 1)
            for d in range(g.shape[1]):
                out.append((label + (" ←" if d else ""), g[layer, d, ::-1]))  # index = lag
        return out

    def decay(self) -> dict[str, float]:
        """Per run: ||dL/dh|| at the largest lag over lag 0 (forward chain); nan without a gradient."""
        out = {}
        for name, v in self.series():
            if not name.endswith(" ←"):
                out[name] = float(v[-1] / v[0]) if v[0] > 0 and np.isfinite(v[0]) else float("nan")
        return out

    # ---- drawing -----------------------------------------------------------------------
    def _build(self, labels: list[str], directions: list[int]) -> None:
        for _run, _d, curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves, self._built = [], (labels, directions)
        for i, (label, D) in enumerate(zip(labels, directions, strict=True)):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            for d in range(D):
                pen = pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine if d else Qt.PenStyle.SolidLine)
                curve = pg.PlotDataItem(pen=pen, name=label + (" ←" if d else ""))
                self.plot.addItem(curve)
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                self.curves.append((i, d, curve))
        self.set_theme(self.theme is LIGHT)

    def _redraw(self) -> None:
        series = self.series()
        if not series:
            self.summary.setText("no example yet")
            self.cursor.setVisible(False)
            return
        values = np.concatenate([v for _n, v in series])
        floor_safe = log_safe(values)  # one floor for every curve
        start = 0
        for (_run, _d, curve), (_name, v) in zip(self.curves, series, strict=True):
            curve.setData(np.arange(len(v), dtype=np.float64), floor_safe[start:start + len(v)])
            start += len(v)
        T = max(len(v) for _n, v in series)
        self.plot.setXRange(0, max(T - 1, 1), padding=0.02)
        lo, hi = np.log10(floor_safe.min()), np.log10(floor_safe.max())
        span = max(hi - lo, 0.5)
        self.plot.setYRange(lo - 0.04 * span, hi + 0.2 * span, padding=0)  # headroom for the legend
        self.cursor.setVisible(True)
        self.set_time(self.time)
        parts = [f"{name} {'–' if not np.isfinite(r) else short(r)}" for name, r in self.decay().items()]
        self.summary.setText(f"‖∂L/∂h‖ lag {T - 1} ÷ lag 0:  " + "  ·  ".join(parts))
        self.summary.setToolTip("How much of the gradient at the last step is left after travelling back "
                                f"{T - 1} steps; 0 means it underflowed to exactly zero (float32).")

    # ---- handlers ----------------------------------------------------------------------
    def _on_layer_changed(self, _index: int) -> None:
        self._redraw()

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        """lag, t (input position, 0-based), then ||dL/dh_t|| of every curve (raw: zeros stay zero)."""
        series = self.series()
        if not series:
            return ["lag", "t"], []
        T = max(len(v) for _n, v in series)
        header = ["lag", "t"] + [f"grad norm {name}" for name, _v in series]
        rows = [[lag, T - 1 - lag] + [float(v[lag]) if lag < len(v) else "" for _n, v in series]
                for lag in range(T)]
        return header, rows

    def export_item(self):
        return self.view.scene()
