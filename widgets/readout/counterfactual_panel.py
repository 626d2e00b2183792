"""CounterfactualPanel: change one input x_t and watch how long the network remembers the change.

Control row: the position t (follows the time cursor until the user sets it), the replacement
(a token combo for token tasks, a value spin for real-valued inputs) and Apply, which emits
``counterfactual_requested(position, value)``; the controller runs
``engine.analysis.counterfactual`` and hands its dict to ``set_result``.
Plot: ||h_t - h'_t|| against t on a log axis, one curve per layer and direction (plus the merged
top-layer h_i for a bidirectional model), a vertical line at the changed step. Exact zeros (states
that have not read the change yet) are not drawn. Caption: the output before -> after.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
)

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, set_combo_items
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import add_legend, series_name
from widgets.parts.plot_items import apply_plot_theme, count_from_one

VALUE_RANGE = (-10.0, 10.0)  # what the value spin allows for a real-valued input feature
PROMPT = "choose t and a new input, then Apply:\nhow far every later state hₜ moves appears here"


def probability_text(probs, labels) -> str:
    """'odd (97%)' for the first prediction, or the value for a regression head."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim == 0:
        return f"{float(p):.3f}"
    first = p if p.ndim == 1 else p[0]
    return f"{labels[0]} ({100 * float(first.max()):.0f}%)"


