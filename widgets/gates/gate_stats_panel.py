"""GateStatsPanel: how often each gate saturates, and how many steps each unit's memory lasts.

Draws the dict of ``engine.analysis.gate_statistics`` (numpy only; the controller computes it):
Left: one stacked bar per gate, the fraction of its values saturated near 0 / near 1 (sigmoid
gates, < 0.05 / > 0.95) or near -1 / +1 (the tanh candidate, |v| > 0.95).
Right: the half-life ln 0.5 / ln f_bar of every unit, in steps, sorted, on a log axis, one colour
per layer/direction; f_bar is the unit's mean forget gate (LSTM) or update gate z (GRU, which keeps
h_{t-1}). A line marks the sequence length T; half-lives at the cap are drawn in the accent
colour. A simple RNN has no gates: the panel says so.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedLayout, QWidget

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, gates_reason, message_label, mix_colors
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import add_legend, series_name
from widgets.parts.plot_items import apply_plot_theme

SYMBOLS = {"input": "i", "forget": "f", "cell_candidate": "g", "output": "o", "reset": "r", "update": "z",
           "new": "n"}
NO_GATES = ("<p>A <b>simple RNN has no gates</b>, so nothing can saturate and nothing decides what to "
            "keep: every step rewrites h<sub>t</sub> = g(W<sub>hh</sub> h<sub>t−1</sub> + W<sub>xh</sub> "
            "x<sub>t</sub> + b<sub>h</sub>).</p>"
            "<p>Switch the cell to GRU or LSTM to see gate statistics.</p>")


class GateStatsPanel(Panel):
    SAT_TIP = ("Fraction of all gate values (every layer, direction, step and unit of this example) that "
               "are saturated: a sigmoid gate below 0.05 (closed, dark) or above 0.95 (open, light); the "
               "tanh candidate below −0.95 or above 0.95. A saturated gate passes almost no gradient.")
    LIFE_TIP = ("How many steps a unit's memory lasts: with nothing new written, the LSTM memory is "
                "multiplied by the forget gate every step (GRU: the state by the update gate z), so it "
                "halves after ln 0.5 / ln f̄ steps, f̄ = the gate's mean over t. Units sorted, log axis; "
                "the line marks the sequence length T. f̄ → 1 means an endless memory: capped and drawn "
                "in the accent colour.")

    def __init__(self, parent=None):
        super().__init__("gateStatsPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stats: dict | None = None
        self.stack = QStackedLayout()
        self._layout.addLayout(self.stack, 1)  # (attached first: its pages are never shown as windows)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("gateStatsPlots")
        self.view.setMinimumSize(200, 120)
        self.view.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.sat_plot = self.view.addPlot(row=0, col=0)
        self.life_plot = self.view.addPlot(row=0, col=1)
        grid = self.view.ci.layout
        grid.setColumnStretchFactor(0, 2)
        grid.setColumnStretchFactor(1, 3)
        for plot in (self.sat_plot, self.life_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
        self.sat_plot.setTitle("saturated gates (&lt; 0.05 or &gt; 0.95)", size="9pt")
        self.sat_plot.setLabel("left", "% of values")
        self.sat_plot.getAxis("left").enableAutoSIPrefix(False)
        self.sat_plot.setYRange(0, 100, padding=0.02)
        self.sat_plot.setToolTip(self.SAT_TIP)
        self.low_bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.6)
        self.high_bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.6)
        self.sat_plot.addItem(self.low_bars)
        self.sat_plot.addItem(self.high_bars)
        self.sat_legend = add_legend(self.sat_plot, offset=(-2, 2), labelTextSize="7pt", verSpacing=-10,
                                     colCount=1)
        self.sat_samples = [pg.PlotDataItem(), pg.PlotDataItem()]
        for sample, name in zip(self.sat_samples, ("near 0 / −1", "near 1"), strict=True):
            self.sat_legend.addItem(sample, name)
        self.sat_texts: list[pg.TextItem] = []
        self.life_plot.setLogMode(x=False, y=True)  # bars are placed in log10 units
        self.life_plot.setTitle("memory half-life", size="9pt")
        self.life_plot.setLabel("left", "steps")
        self.life_plot.setLabel("bottom", "units, sorted")
        self.life_plot.getAxis("bottom").setTicks([[]])  # one tick per layer/direction group
        self.life_plot.setToolTip(self.LIFE_TIP)
        self.life_bars = pg.BarGraphItem(x=[0.0], y0=[0.0], y1=[0.0], width=0.85)
        self.life_plot.addItem(self.life_bars)
        self.seq_line = pg.InfiniteLine(angle=0, movable=False, label="",
                                        labelOpts={"position": 0.98, "anchors": [(1, 1), (1, 1)]})
        self.life_plot.addItem(self.seq_line, ignoreBounds=True)
        self.empty = EmptyState(self, "how often each gate saturates and each unit's memory half-life\nappear "
                                "with the first example", self.sat_plot, quiet=(self.life_plot,))
        self.stack.addWidget(self.view)
        self.no_gates = message_label(NO_GATES, "gateStatsNoGatesLabel")
        self.no_gates.setTextFormat(Qt.TextFormat.RichText)
        self.no_gates.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder = QWidget()
        QHBoxLayout(holder).addWidget(self.no_gates)
        self.stack.addWidget(holder)
        self.caption = QLabel("", objectName="gateStatsCaption")
        self.caption.setWordWrap(True)
        self._layout.addWidget(self.caption)
        self.set_theme(False)
        self._draw()

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        return gates_reason(trace)

    # ---- controller API ----------------------------------------------------------------
    def set_stats(self, stats: dict | None) -> None:
        """Draw an ``engine.analysis.gate_statistics`` dict (None: nothing yet)."""
        self.stats = stats
        self._draw()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        self.view.setBackground(th["background"])
        for plot in (self.sat_plot, self.life_plot):
            apply_plot_theme(plot, th)
            plot.showGrid(x=False, y=True, alpha=th["grid"] / 255)
        self.sat_legend.setLabelTextColor(th["foreground"])
        for _sample, label in self.sat_legend.items:
            label.setText(label.text)  # setLabelTextColor only stores the colour: redraw the text
        self.sat_legend.setBrush(pg.mkBrush(th["background"] + "e0"))
        low, high = self._sat_colors()
        self.sat_samples[0].setPen(pg.mkPen(low, width=6))
        self.sat_samples[1].setPen(pg.mkPen(high, width=6))
        self.seq_line.setPen(pg.mkPen(th["muted"], width=1, style=Qt.PenStyle.DashLine))
        self.seq_line.label.setColor(th["muted"])
        if self.stats is not None:
            self._draw()

    def _sat_colors(self):
        """(low, high) bar colours: near 0 (or −1) darker, near 1 full."""
        return mix_colors(SERIES_COLORS[0], self.theme["background"], 0.5), pg.mkColor(SERIES_COLORS[0])

    # ---- what is shown -----------------------------------------------------------------
    def showing_message(self) -> bool:
        return self.stack.currentIndex() == 1

    def bar_heights(self) -> dict[str, tuple[float, float]]:
        """{gate: (low, high)} fractions as drawn (the bars are in percent)."""
        names = () if self.stats is None else self.stats["names"]
        low = np.asarray(self.low_bars.opts.get("height"), dtype=float) / 100
        high = np.asarray(self.high_bars.opts.get("height"), dtype=float) / 100
        return {n: (float(low[i]), float(high[i])) for i, n in enumerate(names)}

    def life_values(self) -> np.ndarray:
        """The drawn half-lives in steps, in drawing order (log10 bar tops back to steps)."""
        return 10 ** np.asarray(self.life_bars.opts.get("y1"), dtype=float)

    # ---- drawing -----------------------------------------------------------------------
    def _draw(self) -> None:
        s = self.stats
        empty = s is None
        no_gates = self.trace is not None and not getattr(self.trace, "gates", None)
        if (not empty and not s["names"]) or (empty and no_gates):
            self.stack.setCurrentIndex(1)
            self.caption.setText("simple RNN: no gates")
            self.empty.set_empty(False)  # (the page says why there is nothing to draw)
            return
        self.stack.setCurrentIndex(0)
        self.empty.set_empty(empty)
        self.sat_legend.setVisible(not empty)
        for item in self.sat_texts:
            self.sat_plot.removeItem(item)
        self.sat_texts = []
        for bars in (self.low_bars, self.high_bars, self.life_bars):
            bars.setVisible(not empty)
        if empty:
            self.seq_line.setVisible(False)
            self.sat_plot.getAxis("bottom").setTicks([[]])
            self.life_plot.getAxis("bottom").setTicks([[]])
            self.sat_plot.setRange(xRange=(-0.5, 0.5), yRange=(0, 100), padding=0)
            self.life_plot.setRange(xRange=(0, 1), yRange=(-1, 2), padding=0)
            self.caption.setText("")
            return
        self._draw_saturation(s)
        self._draw_half_lives(s)

    def _draw_saturation(self, s: dict) -> None:
        th, names = self.theme, s["names"]
        x = np.arange(len(names), dtype=float)
        low = np.array([s["low"][n] for n in names])
        high = np.array([s["high"][n] for n in names])
        dark, light = self._sat_colors()
        self.low_bars.setOpts(x=x, height=100 * low, width=0.6, brush=dark, pen=None)
        self.high_bars.setOpts(x=x, y0=100 * low, height=100 * high, width=0.6, brush=light, pen=None)
        self.sat_plot.getAxis("bottom").setTicks([[(i, SYMBOLS.get(n, n)) for i, n in enumerate(names)]])
        self.sat_plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        top = 100 * float((low + high).max()) if names else 0.0
        # room above the tallest bar for its label and the legend (top right)
        self.sat_plot.setYRange(0, max(10.0, min(130.0, top * 1.8)), padding=0.02)
        for i in range(len(names)):
            text = pg.TextItem(f"{100 * (low[i] + high[i]):.0f}%", anchor=(0.5, 1), color=th["foreground"])
            text.setPos(i, 100 * (low[i] + high[i]))
            self.sat_plot.addItem(text, ignoreBounds=True)
            self.sat_texts.append(text)

    def _draw_half_lives(self, s: dict) -> None:
        th = self.theme
        half = s.get("half_life")
        if half is None:
            self.life_bars.setVisible(False)
            self.seq_line.setVisible(False)
            self.caption.setText("no forget or update gate: no half-life")
            return
        half = np.asarray(half, dtype=np.float64)  # (L, D, H)
        unknown = int((~np.isfinite(half)).sum())  # gates that overflowed: no bar (the caption says so)
        half = np.where(np.isfinite(half), half, 0.0)
        capped = np.asarray(s["half_life_capped"], dtype=bool)
        L, D, H = half.shape
        cap, T = float(s["cap"]), int(s.get("seq_len", 0))
        floor = min(0.1, float(half[half > 0].min()) / 2) if (half > 0).any() else 0.1
        bottom = math.floor(math.log10(floor))
        xs, tops, brushes, ticks = [], [], [], []
        x0 = 0
        for layer in range(L):
            for d in range(D):
                order = np.argsort(-half[layer, d], kind="stable")
                color = SERIES_COLORS[(layer * D + d) % len(SERIES_COLORS)]
                for k, u in enumerate(order):
                    xs.append(x0 + k)
                    tops.append(math.log10(max(half[layer, d, u], floor)))
                    brushes.append(pg.mkBrush(th["accent"] if capped[layer, d, u] else color))
                ticks.append((x0 + (H - 1) / 2, series_name(layer, d)))
                x0 += H + max(1, H // 8)  # a gap between layers/directions
        self.life_bars.setOpts(x=xs, y0=[bottom] * len(xs), y1=tops, width=0.85, brushes=brushes, pen=None)
        self.life_plot.getAxis("bottom").setTicks([ticks if len(ticks) > 1 else []])  # names under groups
        top = max(max(tops), math.log10(max(T, 1)))
        self.life_plot.setXRange(-1, x0, padding=0)
        self.life_plot.setYRange(bottom, top + 0.25 * max(top - bottom, 1), padding=0)
        self.seq_line.setVisible(T > 0)
        if T > 0:
            self.seq_line.setPos(math.log10(T))
            self.seq_line.label.setFormat(f"T = {T}")
            self.seq_line.label.setText(f"T = {T}")
        label = s.get("half_life_label") or "forget gate f"
        self.life_plot.setTitle(f"half-life ({label})", size="9pt")  # (short: the caption says more)
        apply_plot_theme(self.life_plot, th)
        longer = int((half > T).sum()) if T else 0
        self.caption.setText(
            f"Half-life ln 0.5 / ln(mean {label.split()[-1]}): median {np.median(half):.3g} steps; "
            f"{longer} of {half.size} units last longer than the sequence (T = {T})"
            + (f"; {int(capped.sum())} at the cap {cap:g} (mean gate ≈ 1)" if capped.any() else "")
            + (f"; {unknown} not finite numbers (the gates overflowed): no bar" if unknown else "") + ".")

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        s = self.stats
        if s is None or not s["names"]:
            return [], []
        header = ["quantity", "gate", "layer", "direction", "unit", "value", "capped"]
        rows = []
        for n in s["names"]:
            by_layer = np.asarray(s["saturated_by_layer"][n])  # (L, D)
            rows += [["saturated fraction (low)", n, "all", "all", "", s["low"][n], ""],
                     ["saturated fraction (high)", n, "all", "all", "", s["high"][n], ""]]
            rows += [["saturated fraction", n, layer + 1, ("forward", "backward")[d], "",
                      float(by_layer[layer, d]), ""]
                     for layer in range(by_layer.shape[0]) for d in range(by_layer.shape[1])]
        half = s.get("half_life")
        if half is not None:
            L, D, H = half.shape
            rows += [["half-life (steps)", s["half_life_gate"], layer + 1, ("forward", "backward")[d], u,
                      float(half[layer, d, u]), bool(s["half_life_capped"][layer, d, u])]
                     for layer in range(L) for d in range(D) for u in range(H)]
        return header, rows

    def empty_reason(self) -> str:
        """Why the panel has no numbers (for an export)."""
        if self.trace is not None and not getattr(self.trace, "gates", None):
            return "simple RNN: no gates, so no gate statistics"
        return "no gate statistics for this model yet"

    def export_item(self):
        return self.no_gates.parentWidget() if self.showing_message() else self.view.ci
