"""GatesPanel: every gate of a GRU or LSTM over time, one heatmap per gate, plus the gate values at t.

Left: one (H, T) heatmap per gate (row u = unit, column t = step), stacked top to bottom in one
plot, levels fixed at (0, 1) for the sigmoid gates and (-1, 1) for the tanh candidate. Right: the
gate values of every unit at the cursor step t as horizontal bars, rows aligned with the heatmaps'
units. All gates are drawn as one image per side: the panel is redrawn with every snapshot while
training, and a handful of plot items costs far less time than a plot per gate.
A simple RNN has no gates; the panel then shows its update equation instead of an empty plot.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QStackedLayout

from widgets.chrome.status_field import StatusField
from widgets.gates.gate_bars import BAR_COLUMNS, BAR_SUBROWS, bar_argb, bar_lut, bar_parts, fit_image
from widgets.gates.gates_explain import GatesExplain
from widgets.parts.base import LIGHT, Panel, apply_palette, diverging_cmap, gates_reason, message_label, sequential_cmap
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import CaptionBelow, SelectorRow, token_at
from widgets.parts.plot_items import ArgbImageItem, apply_plot_theme, argb_table, colorize, count_from_one

# name -> (lecture name, symbol, levels, what it does)
TITLE_PX = 17  # height of the band above each gate that holds its title

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


def gate_title(name: str) -> str:
    label, symbol, _levels, _doc = GATE_INFO.get(name, (name, "", (0.0, 1.0), ""))
    return f"{label} {symbol}".strip()


class GatesPanel(GatesExplain, Panel):
    HEAT_TIP = ("Every gate of the cell over time: one heatmap per gate, rows = units, columns = steps t. "
                "Sigmoid gates run from 0 (closed) to 1 (open); the tanh candidate from -1 to 1.")

    def __init__(self, parent=None):
        super().__init__("gatesPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        controls = QHBoxLayout()
        self.selectors = SelectorRow("gates")
        self.selectors.changed.connect(self._on_selection_changed)
        self.caption = QLabel("", objectName="gatesCaption")
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.caption.setWordWrap(True)  # a caption wraps rather than running off a narrow panel
        self.bars_time = StatusField("gatesBarsTime", "The step whose gate values the bars show (the time cursor)",
                                     (), pad=6)  # (its own label: the caption's layout stays still as t moves)
        controls.addWidget(self.selectors)
        controls.addWidget(self.bars_time)
        controls.addWidget(self.caption, 1)
        self._layout.addLayout(controls)
        self.caption_place = CaptionBelow(self, controls, self.caption, self._layout)  # under them when narrow
        self.stack = QStackedLayout()
        self._layout.addLayout(self.stack, 1)  # (attached first: its pages are never shown as windows)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("gatesPlots")
        self.plots.setMinimumSize(200, 120)
        self.plots.ci.setSpacing(0)
        self.no_gates = message_label("", "gatesNoGatesLabel")
        self.no_gates.setTextFormat(Qt.TextFormat.RichText)
        self.no_gates.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)  # a short panel (a run of
        holder.setWidget(self.no_gates)  # the compare window) scrolls the explanation instead of cutting it
        self.stack.addWidget(self.plots)
        self.stack.addWidget(holder)

        self.heat_plot = self.plots.addPlot(row=0, col=0)
        self.bars_plot = self.plots.addPlot(row=0, col=1)
        for plot in (self.heat_plot, self.bars_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=plot is self.heat_plot, y=False)
            plot.getViewBox().disableAutoRange()
        self.heat_plot.setToolTip(self.HEAT_TIP)
        self.heat_plot.setLabel("bottom", "step t")  # (short: beside the bars' label on a narrow stage)
        count_from_one(self.heat_plot.getAxis("bottom"))
        self.heat_image = ArgbImageItem()
        self.heat_plot.addItem(self.heat_image)
        self.cursor = pg.InfiniteLine(pos=0, angle=90, movable=False)
        self.cursor.setZValue(10)
        self.heat_plot.addItem(self.cursor, ignoreBounds=True)
        self.heat_plot.getViewBox().sigXRangeChanged.connect(self._place_titles)
        self.bars_plot.setYLink(self.heat_plot)
        for signal in (self.bars_plot.getViewBox().sigResized, self.bars_plot.getViewBox().sigYRangeChanged):
            signal.connect(self._check_bar_rows)  # (units grew past or below 3 px: bars drawn anew)
        self.bars_plot.setLabel("bottom", "value")  # (at the cursor step: "bars at t = …" above)
        self.bars_plot.getAxis("left").setStyle(showValues=False)
        self.bars_plot.getAxis("left").setWidth(2)
        self.bars_plot.setXRange(-1.0, 1.0, padding=0.18)  # room for the end labels
        self.bars_plot.getAxis("bottom").setTicks([[(-1.0, "−1"), (0.0, "0"), (1.0, "1")]])
        self.bars_plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.bars_plot.setToolTip("Every unit's gate value at the cursor step t (bar length = value)")
        self.zero = pg.InfiniteLine(pos=0.0, angle=90, movable=False)
        self.bars_plot.addItem(self.zero, ignoreBounds=True)
        self.bars_image = ArgbImageItem()
        self.bars_plot.addItem(self.bars_image)
        # colour keys: sigmoid gates 0..1, the tanh candidate -1..1 (levels are fixed per gate)
        keys = self.plots.ci.addLayout(row=0, col=2)
        keys.layout.setVerticalSpacing(16)  # the end labels ("0" of one, "1.0" of the next) reach past the bars
        self.color_bars = {}
        for k, (kind, cmap, values, label) in enumerate((("seq", sequential_cmap(), (0.0, 1.0), "σ gates"),
                                                          ("div", diverging_cmap(), (-1.0, 1.0), "tanh"))):
            bar = pg.ColorBarItem(values=values, colorMap=cmap, interactive=False, width=10, label=label,
                                  colorMapMenu=False)
            keys.addItem(bar, row=k, col=0)  # the ends and the middle: five numbers ran together on a short key
            bar.axis.setTicks([[(v, f"{v:g}".replace("-", "−")) for v in (values[0], sum(values) / 2, values[1])]])
            self.color_bars[kind] = bar
        layout = self.plots.ci.layout
        layout.setColumnStretchFactor(0, 4)
        layout.setColumnStretchFactor(1, 1)
        layout.setColumnStretchFactor(2, 0)

        self._names: tuple[str, ...] | None = None
        self._shape = None  # (T, H) the geometry was last fitted to
        self._gap = 1  # units of empty rows between two gates
        self._bars_for, self._bars_at = None, None  # trace and (t, selection) the bars show
        self.rows: list[dict] = []  # per gate: name, levels, title, base (y of unit 0), shown, values
        tables = {"seq": sequential_cmap(), "div": diverging_cmap()}
        self._heat_tables = {k: argb_table(c.getLookupTable(nPts=256)) for k, c in tables.items()}
        self._bar_tables = {k: argb_table(bar_lut(c))[:-1] for k, c in tables.items()}
        self._setup_explain()
        self.empty = EmptyState(self, "every gate's activations over time appear with the first example",
                                self.heat_plot, quiet=(self.bars_plot,),
                                hide=(self.cursor, self.zero, *self.color_bars.values()))
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
        """The time cursor's position on every gate's heatmap (one line crosses them all)."""
        return [float(self.cursor.value())] * len(self.rows)

    def shown_values(self, name: str) -> np.ndarray:
        """The (H, T) values of gate ``name`` that its heatmap shows."""
        return self.rows[self.gate_names().index(name)]["shown"]

    def bar_values(self, name: str) -> np.ndarray:
        """The per-unit values drawn as bars for gate ``name`` (at the cursor step)."""
        return np.asarray(self.rows[self.gate_names().index(name)]["values"], dtype=float)

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        return gates_reason(trace)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        if trace is self.trace:  # the same snapshot again (e.g. only the history moved on)
            return
        super().set_trace(trace)
        self.empty.set_empty(False)
        L, D, _T, _H = trace.hidden.shape
        self.selectors.update_shape(L, D)
        names = tuple(trace.gates)
        if self.not_applicable_to(trace):
            g = "ReLU" if trace.cell_type == "rnn_relu" else "tanh"
            self.no_gates.setText(RNN_EQUATION.format(g=g))
            self.stack.setCurrentIndex(1)
            self.caption.setText(f"simple RNN ({g}): no gates")
            self.bars_time.setText("")
            self.selectors.setEnabled(False)
            self._clear_rows()
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
        self.cursor.setValue(t)
        at = (t, self.selectors.selection(), self.bar_subrows())
        if self._bars_for is not self.trace or self._bars_at != at:  # the bars only change with these
            self._bars_for, self._bars_at = self.trace, at
            self._update_bars(t)
            self._set_caption(t)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        self.plots.setBackground(th["background"])
        for plot in (self.heat_plot, self.bars_plot, *self.color_bars.values()):
            apply_plot_theme(plot, th)
        self.cursor.setPen(pg.mkPen(th["accent"], width=2))
        self.zero.setPen(pg.mkPen(th["muted"], width=1))
        self.source_marks.setPen(pg.mkPen(th["foreground"], width=2))
        self.unit_marks.setPen(pg.mkPen(th["accent"], width=1.5, style=Qt.PenStyle.DashLine))
        fill = pg.mkColor(th["background"])
        fill.setAlpha(160)
        for row in self.rows:
            row["title"].setColor(th["foreground"])
            row["title"].fill = pg.mkBrush(fill)
            row["title"].update()

    # ---- building ----------------------------------------------------------------------
    def _clear_rows(self) -> None:
        for row in self.rows:
            self.heat_plot.removeItem(row["title"])
        self.rows, self._names, self._shape, self._bars_for = [], None, None, None

    def _build(self, names: tuple[str, ...]) -> None:
        """One row per gate; the stacking (each gate's y offset) is set by ``_fit`` for the size H."""
        self._clear_rows()
        self._names = names
        docs = [GATE_INFO[n][3] for n in names if n in GATE_INFO]
        self.heat_plot.setToolTip("\n".join([self.HEAT_TIP, ""] + docs))  # each gate's equation
        for name in names:
            _label, _symbol, levels, _doc = GATE_INFO.get(name, (name, "", (0.0, 1.0), ""))
            title = pg.TextItem(f"{gate_title(name)}  ({levels[0]:g}…{levels[1]:g})", anchor=(0, 0.05))
            title.setZValue(20)
            self.heat_plot.addItem(title, ignoreBounds=True)
            kind = "div" if levels[0] < 0 else "seq"
            self.rows.append(dict(name=name, levels=levels, title=title, base=0, shown=np.zeros((0, 0)),
                                  values=np.zeros(0), heat_table=self._heat_tables[kind],
                                  bar_table=self._bar_tables[kind]))
        self.set_theme(self.theme is LIGHT)

    def _fit(self, T: int, H: int) -> None:
        """Stack the gates top to bottom, each under a band that holds its title (so that no title
        covers a step); fit the axes to T steps, H units."""
        gap = self._gap_for(H)
        count = len(self.rows)
        for k, row in enumerate(self.rows):
            row["base"] = (count - 1 - k) * (H + gap)  # y of unit 0; the first gate on top
        total = count * (H + gap)
        self._gap = gap
        self.heat_plot.setYRange(-0.5, total - 0.5, padding=0)
        symbols = [(row["base"] + (H - 1) / 2, GATE_INFO.get(row["name"], ("", row["name"]))[1])
                   for row in self.rows]
        self.heat_plot.getAxis("left").setTicks([symbols, []])
        if self._shape is None or self._shape[0] != T:  # keep the user's pan/zoom over same-length traces
            self.heat_plot.setXRange(-0.5, T - 0.5, padding=0)
        self._shape = (T, H)
        self._place_titles()

    def _gap_for(self, H: int) -> int:
        """Rows of the title band above each gate: TITLE_PX pixels at the plot's current height."""
        count = max(len(self.rows), 1)
        px = max(self.heat_plot.getViewBox().height(), 80.0)
        if px / count < 3 * TITLE_PX:  # too short for title bands: the axis' i_t, f_t... name the gates
            return max(1, H // 6)
        return max(1, math.ceil(TITLE_PX * count * H / max(px - TITLE_PX * count, 20.0)))

    def titles_shown(self) -> bool:
        """Each gate's title has its band (a panel too short for bands names gates on the axis only)."""
        px = max(self.heat_plot.getViewBox().height(), 80.0)
        return px / max(len(self.rows), 1) >= 3 * TITLE_PX

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.rows and self._shape is not None and (self._gap_for(self._shape[1]) != self._gap
                                                      or self.titles_shown() != self.rows[0]["title"].isVisible()):
            self._shape = None  # the title bands need another number of rows
            QTimer.singleShot(0, self._refresh)

    # ---- drawing -----------------------------------------------------------------------
    def _selected(self, name: str) -> np.ndarray:
        layer, d = self.selectors.selection()
        return self.trace.gates[name][layer, d]  # (T, H)

    def _stack(self, blocks: list[np.ndarray]) -> np.ndarray:
        """Each gate's (H, T) colours at its rows of one image; the gaps transparent."""
        height, width = blocks[0].shape
        out = np.zeros((len(blocks) * (height + self._gap) - self._gap, width), dtype=np.uint32)
        for row, block in zip(self.rows, blocks, strict=True):
            out[row["base"]:row["base"] + height] = block
        return out

    def _refresh(self) -> None:
        if self.trace is None or not self.rows:
            return
        T, H = self.trace.seq_len, self.trace.hidden_size
        if (T, H) != self._shape:
            self._fit(T, H)
        blocks = []
        for row in self.rows:  # levels fixed per gate
            row["shown"] = np.ascontiguousarray(self._selected(row["name"]).T, dtype=np.float32)
            blocks.append(colorize(row["shown"], row["heat_table"], *row["levels"]))
        self.heat_image.set_argb(self._stack(blocks))
        fit_image(self.heat_image, QRectF(-0.5, -0.5, *self.heat_image.argb.shape[::-1]))
        self._bars_for = None  # new values or another layer/direction: redraw the bars
        self.set_time(self.time)

    def bar_subrows(self) -> int:
        """Image rows per unit of the bars: 4 of bar and 1 of gap (BAR_SUBROWS) where a unit is at least 3 px
        tall, else 1 (no gap: it would not be seen, and 5x the rows cost time to scale down at every paint)."""
        vb = self.bars_plot.getViewBox()
        lo, hi = vb.viewRange()[1]
        return BAR_SUBROWS if vb.height() >= 3 * max(hi - lo, 1e-9) else 1

    def _check_bar_rows(self, *_args) -> None:
        shown = getattr(self, "_bars_at", None)  # (None while the panel is being built)
        if shown is not None and self.rows and shown[2] != self.bar_subrows():
            self.set_time(self.time)

    def _update_bars(self, t: int) -> None:
        H, sub = self.trace.hidden_size, self.bar_subrows()
        values = np.stack([self._selected(row["name"])[t] for row in self.rows]).astype(float)  # (G, H)
        edges, colours = bar_parts(values, np.array([row["levels"] for row in self.rows]))  # (G, H) each
        image = np.zeros((sub * (len(self.rows) * (H + self._gap) - self._gap), BAR_COLUMNS), np.uint32)
        for row, v, e, c in zip(self.rows, values, edges, colours, strict=True):
            row["values"] = v
            block = image[row["base"] * sub:(row["base"] + H) * sub].reshape(H, sub, BAR_COLUMNS)
            block[:, :max(sub - 1, 1)] = bar_argb(e, c, row["bar_table"])[:, None, :]  # 4 rows of bar per unit,
        self.bars_image.set_argb(image)  # gap above it (or 1 row of bar)
        top = 0.4 if sub > 1 else 0.5  # bar u: u-0.4..u+0.4 (or the whole row u-0.5..u+0.5)
        fit_image(self.bars_image, QRectF(-1.0, -top, 2.0, len(image) / sub))

    def _set_caption(self, t: int) -> None:
        layer, d = self.selectors.selection()
        direction = ("", " h→ (forward)", " h← (backward)")[(d + 1) * (self.trace.num_directions - 1)]
        self.bars_time.setText(f"bars at t = {t + 1}:")
        self.caption.setText(f"every unit of {self.trace.cell_type.upper()} layer {layer + 1}{direction}")

    def _place_titles(self, *_args) -> None:
        """Each gate's title in the band above its heatmap, at the left wherever the user panned."""
        if not self.rows or self._shape is None:
            return
        left = self.heat_plot.getViewBox().viewRange()[0][0]
        H = self._shape[1]
        shown = self.titles_shown()
        for row in self.rows:
            row["title"].setPos(left, row["base"] + H - 0.5 + self._gap)
            row["title"].setVisible(shown)

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
