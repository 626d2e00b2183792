"""BpttPanel: backpropagation through time sums the weight gradient over the time steps.

The deck: the same weights are used at every step, so dL/dW_hh = Σ_t δ_t h_{t−1}^T, dL/dW_xh =
Σ_t δ_t x_t^T and dL/db = Σ_t δ_t (δ_t = dL/d(pre-activation at t), layer 1). For the chosen
parameter the panel draws every step's term ‖δ_t h_{t−1}^T‖ (stems) and the norm of the running
sum in the order BPTT visits the steps, from t = n back to t = 1 (line), which ends at the total
‖dL/dW‖ (dashed). During the BPTT animation (B) only the steps the backward pass has reached are
drawn, so the sum visibly accumulates. Log y axis: terms far from the loss are often tiny (the
vanishing gradient). Data: the "bptt" analysis (engine.analysis.bptt_summary), computed in the engine.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy

from widgets.explain.hover import HoverTip, step_locator
from widgets.explain.readout import explain_bptt
from widgets.parts.base import Panel, apply_palette
from widgets.parts.empty_state import EmptyState
from widgets.parts.finite import finite_points, finite_span
from widgets.parts.notation import arrow
from widgets.parts.plot_items import apply_plot_theme, count_from_one
from widgets.parts.view_ranges import settle_y_range
from widgets.parts.zero_floor import ZeroFloor

PARAMS = (("weight_hh", "W_hh", "δ_t h_{t−1}^T"), ("weight_ih", "W_xh", "δ_t x_t^T"), ("bias_ih", "b", "δ_t"))


class BpttPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("bpttPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.payload = None  # {parameter name: {"step", "running", "running_back", "total"}}
        self.frame: int | None = None  # backward-animation frame (T-1 .. 0), None: the whole sum
        top = QHBoxLayout()
        self.param_combo = QComboBox(objectName="bpttParamCombo")
        for _key, name, term in PARAMS:
            self.param_combo.addItem(f"dL/d{name} = Σ_t {term}")
        self.param_combo.setToolTip("Which of layer 1's shared parameters: every step adds its own term")
        self.direction_combo = QComboBox(objectName="bpttDirectionCombo")
        self.direction_combo.addItems(["forward chain h→", "backward chain h←"])
        self.direction_combo.setEnabled(False)
        self.readout = QLabel("", objectName="bpttReadout", wordWrap=True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for w in (self.param_combo, self.direction_combo):
            w.currentIndexChanged.connect(self._on_choice_changed)
            top.addWidget(w)
        top.addStretch(1)
        self._layout.addLayout(top)
        self._layout.addWidget(self.readout)
        self.plot = pg.PlotWidget(objectName="bpttPlot")
        self.hover = HoverTip(self, self.plot, step_locator(self.plot.getPlotItem(), self.plot, lambda: (
            len(self.shown.get("step", ())) and (0 if self.trace is None else self.trace.seq_len))))
        self.plot.setMinimumSize(200, 120)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLogMode(y=True)
        item.setLabel("bottom", "step t")
        item.setLabel("left", "Frobenius norm")
        item.getAxis("left").enableAutoSIPrefix(False)
        count_from_one(item.getAxis("bottom"))
        self.stems = pg.PlotDataItem(connect="pairs")
        self.dots = pg.PlotDataItem(symbol="o", symbolSize=6, pen=None)
        self.running = pg.PlotDataItem()
        self.total = pg.InfiniteLine(angle=0, movable=False)
        for it in (self.stems, self.dots, self.running, self.total):
            item.addItem(it)
        self.zero_floor = ZeroFloor(item)  # a step whose term is exactly 0 (e.g. t = 1 with h_0 = 0)
        self.plot.setToolTip("The same weights are used at every step, so their gradient is a sum over "
                             "time: each stem is one step's term, the line the sum so far in the order "
                             "backpropagation visits the steps; it ends at the total gradient (dashed).")
        self._layout.addWidget(self.plot, 1)
        self.shown: dict = {}  # what is drawn: {"t", "step", "running", "total", "upto"}
        self.empty = EmptyState(self, "each step's term of dL/dW and their running sum\n"
                                "appear once an example's gradient is computed", self.plot, hide=(self.total,))
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        bi = trace.num_directions == 2
        self.direction_combo.setEnabled(bi)
        if not bi and self.direction_combo.currentIndex():
            self.direction_combo.setCurrentIndex(0)
        self._refresh()

    def set_bptt(self, payload) -> None:
        """The "bptt" analysis (``engine.analysis.bptt_summary``) of the shown example."""
        self.payload = payload
        self._refresh()

    def set_backward_step(self, t: int | None) -> None:
        """A frame of the BPTT animation (t runs T-1 .. 0) or None: the sum over every step."""
        self.frame = None if t is None else int(t)
        self._refresh()

    def explain(self, t: int, index: int = 0) -> str:
        """Step t's term (1-based) of the chosen parameter's gradient and the running sum: the tooltip."""
        choice = self.selected()
        if self.payload is None or self.trace is None or choice is None or choice[0] not in self.payload:
            return ""
        return explain_bptt(self.trace, self.payload, choice[0], choice[1], int(t))

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        apply_plot_theme(self.plot, th)
        self.stems.setPen(pg.mkPen(th["muted"], width=2))
        self.dots.setSymbolBrush(pg.mkBrush(th["muted"]))
        self.dots.setSymbolPen(pg.mkPen(None))
        self.running.setPen(pg.mkPen(th["accent"], width=2.5))
        self.total.setPen(pg.mkPen(th["foreground"], width=1, style=Qt.PenStyle.DashLine))
        self.zero_floor.set_theme(th)
        self._refresh()

    # ---- content -----------------------------------------------------------------------
    def selected(self) -> tuple[str, str, str] | None:
        """(parameter name, lecture name, term) of the choice, e.g. ("weight_hh_l0", "W_hh", ...)."""
        key, name, term = PARAMS[max(self.param_combo.currentIndex(), 0)]
        D = 2 if self.direction_combo.isEnabled() else 1
        d = self.direction_combo.currentIndex() if D == 2 else 0
        a = arrow(d, D)  # W→_hh / W←_hh in a bidirectional model
        lecture = name.replace("_", a + "_", 1) if "_" in name else name + a
        return f"{key}_l0" + ("_reverse" if d == 1 else ""), lecture, term

    def _refresh(self) -> None:
        pl, tr = self.payload, self.trace
        choice = self.selected()
        if pl is None or tr is None or choice is None or choice[0] not in pl \
                or len(pl[choice[0]]["step"]) != tr.seq_len:
            for it in (self.stems, self.dots, self.running):
                it.setData([], [])
            self.readout.setText("waiting for the gradient…" if tr is not None else "")
            self.shown = {}
            self.empty.set_empty(True)
            return
        self.empty.set_empty(False)
        name, lecture, _term = choice
        data, T = pl[name], tr.seq_len
        backward = name.endswith("_reverse")
        step = np.asarray(data["step"], dtype=np.float64)
        # BPTT reaches the forward chain's steps from t = T-1 down, the backward chain's from t = 0 up
        running = np.asarray(data["running" if backward else "running_back"], dtype=np.float64)
        if self.frame is None:
            upto = np.ones(T, bool)
        else:
            k = min(max(self.frame, 0), T - 1)
            upto = np.arange(T) <= T - 1 - k if backward else np.arange(T) >= k
        t = np.arange(T, dtype=float)[upto]
        ok = np.isfinite(step)  # a term that overflowed (inf, NaN) is not drawn, and the readout says so
        floor = max(float(step[ok & (step > 0)].min()) / 10.0 if (ok & (step > 0)).any() else 1e-12, 1e-30)
        nonzero = (step > 0)[upto] & ok[upto]  # an exact zero has no place on a log axis: it sits on the "0" floor
        s = step[upto][nonzero]
        self.stems.setData(np.repeat(t[nonzero], 2), np.column_stack([np.full(len(s), floor), s]).ravel())
        self.dots.setData(t[nonzero], s)
        self.zero_floor.show(t[step[upto] == 0], floor)
        self.running.setData(*finite_points(t, np.maximum(running[upto], 1e-30)))
        grad = tr.param_grads.get(f"encoder.{name}")  # autograd's dL/dθ of the probe: where the sum must end
        total = float(np.linalg.norm(grad)) if grad is not None else float(data["total"])
        self.total.setVisible(math.isfinite(total))
        if math.isfinite(total):
            self.total.setPos(np.log10(max(total, 1e-30)))
        lo, hi = np.log10(finite_span(np.concatenate([step[step > 0], running[running > 0], [max(total, 1e-30)],
                                                      [floor]]), (floor, floor)))
        span = max(hi - lo, 0.5)
        settle_y_range(self.plot.getPlotItem(), lo - 0.05 * span, hi + 0.05 * span + 0.2)
        self.plot.getPlotItem().setXRange(-0.5, T - 0.5, padding=0)
        so_far = float(running[upto][0 if not backward else -1]) if upto.any() else 0.0
        steps = int(upto.sum())
        where = "all steps" if self.frame is None else f"{steps} of {T} steps"
        th = self.theme
        self.readout.setText(
            f"<span style='color:{th['muted']}'>▮ step t's term</span> · <span style='color:{th['accent']}'>"
            f"━ running sum in BPTT order</span>: ‖Σ‖ over {where} = {so_far:.3g} · "
            f"┄ total ‖dL/d{lecture}‖ = {total:.3g} (autograd)"
            + (f" · {int((~ok[upto]).sum())} terms overflowed (not finite): not drawn" if not ok[upto].all() else ""))
        self.shown = {"t": t, "step": step[upto], "running": running[upto], "total": total, "so_far": so_far}

    # ---- handlers ----------------------------------------------------------------------
    def _on_choice_changed(self, _index: int) -> None:
        self._refresh()

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        if not self.shown:
            return [], []
        return (["t", "term norm", "running sum norm"],
                [[int(t), float(a), float(b)] for t, a, b in  # 0-based: the export counts from 1
                 zip(self.shown["t"], self.shown["step"], self.shown["running"], strict=True)])

    def export_item(self):
        return self.plot.getPlotItem()
