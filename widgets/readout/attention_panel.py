"""AttentionPanel: the attention weights alpha_i of the attention head, one bar per input token.

alpha_i = exp(w_α^T h_i) / Σ_j exp(w_α^T h_j) and y = f(Σ_i α_i h_i) (lecture: RNNs for
classification, attention). The bar at the cursor step is highlighted; a dashed line marks the
uniform weight 1/T, near which an untrained attention layer starts. For the other heads
the panel says in words which head it is and why there is nothing to show.
"""
from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from widgets.explain.hover import HoverTip, step_locator
from widgets.explain.readout import explain_attention
from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, message_label
from widgets.parts.empty_state import EmptyState
from widgets.parts.plot_items import apply_plot_theme
from widgets.parts.view_ranges import settle_y_range

TICK_GAP = 8  # px between two token labels side by side

FORMULA = ("α<sub>i</sub> = exp(w<sub>α</sub><sup>T</sup> h<sub>i</sub>) / "
           "Σ<sub>j</sub> exp(w<sub>α</sub><sup>T</sup> h<sub>j</sub>)")
NOT_ATTENDING = {
    "per_step": ("a <b>per-step softmax</b>", "At every step t it reads only that step's state: "
                 "y<sub>t</sub> = softmax(W<sub>hy</sub> h<sub>t</sub> + b<sub>y</sub>)."),
    "final": ("an <b>acceptor on the final state</b>", "It classifies from the last state only: "
              "y = f(W<sub>hy</sub> h<sub>n</sub> + b<sub>y</sub>); the other states are discarded."),
    "per_step_regression": ("a <b>per-step regression</b>", "At every step t it reads only that step's "
                            "state: y<sub>t</sub> = W<sub>hy</sub> h<sub>t</sub> + b<sub>y</sub>, real values."),
    "regression": ("a <b>regression on the final state</b>", "It predicts a number from the last state "
                   "only: y = W<sub>hy</sub> h<sub>n</sub> + b<sub>y</sub>."),
}


class AttentionPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("attentionPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stack = QStackedLayout()
        self._layout.addLayout(self.stack, 1)  # (attached first: its pages are never shown as windows)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(2)
        self.plot = pg.PlotWidget(objectName="attentionPlot")
        self.hover = HoverTip(self, self.plot, step_locator(self.plot.getPlotItem(), self.plot, self._attended),
                              lambda t, _i: [("h", self.trace.num_layers - 1, d, t - 1, None)
                                             for d in range(self.trace.num_directions)])
        self.plot.setMinimumSize(200, 120)
        item = self.plot.getPlotItem()
        item.setTitle(FORMULA, size="10pt")
        item.setLabel("left", "α<sub>i</sub>")
        item.getAxis("left").enableAutoSIPrefix(False)
        item.setLabel("bottom", "input token x<sub>i</sub>")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=True, y=False)
        item.setToolTip("How much the weighted sum Σ α_i h_i that feeds y takes from each step's state h_i")
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8)
        self.current = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8)
        self.current.setZValue(5)
        self.uniform = pg.InfiniteLine(pos=0.0, angle=0, movable=False)
        item.showAxis("right")  # the dashed line named beside the plot, where no bar can cover its name
        item.getAxis("right").setTicks([[(0.0, "1/T")]])
        item.getAxis("right").setToolTip("The dashed line: the uniform weight 1/T")
        self.cursor = pg.InfiniteLine(pos=0.0, angle=90, movable=False)  # visible even where α_t ~ 0
        for it in (self.cursor, self.bars, self.current, self.uniform):
            item.addItem(it)
        self.info = QLabel("", objectName="attentionInfoLabel")
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info.setWordWrap(True)  # a caption wraps rather than running off a narrow panel
        page_layout.addWidget(self.plot, 1)
        page_layout.addWidget(self.info)
        self.explanation = message_label("No example has been probed yet.", "attentionExplanation")
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(page)
        self.stack.addWidget(self.explanation)
        self.empty = EmptyState(self, "the attention weights αᵢ over the input tokens\nappear with the first example",
                                self.plot, hide=(self.cursor, self.uniform, self.bars, self.current))
        self._tick_state, self._shown_T = None, None
        # (presentation mode lays the plot out for a larger drawing: fewer units per bar, same widget size)
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._update_ticks)
        self.set_theme(False)

    # ---- introspection -----------------------------------------------------------------
    def showing_plot(self) -> bool:
        return self.stack.currentIndex() == 0 and not self.empty.shown()

    def bar_heights(self) -> np.ndarray:
        return np.asarray(self.bars.opts["height"], dtype=float)

    def highlighted(self) -> tuple[float, float]:
        """(x, height) of the highlighted cursor bar."""
        return float(self.current.opts["x"][0]), float(self.current.opts["height"][0])

    def tick_labels(self) -> list[tuple[float, str]]:
        ticks = self.plot.getPlotItem().getAxis("bottom")._tickLevels
        return list(ticks[0]) if ticks else []

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        return "this head does not attend" if trace is not None and trace.attention is None else ""

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        if trace is self.trace:  # the same snapshot again
            return
        super().set_trace(trace)
        self.empty.set_empty(False)
        if self.not_applicable_to(trace):
            name, what = NOT_ATTENDING.get(trace.output_kind, (f"a <b>{trace.output_kind}</b> head", ""))
            self.explanation.setText(f"<p>This head does not attend: it is {name}.</p><p>{what}</p>"
                                     "<p>Attention weights α<sub>i</sub> exist only for the attention head, "
                                     f"y = f(Σ<sub>i</sub> α<sub>i</sub> h<sub>i</sub>) with {FORMULA}.</p>")
            self.stack.setCurrentIndex(1)
            return
        self.stack.setCurrentIndex(0)
        alpha = np.asarray(trace.attention, dtype=float)
        T = len(alpha)
        self.bars.setOpts(x=np.arange(T, dtype=float), height=alpha, width=0.8)
        self.uniform.setValue(1.0 / T)
        self.plot.getPlotItem().getAxis("right").setTicks([[(1.0 / T, "1/T")]])
        item = self.plot.getPlotItem()
        settle_y_range(item, 0.0, max(float(alpha.max()), 1.0 / T) * 1.15, slack=0.3, keep_lo=True)
        if self._shown_T != T:  # keep the user's pan over same-length traces
            self._shown_T = T
            item.setXRange(-0.6, T - 0.4, padding=0)
        self._update_ticks()  # (only when the tokens or the room for them changed)
        self.set_time(self.time)

    def explain(self, t: int, index: int = 0) -> str:
        """α_t with its softmax and operands (t 1-based; index ignored: one weight per step)."""
        return explain_attention(self.trace, int(t)) if self.trace is not None and self.trace.attention is not None \
            else ""

    def _attended(self) -> int:
        return 0 if self.trace is None or self.trace.attention is None else len(self.trace.attention)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        tr = self.trace
        if tr is None or tr.attention is None:
            return
        t = self.clamp_time(t)
        a = float(tr.attention[t])
        self.current.setOpts(x=[float(t)], height=[a], width=0.8)
        self.cursor.setValue(t)
        token = tr.tokens[t] if t < len(tr.tokens) else ""
        uniform = 1.0 / len(tr.attention)
        self.info.setText(f"step t={t + 1} ‘{token}’: α = {a:.3f}  (uniform 1/T = {uniform:.3f}); "
                          f"prediction {', '.join(tr.predictions)}")

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_plot_theme(self.plot, th)
        self.bars.setOpts(brush=pg.mkBrush(SERIES_COLORS[0]), pen=pg.mkPen(None))
        self.current.setOpts(brush=pg.mkBrush(th["accent"]), pen=pg.mkPen(th["foreground"], width=1))
        self.uniform.setPen(pg.mkPen(th["muted"], width=1, style=Qt.PenStyle.DashLine))
        self.cursor.setPen(pg.mkPen(th["accent"], width=1, style=Qt.PenStyle.DotLine))
        apply_palette(self, th)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_ticks()

    # ---- ticks: token labels, thinned to fit ------------------------------------------
    def _update_ticks(self) -> None:
        """A label under every bar: tokens are shortened to the bar's width ("…", the whole token is in
        the readout and the CSV), and when even that is too narrow, alternate labels drop to a
        second line so that neighbours never overlap and none is left out. Widths are measured with
        the axis' font in the plot's own units (presentation mode draws the plot larger, not wider)."""
        tr = self.trace
        if tr is None or tr.attention is None:
            return
        T = len(tr.attention)
        width = max(self.plot.getPlotItem().getViewBox().width(), 60)
        per_bar = width / max(T, 1)
        tokens = list(tr.tokens) + [""] * (T - len(tr.tokens))
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setStyle(hideOverlappingLabels=False, autoExpandTextSpace=True)
        fm = QFontMetricsF(axis.style.get("tickFont") or self.plot.font())
        state = (T, round(per_bar, 1), tuple(tokens), fm.height())
        if state == self._tick_state:
            return
        self._tick_state = state
        for stagger, limit in [(s, n) for s in (False, True) for n in range(10, 2, -1)]:
            labels = [self._short(t, limit) for t in tokens]
            apart = 2 if stagger else 1  # neighbours on one line: the next label, or the one after it
            if all((fm.horizontalAdvance(a) + fm.horizontalAdvance(b)) / 2 + TICK_GAP <= apart * per_bar
                   for a, b in zip(labels, labels[apart:], strict=False)):
                break
        else:  # too many steps for a label each: the weighty tokens first, then as many as fit
            axis.setHeight(None)
            axis.setTicks([self._fitting_ticks(tokens, np.asarray(tr.attention, float), per_bar, fm), []])
            return
        if stagger:
            labels = [("\n" + s) if i % 2 else s for i, s in enumerate(labels)]
        axis.setHeight(None if not stagger else 2 * fm.height() + 20)  # (the axis name below the two rows)
        axis.setTicks([[(float(i), s) for i, s in enumerate(labels)], []])

    @staticmethod
    def _fitting_ticks(tokens, alpha, per_bar, fm) -> list[tuple[float, str]]:
        """Labels that do not overlap, chosen by weight: every token above 1.5/T if it fits, then others."""
        order = sorted(range(len(tokens)), key=lambda i: -alpha[i])
        placed: list[tuple[float, float]] = []  # (left, right) px
        ticks = []
        for i in order:
            half = (fm.horizontalAdvance(tokens[i]) + TICK_GAP) / 2
            left, right = i * per_bar - half, i * per_bar + half
            if all(right <= a or left >= b for a, b in placed):
                placed.append((left, right))
                ticks.append((float(i), tokens[i]))
        return sorted(ticks)

    @staticmethod
    def _short(s: str, limit: int) -> str:
        return s if len(s) <= limit else s[: limit - 1] + "…"

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        tr = self.trace
        if tr is None or tr.attention is None:
            return [], []
        return ["t", "token", "alpha"], [[t, tr.tokens[t] if t < len(tr.tokens) else "", float(a)]
                                         for t, a in enumerate(tr.attention)]

    def empty_reason(self) -> str:
        """Why the panel has no numbers (for an export)."""
        return " ".join(re.sub(r"<[^>]+>", " ", self.explanation.text()).split()) or "this head does not attend"

    def export_item(self):
        return self.plot.getPlotItem() if self.showing_plot() else self.explanation
