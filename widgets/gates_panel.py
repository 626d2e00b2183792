"""GatesPanel: every gate of a GRU or LSTM over time, one heatmap per gate, plus the gate values at t.

Left column: one (H, T) heatmap per gate (row u = unit, column t = step), x axes linked, levels
fixed at (0, 1) for the sigmoid gates and (-1, 1) for the tanh candidate. Right column: the gate
values of every unit at the cursor step t as horizontal bars, rows aligned with the heatmap's units.
A simple RNN has no gates; the panel then shows its update equation instead of an empty plot.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedLayout, QWidget

from .base import LIGHT, Panel, apply_palette, diverging_cmap, lut_index, message_label, sequential_cmap
from .hidden_heatmap import SelectorRow, token_at
from .plot_items import FastImageItem, apply_plot_theme, count_from_one

# name -> (lecture name, symbol, levels, what it does)
GATE_INFO = {
    "input": ("input gate", "i_t", (0.0, 1.0), "i_t = σ(W_ii x_t + W_hi h_{t−1} + b_i): how much of the "
              "candidate g_t is written into the memory c_t"),
    "forget": ("forget gate", "f_t", (0.0, 1.0), "f_t = σ(W_if x_t + W_hf h_{t−1} + b_f): how much of "
               "c_{t−1} is kept (1) or forgotten (0)"),
    "cell_candidate": ("cell candidate", "g_t", (-1.0, 1.0), "g_t = tanh(W_ig x_t + W_hg h_{t−1} + b_g): "
                       "the new content proposed for the memory, c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t"),
    "output": ("output gate", "o_t", (0.0, 1.0), "o_t = σ(W_io x_t + W_ho h_{t−1} + b_o): how much of the "
               "memory is shown, h_t = o_t ⊙ tanh(c_t)"),
    "reset": ("reset gate", "r_t", (0.0, 1.0), "r_t = σ(W_ir x_t + W_hr h_{t−1} + b_r): how much of h_{t−1} "
              "the candidate n_t may look at"),
    "update": ("update gate", "z_t", (0.0, 1.0), "z_t = σ(W_iz x_t + W_hz h_{t−1} + b_z): how much of "
               "h_{t−1} is kept, h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}"),
    "new": ("new state", "n_t", (-1.0, 1.0), "n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)): "
            "the candidate state"),
}

RNN_EQUATION = ("<p>A <b>simple RNN has no gates</b>: every step rewrites the whole hidden state from the "
                "previous state and the input.</p>"
                "<p style='font-size:15pt'>h<sub>t</sub> = {g}(W<sub>hh</sub> h<sub>t−1</sub> + "
                "W<sub>xh</sub> x<sub>t</sub> + b<sub>h</sub>)</p>"
                "<p>Nothing decides what to keep, so gradients through many steps multiply by W<sub>hh</sub> "
                "again and again and vanish or explode. Switch the cell to GRU or LSTM to see gates.</p>")


BAR_COLUMNS = 128  # image columns across the bar plot's x range -1..1
BAR_SUBROWS = 5  # image rows per unit: 4 of bar (height 0.8, centred on the unit) and 1 of gap
_COLUMN_X = -1.0 + (np.arange(BAR_COLUMNS) + 0.5) * (2.0 / BAR_COLUMNS)  # x of each column's centre


def bar_lut(cmap: pg.ColorMap) -> np.ndarray:
    """(256, 4) RGBA table for bar images: entry 0 is no bar (transparent), 1..255 the colour map."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    lut[1:, :3] = cmap.getLookupTable(nPts=255)[:, :3]
    lut[1:, 3] = 255
    return lut