class CounterfactualPanel(Panel):
    counterfactual_requested = Signal(int, object)  # position, token index or feature vector (F,)

    TIP = ("Change one input x_t and run the same network again: ||h_t − h'_t|| shows how far every "
           "later hidden state moves. A quick fall means the network forgets that input within a "
           "few steps; a flat curve means it still carries it at the end. States before t have not "
           "read it yet (exactly 0, not drawn); a backward chain (←) reads right to left, so it "
           "changes at t and before.")

    def __init__(self, parent=None):
        super().__init__("counterfactualPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.vocab: tuple[str, ...] = ()
        self.result: dict | None = None
        self._pinned = False  # the user set the position: stop following the time cursor
        self._proposed_for = None  # (position, x_t) the replacement control was last filled for
        self._keys: list = []
        self.curves: dict = {}

        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(QLabel("change x_t at t"))
        self.position_spin = QSpinBox(objectName="counterfactualPositionSpin")
        self.position_spin.setRange(1, 1)
        self.position_spin.setToolTip("Which input step to change (follows the time cursor until you "
                                      "set it here).")
        self.position_spin.valueChanged.connect(self._on_position_changed)
        self.old_label = QLabel("", objectName="counterfactualOldLabel")
        self.token_combo = QComboBox(objectName="counterfactualTokenCombo")
        self.token_combo.setToolTip("The token that replaces x_t.")
        self.token_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.value_spin = QDoubleSpinBox(objectName="counterfactualValueSpin")
        self.value_spin.setRange(*VALUE_RANGE)
        self.value_spin.setDecimals(2)
        self.value_spin.setSingleStep(0.1)
        self.value_spin.setToolTip("The new value of x_t's first feature (the other features, e.g. a "
                                   "marker, are kept).")
        self.apply_button = QPushButton("Apply", objectName="counterfactualApplyButton")
        self.apply_button.setToolTip("Run the network on the changed sequence and compare.")
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.apply_button.setEnabled(False)  # until there is an example to change
        for w in (self.position_spin, self.old_label, self.token_combo, self.value_spin, self.apply_button):
            row.addWidget(w)
        row.addStretch(1)
        self._layout.addLayout(row)

        self.plot = pg.PlotWidget(objectName="counterfactualPlot")
        self.plot.setMinimumSize(200, 120)
        item = self.plot.getPlotItem()
        item.setLogMode(x=False, y=True)
        item.setLabel("bottom", "time step t")
        count_from_one(item.getAxis("bottom"))
        item.setLabel("left", "‖h_t − h'_t‖")
        item.getAxis("left").enableAutoSIPrefix(False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setToolTip(self.TIP)
        self.legend = add_legend(item, offset=(-2, 2), labelTextSize="7pt", verSpacing=-10, horSpacing=2,
                                 colCount=2)
        self.changed_line = pg.InfiniteLine(angle=90, movable=False, label="",
                                            labelOpts={"position": 0.06, "anchors": [(0, 1), (0, 1)]})
        self.changed_line.setZValue(10)
        item.addItem(self.changed_line, ignoreBounds=True)
        self.empty = EmptyState(self, PROMPT, self.plot)
        self._layout.addWidget(self.plot, 1)

        self.caption = QLabel("", objectName="counterfactualCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self._layout.addWidget(self.caption)
        self._show_empty(True)
        self._update_mode()
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_task_info(self, info: dict) -> None:
        self.vocab = tuple(info.get("vocab") or ())
        set_combo_items(self.token_combo, list(self.vocab))
        self._proposed_for = None
        self.set_result(None)
        self._update_mode()
        self._sync_replacement()

    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        T = 1 if trace is None else trace.seq_len
        self.apply_button.setEnabled(trace is not None)
        self.position_spin.blockSignals(True)
        self.position_spin.setRange(1, T)  # shown 1..T like the lecture; position() is 0-based
        self.position_spin.blockSignals(False)
        if not self._pinned:
            self._move_position(self.time)
        self._sync_replacement()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if not self._pinned:
            self._move_position(t)

    def set_result(self, result: dict | None) -> None:
        """Draw an ``engine.analysis.counterfactual`` dict (None clears the plot)."""
        self.result = result
        if result is None:
            self._rebuild_curves([])
            self.caption.setText("")
            self._show_empty(True)
            return
        if self.uses_tokens() and result.get("new_token") in self.vocab and not self._pinned_elsewhere(result):
            self.token_combo.setCurrentIndex(self.vocab.index(result["new_token"]))  # the control = the plot
        dist = np.asarray(result["distance"], dtype=np.float64)  # (L, D, T)
        L, D, T = dist.shape
        keys = [(layer, d) for layer in range(L) for d in range(D)] + (["merged"] if D == 2 else [])
        if keys != self._keys:
            self._rebuild_curves(keys)
        t = np.arange(T, dtype=np.float64)
        for key, curve in self.curves.items():
            values = result["encoded_distance"] if key == "merged" else dist[key]
            curve.setData(t, self.drawn(values), connect="finite")
        shown = np.concatenate([dist.reshape(-1), np.asarray(result["encoded_distance"]).reshape(-1)])
        shown = shown[np.isfinite(shown) & (shown > 0)]
        self._show_empty(shown.size == 0, "nothing changed: the new input equals the old one")
        if shown.size:
            lo, hi = np.log10(shown.min()), np.log10(shown.max())
            lo = max(lo, hi - 8)  # float32 round-off far below the peak is not worth eight decades
            if hi - lo < 2.0:  # at least two decades: the log axis then labels decades, not a crowd
                lo, hi = (lo + hi) / 2 - 1.0, (lo + hi) / 2 + 1.0
            span = hi - lo
            self.plot.getPlotItem().setYRange(lo - 0.08 * span, hi + 0.3 * span, padding=0)
        self.plot.getPlotItem().setXRange(0, max(T - 1, 1), padding=0.02)
        pos = int(result["position"])
        self.changed_line.setPos(pos)
        right = pos <= (T - 1) / 2  # the label on the side with more room
        self.changed_line.label.anchors = [(0, 1), (0, 1)] if right else [(1, 1), (1, 1)]
        self.changed_line.label.setPosition(0.06)  # re-places the label with the new anchors
        self.changed_line.label.setFormat(f"x_{pos + 1} changed")
        self.changed_line.label.setText(f"x_{pos + 1} changed")
        self.caption.setText(self.caption_text())

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        apply_plot_theme(self.plot, th)
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=th["grid"] / 255)
        self.legend.setLabelTextColor(th["foreground"])
        for _sample, label in self.legend.items:
            label.setText(label.text)  # setLabelTextColor only stores the colour: redraw the text
        self.legend.setBrush(pg.mkBrush(th["background"] + "e0"))
        if "merged" in self.curves:
            pen = pg.mkPen(th["foreground"], width=2, style=Qt.PenStyle.DashLine)
            self.curves["merged"].setPen(pen)
            self.curves["merged"].setSymbolBrush(pen.color())
        self.changed_line.setPen(pg.mkPen(th["accent"], width=2))
        self.changed_line.label.setColor(th["accent"])

    # ---- what is shown -----------------------------------------------------------------
    @staticmethod
    def drawn(values) -> np.ndarray:
        """Values for the log axis: exact zeros (not reached yet) and non-finite values are not drawn."""
        v = np.asarray(values, dtype=np.float64)
        return np.where(np.isfinite(v) & (v > 0), v, np.nan)

    def uses_tokens(self) -> bool:
        return bool(self.vocab)

    def position(self) -> int:
        return self.position_spin.value() - 1

    def value(self):
        """What Apply sends: a token index, or x_t (F,) with feature 0 replaced (a float before a trace)."""
        if self.uses_tokens():
            return self.token_combo.currentIndex()
        v = self.value_spin.value()
        if self.trace is None or np.ndim(self.trace.input_values) != 2:
            return float(v)
        x = np.array(self.trace.input_values[self.position()], dtype=np.float64)  # (F,)
        x[0] = v
        return x

    def caption_text(self) -> str:
        r = self.result
        if r is None:
            return ""
        pos = int(r["position"])
        text = f"x_{pos + 1}: ‘{r['old_token']}’ → ‘{r['new_token']}’.  "
        before, after = np.asarray(r["before"]), np.asarray(r["after"])
        if r.get("output_kind") == "per_step":
            b, a = r["before_labels"], r["after_labels"]
            changed = [t for t in range(len(b)) if b[t] != a[t]]
            where = ", ".join(f"t={t + 1} {b[t]}→{a[t]}" for t in changed[:4]) + " …" * (len(changed) > 4)
            text += f"outputs changed at {len(changed)} of {len(b)} steps" + f": {where}" * bool(changed)
        else:
            text += (f"output: {probability_text(before, r['before_labels'])} → "
                     f"{probability_text(after, r['after_labels'])}")
        fade = r.get("fade_steps")
        if fade is None:
            text += ".  Top layer: still changed at the last step."
        else:
            text += f".  Top layer: below 1% of its peak {fade} step{'s' * (fade != 1)} later."
        return text

    # ---- helpers -----------------------------------------------------------------------
    def _pinned_elsewhere(self, result: dict) -> bool:
        """The control shows another position than the result's (the user moved on): leave it."""
        return self.trace is None or self.position() != int(result["position"])

    def _rebuild_curves(self, keys: list) -> None:
        item = self.plot.getPlotItem()
        for curve in self.curves.values():
            item.removeItem(curve)
            self.legend.removeItem(curve)
        self.curves, self._keys = {}, list(keys)
        for i, key in enumerate(keys):
            if key == "merged":
                merge = "sum" if self.trace is None else self.trace.merge
                pen = pg.mkPen(self.theme["foreground"], width=2, style=Qt.PenStyle.DashLine)
                name = f"merged h_i ({merge})"
            else:
                pen = pg.mkPen(SERIES_COLORS[i % len(SERIES_COLORS)], width=2)
                name = series_name(*key) if len(keys) > 1 else "h_t"
            curve = pg.PlotDataItem(pen=pen, name=name, symbol="o", symbolSize=4,
                                    symbolBrush=pen.color(), symbolPen=None)
            item.addItem(curve)
            self.curves[key] = curve

    def _show_empty(self, empty: bool, text: str = "") -> None:
        self.empty.set_text(text or PROMPT)
        self.empty.set_empty(empty)
        self.legend.setVisible(not empty and len(self.curves) > 1)
        self.changed_line.setVisible(self.result is not None)

    def _update_mode(self) -> None:
        tokens = self.uses_tokens()
        self.token_combo.setVisible(tokens)
        self.value_spin.setVisible(not tokens)

    def _move_position(self, t: int) -> None:
        self.position_spin.blockSignals(True)
        self.position_spin.setValue(int(t) + 1)  # clamped to the range
        self.position_spin.blockSignals(False)
        self._sync_replacement()

    def _sync_replacement(self) -> None:
        """Show the current x_t and propose a different one: the next token, or 1 − value."""
        if self.trace is None:
            self.old_label.setText("")
            return
        pos = min(self.position(), self.trace.seq_len - 1)
        x = np.asarray(self.trace.input_values)
        self.old_label.setText(f"‘{self.trace.tokens[pos]}’ →")
        key = (pos, tuple(np.atleast_1d(x[pos]).tolist()))
        if key == self._proposed_for:  # the same x_t: keep the user's pick (a new snapshot is no reason)
            return
        self._proposed_for = key
        if self.uses_tokens() and x.ndim == 1:
            self.token_combo.setCurrentIndex((int(x[pos]) + 1) % len(self.vocab))
        elif x.ndim == 2:
            self.value_spin.setValue(float(np.clip(1.0 - x[pos, 0], *VALUE_RANGE)))

    # ---- handlers ----------------------------------------------------------------------
    def _on_position_changed(self, value: int) -> None:
        self._pinned = value - 1 != self.time  # back on the cursor: follow it again
        self._sync_replacement()

    def _on_apply_clicked(self) -> None:
        self.counterfactual_requested.emit(self.position(), self.value())

    # ---- export ------------------------------------------------------------------------
    def empty_reason(self) -> str:
        """Why the panel has no numbers (for an export)."""
        return "no replacement applied: choose t and a new input, then Apply"

    def data_table(self) -> tuple[list[str], list[list]]:
        r = self.result
        if r is None:
            return [], []
        dist = np.asarray(r["distance"])
        L, D, T = dist.shape
        keys = [(layer, d) for layer in range(L) for d in range(D)]
        header = ["t", "token (changed)", "changed step"] + [f"distance {series_name(*k)}" for k in keys] \
            + ["distance merged h_i"]
        tokens = r.get("tokens", ())
        rows = [[t, tokens[t] if t < len(tokens) else "", int(t == r["position"])]
                + [float(dist[k][t]) for k in keys] + [float(r["encoded_distance"][t])] for t in range(T)]
        return header, rows

    def export_item(self):
        return self.plot.getPlotItem()