def bar_image(values: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """Horizontal bars from 0 to each unit's value, coloured by the value, as a (5H, 128) uint8 image
    of ``bar_lut`` indices. Drawn with one image per gate instead of H rectangles: cheap to update."""
    values = np.asarray(values, dtype=np.float64)
    edge = np.searchsorted(_COLUMN_X, np.nan_to_num(values))  # first column whose centre is >= v
    zero = BAR_COLUMNS // 2  # first column right of x = 0
    lo, hi = np.minimum(edge, zero)[:, None], np.maximum(edge, zero)[:, None]  # (H, 1)
    columns = np.arange(BAR_COLUMNS)
    colour = (1 + lut_index(values, *levels, n=255)).astype(np.uint8)  # (H,) in 1..255
    rows = ((columns >= lo) & (columns < hi)) * colour[:, None]  # (H, C): the bar's columns
    image = np.zeros((len(values), BAR_SUBROWS, BAR_COLUMNS), dtype=np.uint8)
    image[:, :-1] = rows[:, None, :]  # 4 rows of bar, then 1 of gap above it
    return image.reshape(-1, BAR_COLUMNS)  # (5H, C)


def gate_title(name: str) -> str:
    label, symbol, _levels, _doc = GATE_INFO.get(name, (name, "", (0.0, 1.0), ""))
    return f"{label} {symbol}".strip()


class GatesPanel(Panel):
    title = "Gates over time"
    time_indexed = True

    def __init__(self, parent=None):
        super().__init__("gatesPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        controls = QHBoxLayout()
        self.selectors = SelectorRow("gates")
        self.selectors.changed.connect(self._on_selection_changed)
        self.caption = QLabel("", objectName="gatesCaption")
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls.addWidget(self.selectors)
        controls.addWidget(self.caption, 1)
        self._layout.addLayout(controls)
        self.stack = QStackedLayout()
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("gatesPlots")
        self.plots.setMinimumSize(200, 120)
        self.plots.ci.setSpacing(0)
        self.no_gates = message_label("", "gatesNoGatesLabel")
        self.no_gates.setTextFormat(Qt.TextFormat.RichText)
        self.no_gates.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder = QWidget()
        holder_layout = QHBoxLayout(holder)
        holder_layout.addWidget(self.no_gates)
        self.stack.addWidget(self.plots)
        self.stack.addWidget(holder)
        self._layout.addLayout(self.stack, 1)
        self._names: tuple[str, ...] | None = None
        self._shown_T = None  # sequence length the time axis was last fitted to
        self._shown_H = None  # number of units the unit axis was last fitted to
        self._bars_for, self._bars_at = None, None  # trace and (t, selection) the bars show
        self.rows: list[dict] = []  # per gate: plot, image, bar, cursor, bars_plot, bars, values
        self._bar_luts = {"seq": bar_lut(sequential_cmap()), "div": bar_lut(diverging_cmap())}
        self.set_theme(False)

    # ---- introspection -----------------------------------------------------------------
    def gate_count(self) -> int:
        """Number of gate heatmaps shown (0 for a simple RNN or before a trace)."""
        return 0 if self.stack.currentIndex() == 1 else len(self.rows)

    def gate_names(self) -> tuple[str, ...]:
        return self._names or ()

    def showing_equation(self) -> bool:
        return self.stack.currentIndex() == 1

    def equation_text(self) -> str:
        return self.no_gates.text()

    def cursor_positions(self) -> list[float]:
        return [float(r["cursor"].value()) for r in self.rows]

    def bar_values(self, name: str) -> np.ndarray:
        """The per-unit values drawn as bars for gate ``name`` (at the cursor step)."""
        row = self.rows[self.gate_names().index(name)]
        return np.asarray(row["values"], dtype=float)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        if trace is self.trace:  # the same snapshot again (e.g. only the history moved on)
            return
        super().set_trace(trace)
        L, D, _T, _H = trace.hidden.shape
        self.selectors.update_shape(L, D)
        names = tuple(trace.gates)
        if not names:
            g = "ReLU" if trace.cell_type == "rnn_relu" else "tanh"
            self.no_gates.setText(RNN_EQUATION.format(g=g))
            self.stack.setCurrentIndex(1)
            self.caption.setText(f"simple RNN ({g}): no gates")
            self.selectors.setEnabled(False)
            self.plots.clear()  # drop the old cell's gate rows: nothing may draw from them
            self.rows, self._names = [], None
            return
        self.selectors.setEnabled(True)
        self.stack.setCurrentIndex(0)
        if names != self._names:
            self._build(names)
        self._refresh()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.trace is None or not self.rows:
            return
        t = self.clamp_time(t)
        for row in self.rows:
            row["cursor"].setValue(t)
        at = (t, self.selectors.selection())
        if self._bars_for is not self.trace or self._bars_at != at:  # the bars only change with these
            self._bars_for, self._bars_at = self.trace, at
            self._update_bars(t)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        self.plots.setBackground(th["background"])
        fill = pg.mkColor(th["background"])
        fill.setAlpha(160)
        for row in self.rows:
            for item in (row["plot"], row["colorbar"], row["bars_plot"]):
                apply_plot_theme(item, th)
            row["cursor"].setPen(pg.mkPen(th["accent"], width=2))
            row["zero"].setPen(pg.mkPen(th["muted"], width=1))
            row["title"].setColor(th["foreground"])
            row["title"].fill = pg.mkBrush(fill)
            row["title"].update()

    # ---- building ----------------------------------------------------------------------
    def _build(self, names: tuple[str, ...]) -> None:
        """One row per gate: heatmap (H, T) with colour bar | bars of every unit at the cursor t."""
        self.plots.clear()
        self.rows = []
        self._names, self._shown_T, self._shown_H, self._bars_for = names, None, None, None
        for i, name in enumerate(names):
            _label, symbol, levels, doc = GATE_INFO.get(name, (name, "", (0.0, 1.0), ""))
            last = i == len(names) - 1
            plot = self.plots.addPlot(row=i, col=0)
            bars_plot = self.plots.addPlot(row=i, col=1)
            for p in (plot, bars_plot):
                p.setMenuEnabled(False)
                p.hideButtons()
                p.setMouseEnabled(x=p is plot, y=False)
                p.getAxis("bottom").setStyle(showValues=last, hideOverlappingLabels=False)
                if i:
                    p.setXLink(self.rows[0]["plot" if p is plot else "bars_plot"])
            plot.setToolTip(doc)
            plot.getAxis("left").setWidth(26)
            if last:
                plot.setLabel("bottom", "time step t")
                count_from_one(plot.getAxis("bottom"))
                bars_plot.setLabel("bottom", "value at t")
            # the title is drawn over the heatmap's corner, so stacked rows need no title row
            title = pg.TextItem(f"{gate_title(name)}  ({levels[0]:g}…{levels[1]:g})", anchor=(0, 0))
            title.setParentItem(plot.getViewBox())
            title.setPos(2, 0)
            image = FastImageItem(axisOrder="row-major")
            plot.addItem(image)
            cmap = diverging_cmap() if levels[0] < 0 else sequential_cmap()
            colorbar = pg.ColorBarItem(values=levels, colorMap=cmap, interactive=False, width=9,
                                       colorMapMenu=False)
            colorbar.setImageItem(image, insert_in=plot)
            colorbar.getAxis("right").setStyle(showValues=False)  # the range is in the title
            colorbar.getAxis("right").setWidth(4)
            cursor = pg.InfiniteLine(pos=0, angle=90, movable=False)
            cursor.setZValue(10)
            plot.addItem(cursor)
            bars_plot.setYLink(plot)
            bars_plot.getAxis("left").setStyle(showValues=False)
            bars_plot.getAxis("left").setWidth(2)
            bars_plot.setXRange(-1.0, 1.0, padding=0.04)
            bars_plot.getAxis("bottom").setTicks([[(-1.0, "-1"), (0.0, "0"), (1.0, "1")]])
            bars_plot.setToolTip(f"{symbol} of every unit at the cursor step t (bar length = value)")
            zero = pg.InfiniteLine(pos=0.0, angle=90, movable=False)
            bars_plot.addItem(zero)
            bars = FastImageItem(axisOrder="row-major")  # see bar_image
            bars_plot.addItem(bars)
            self.rows.append(dict(name=name, plot=plot, image=image, colorbar=colorbar, cursor=cursor,
                                  title=title, bars_plot=bars_plot, bars=bars, zero=zero, levels=levels,
                                  lut=self._bar_luts["div" if levels[0] < 0 else "seq"],
                                  values=np.zeros(0)))
        layout = self.plots.ci.layout
        layout.setColumnStretchFactor(0, 4)
        layout.setColumnStretchFactor(1, 1)
        self.set_theme(self.theme is LIGHT)

    # ---- drawing -----------------------------------------------------------------------
    def _selected(self, name: str) -> np.ndarray:
        layer, d = self.selectors.selection()
        return self.trace.gates[name][layer, d]  # (T, H)

    def _refresh(self) -> None:
        if self.trace is None or not self.rows:
            return
        T, H = self.trace.seq_len, self.trace.hidden_size
        for row in self.rows:  # levels stay those the colour bar set: fixed per gate
            values = self._selected(row["name"])
            row["image"].setImage(np.ascontiguousarray(values.T, dtype=np.float32), autoLevels=False)
        if (T, H) != (self._shown_T, self._shown_H):  # geometry and ticks only change with the shape
            for row in self.rows:
                row["image"].setRect(QRectF(-0.5, -0.5, T, H))
                row["plot"].setYRange(-0.5, H - 0.5, padding=0)
                last = row is self.rows[-1]  # top unit's number only: end labels of stacked rows collide
                row["plot"].getAxis("left").setTicks([[(0, "0")] * last + [(H - 1, str(H - 1))]])
        if self._shown_T != T:  # keep the user's pan/zoom over same-length traces
            self.rows[0]["plot"].setXRange(-0.5, T - 0.5, padding=0)
        self._shown_T, self._shown_H = T, H
        self._bars_for = None  # new values or another layer/direction: redraw the bars
        self.set_time(self.time)

    def _update_bars(self, t: int) -> None:
        for row in self.rows:
            v = self._selected(row["name"])[t].astype(float)  # (H,)
            row["bars"].setImage(bar_image(v, row["levels"]), lut=row["lut"], levels=(0, 255),
                                 autoLevels=False)
            if len(v) != len(row["values"]):  # (the rect scales the image: set it once per size)
                row["bars"].setRect(QRectF(-1.0, -0.4, 2.0, len(v)))  # unit u's bar: u-0.4..u+0.4
            row["values"] = v
        layer, d = self.selectors.selection()
        direction = ("", " forward →", " backward ←")[(d + 1) * (self.trace.num_directions - 1)]
        self.caption.setText(f"{self.trace.cell_type.upper()} layer {layer + 1}{direction} · "
                             f"bars: every unit at t={t + 1}")

    # ---- handlers ----------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._refresh()

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        if self.trace is None or not self.rows:
            return [], []
        T, H = self.trace.seq_len, self.trace.hidden_size
        names = self.gate_names()
        header = (["t", "token"] + [f"{n} mean" for n in names]
                  + [f"{n} u{u}" for n in names for u in range(H)])
        arrays = [self._selected(n) for n in names]
        rows = [[t, token_at(self.trace, t)] + [float(a[t].mean()) for a in arrays]
                + [float(x) for a in arrays for x in a[t]] for t in range(T)]
        return header, rows

    def export_item(self):
        return self.no_gates.parentWidget() if self.showing_equation() else self.plots.ci
