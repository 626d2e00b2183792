"""AttributionPanel: which inputs made the network give this output (engine analysis "attribution").

Bars over the input tokens, green where a position pushed the explained output up and red where it
pushed it down (integrated gradients or gradient x input, computed in the engine), the output they
explain, and the completeness check of integrated gradients (the bars sum to f(x) - f(baseline)).
For an attention head the attention weights alpha_i stand beside the attribution with the Spearman
rank correlation of alpha_i and |attribution|: attention is not explanation, and here one sees when
the two disagree. For per-step heads the output explained is the one at the time cursor.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QStackedLayout, QWidget

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, message_label, set_combo_items
from widgets.parts.empty_state import EmptyState
from widgets.parts.plot_items import theme_plots

METHODS = (("integrated_gradients", "integrated gradients"), ("gradient_x_input", "gradient × input"))
METHOD_TIP = ("Integrated gradients: (x − x′) times the gradient averaged along the straight path from the "
              "baseline x′ to the input x; the bars add up to f(x) − f(x′). Gradient × input: the local "
              "gradient times the input, cheaper, with no such guarantee.")
BASELINE_TIP = ("The baseline x′ the input is compared with: the zero embedding (or zero vector for real-valued "
                "inputs), or one token repeated at every position. The default is the task's neutral token "
                "(a token that tells the answer nothing, e.g. parity's 0 or sentiment's 'the') where the task "
                "declares one, else zero; a neutral baseline gives its own positions no attribution.")
DEFAULT_BASELINE = "task default"  # engine.analysis.attribution.DEFAULT_BASELINE


def token_ticks(tokens, T: int, width: float, advance=lambda s: 7 * len(s)) -> list:
    """[major, minor] tick lists: every ``step``-th token labelled, ``step`` as small as lets the widest label
    (``advance``: its width in px at the axis' font; ~7 px a character without one) fit its share of ``width``."""
    tokens = list(tokens) + [""] * (T - len(tokens))
    per_bar = max(width, 60) / max(T, 1)
    for limit in (8, 6):
        short = [s if len(s) <= limit else s[: limit - 1] + "…" for s in tokens]
        step = max(1, math.ceil((max((advance(s) for s in short), default=7) + 8) / per_bar))
        if step == 1:
            break
    return [[(float(i), short[i]) for i in range(0, T, step)], [(float(i), "") for i in range(T) if i % step]]


class AttributionPanel(Panel):
    options_requested = Signal(dict)  # {"method", "baseline", "position"}: what to explain

    def __init__(self, parent=None):
        super().__init__("attributionPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.payload: dict | None = None
        self.output_kind = ""
        self._asked_position: int | None = None
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        self.method_combo = QComboBox(objectName="attributionMethodCombo")
        for key, text in METHODS:
            self.method_combo.addItem(text, key)
        self.method_combo.setToolTip(METHOD_TIP)
        self.baseline_combo = QComboBox(objectName="attributionBaselineCombo")
        self.baseline_combo.setToolTip(BASELINE_TIP)
        self.baseline_combo.addItem("default", DEFAULT_BASELINE)
        self.baseline_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the default's words
        baseline_label = QLabel("baseline x′")
        baseline_label.setToolTip(BASELINE_TIP)
        for w in (self.method_combo, baseline_label, self.baseline_combo):
            row.addWidget(w)
        row.addStretch(1)
        self._layout.addLayout(row)
        self.summary = QLabel("", objectName="attributionSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setWordWrap(True)
        self._layout.addWidget(self.summary)

        self.stack = QStackedLayout()
        self._layout.addLayout(self.stack, 1)  # (attached first: its pages are never shown as windows)
        page = QWidget()
        page_layout = QHBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("attributionPlots")
        self.view.setMinimumSize(220, 120)
        page_layout.addWidget(self.view)
        # the title spans both plots: in one plot's column its width squeezed the alpha plot to nothing
        self.title = self.view.addLabel("", row=0, col=0, colspan=2, size="8pt")
        self.plot = self.view.addPlot(row=1, col=0)
        self.alpha_plot = self.view.addPlot(row=1, col=1)
        for plot, left, tip in ((self.plot, "attribution", "Signed contribution of each input position to "
                                 "the explained output (green: pushes it up, red: down)"),
                                (self.alpha_plot, "α_i", "The attention weights α_i of the same example")):
            plot.setLabel("left", left)
            plot.setLabel("bottom", "input token x_i")
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.setToolTip(tip)
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8)
        self.alpha_bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8)
        self.zero = pg.InfiniteLine(pos=0.0, angle=0, movable=False)
        self.explained_line = pg.InfiniteLine(pos=0.0, angle=90, movable=False, label="output explained",
                                              labelOpts={"position": 0.95, "anchors": [(0, 0), (0, 0)]})
        for it in (self.zero, self.explained_line, self.bars):
            self.plot.addItem(it)
        self.alpha_plot.addItem(self.alpha_bars)
        self.footer = QLabel("", objectName="attributionFooter")
        self.footer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.footer.setWordWrap(True)
        self.explanation = message_label("Attribution is computed when this panel is in view.",
                                         "attributionExplanation")
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(page)
        self.stack.addWidget(self.explanation)
        self._layout.addWidget(self.footer)
        self.alpha_plot.hide()  # (shown with an attention head's weights)
        self.empty = EmptyState(self, "how much each input token pushed the output up or down\n"
                                "appears once it is computed (with this panel in view)", self.plot,
                                hide=(self.zero, self.explained_line, self.bars))
        self.method_combo.currentIndexChanged.connect(self._on_options_changed)
        self.baseline_combo.currentIndexChanged.connect(self._on_options_changed)
        self.set_theme(False)

    # ---- introspection -----------------------------------------------------------------
    def showing_plot(self) -> bool:
        return self.stack.currentIndex() == 0 and not self.empty.shown()

    def bar_heights(self) -> np.ndarray:
        return np.asarray(self.bars.opts["height"], dtype=float)

    def bar_colors(self) -> list[str]:
        return [b.color().name() for b in self.bars.opts["brushes"]]

    def shows_attention(self) -> bool:
        return self.alpha_plot.isVisible()

    # ---- controller API ----------------------------------------------------------------
    def set_task_info(self, info: dict) -> None:
        self.output_kind = info.get("output_kind", "")
        self._asked_position = None
        vocab = info.get("vocab") or []
        neutral = info.get("neutral_token") if vocab else None  # real-valued inputs have no tokens
        data = [DEFAULT_BASELINE, "zero"] + [str(v) for v in vocab]
        default = f"{neutral!r} (neutral, default)" if neutral is not None else "zero (default, no neutral token)"
        set_combo_items(self.baseline_combo, [default] + data[1:])
        for i, v in enumerate(data):
            self.baseline_combo.setItemData(i, v)
        self.baseline_combo.setEnabled(len(data) > 2)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.output_kind in ("per_step", "per_step_regression") and t != self._asked_position:
            self._asked_position = int(t)  # the output explained follows the cursor
            self.options_requested.emit({"position": int(t)})

    def set_attribution(self, payload) -> None:
        if payload is self.payload:
            return
        self.payload = payload
        if payload is None or not np.isfinite(np.asarray(payload["scores"], dtype=float)).all():
            self.explanation.setText("No attribution for this model or example." if payload is None else
                                     "The attribution scores are not finite numbers (the model overflowed): "
                                     "nothing to draw. Reset the model, or lower the learning rate.")
            self.stack.setCurrentIndex(1)
            return
        self.stack.setCurrentIndex(0)
        self.empty.set_empty(False)
        scores = np.asarray(payload["scores"], dtype=float)
        T = len(scores)
        th = self.theme
        brushes = [pg.mkBrush(th["good"] if s >= 0 else th["bad"]) for s in scores]
        self.bars.setOpts(x=np.arange(T, dtype=float), height=scores, width=0.8, brushes=brushes,
                          pen=pg.mkPen(None))
        top = float(np.abs(scores).max()) if T else 1.0
        top = top if top > 0 else 1.0
        self.plot.setYRange(-1.1 * top if scores.min() < 0 else 0.0, 1.1 * top if scores.max() > 0 else 0.0,
                            padding=0.05)
        self.plot.setXRange(-0.6, T - 0.4, padding=0)
        position = payload.get("position")
        self.explained_line.setVisible(position is not None)
        if position is not None:
            self.explained_line.setValue(position)
        alpha = payload.get("attention")
        self.alpha_plot.setVisible(alpha is not None)
        self.alpha_plot.setMaximumWidth(1e6 if alpha is not None else 0)  # (hidden, it kept its column's room)
        if alpha is not None:
            self.alpha_bars.setOpts(x=np.arange(T, dtype=float), height=np.asarray(alpha, float), width=0.8,
                                    brush=pg.mkBrush(SERIES_COLORS[0]), pen=pg.mkPen(None))
            self.alpha_plot.setYRange(0.0, 1.1 * max(float(np.max(alpha)), 1.0 / T), padding=0)
            self.alpha_plot.setXRange(-0.6, T - 0.4, padding=0)
            self.view.ci.layout.setColumnStretchFactor(0, 1)
            self.view.ci.layout.setColumnStretchFactor(1, 1)
        self._update_ticks()
        self._set_texts(payload)
        self._select(self.method_combo, payload.get("method"))
        self._select(self.baseline_combo, payload.get("baseline_choice"))

    def _set_texts(self, p: dict) -> None:
        delta = p["output"] - p["baseline_output"]
        self.summary.setText(f"{p['method_title']} of the {p['explained']} = {p['output']:.3g} "
                             f"(baseline {p['baseline_output']:.3g}) · training step {p['step']}")
        self.summary.setToolTip(f"baseline x′: {p['baseline']}")
        steps = f" · {p['steps']} steps" if p["method"] == "integrated_gradients" else ""
        self.title.setText(f"{p['method_title']} of the {p['explained']}<br>baseline x′: "  # (short lines: the
                           f"{p.get('baseline_short', p['baseline'])} · training step {p['step']}<br>"  # title's
                           f"f(x) = {p['output']:.4g}, f(x′) = {p['baseline_output']:.4g}{steps} · completeness "
                           f"error {100 * p['completeness_error']:.2g}%", size="8pt")  # width is the plots' minimum)
        err = p["completeness_error"]
        check = (f"completeness: Σ bars = {delta + p['completeness_gap']:.4g} vs f(x) − f(x′) = {delta:.4g}, "
                 f"error {100 * err:.2g}%")
        if p["method"] == "integrated_gradients":
            check += f" ({p['steps']} steps)"
        else:
            check += " (gradient × input promises no completeness)"
        if p.get("spearman") is not None:
            rho = p["spearman"]
            verdict = "agree" if rho >= 0.6 else ("partly agree" if rho >= 0.3 else "disagree")
            check += f" · Spearman ρ(α, |attribution|) = {rho:.2f}: attention and attribution {verdict}"
        self.footer.setText(check)
        color = self.theme["bad"] if p["method"] == "integrated_gradients" and err > 0.01 else self.theme["muted"]
        self.footer.setStyleSheet(f"color: {color};")

    def _update_ticks(self) -> None:
        p = self.payload
        if p is None:
            return
        T = len(p["scores"])
        plots = (self.plot, self.alpha_plot) if p.get("attention") is not None else (self.plot,)
        width = self.view.width() / len(plots) - 60
        for plot in plots:
            axis = plot.getAxis("bottom")
            fm = QFontMetricsF(axis.style.get("tickFont") or self.view.font())
            axis.setTicks(token_ticks(p["tokens"], T, width, fm.horizontalAdvance))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_ticks()

    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        i = combo.findData(data)
        if i >= 0 and i != combo.currentIndex():
            combo.blockSignals(True)
            combo.setCurrentIndex(i)
            combo.blockSignals(False)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        theme_plots(self.view, (self.plot, self.alpha_plot), th)
        self.zero.setPen(pg.mkPen(th["muted"], width=1))
        self.explained_line.setPen(pg.mkPen(th["accent"], width=1, style=Qt.PenStyle.DotLine))
        self.explained_line.label.setColor(th["accent"])
        apply_palette(self, th)
        self.title.setAttr("color", th["foreground"])
        self.title.setText(self.title.text)
        if self.payload is not None:
            payload, self.payload = self.payload, None
            self.set_attribution(payload)  # bar colours follow the theme

    # ---- handlers ----------------------------------------------------------------------
    def _on_options_changed(self, _index: int) -> None:
        self.options_requested.emit({"method": self.method_combo.currentData(),
                                     "baseline": self.baseline_combo.currentData()})

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        p = self.payload
        if p is None:
            return [], []
        alpha = p.get("attention")
        rho = p.get("spearman") if alpha is not None else None  # what the footer says, in the file too
        header = ["t", "token", "attribution"] + (["alpha"] if alpha is not None else []) + [
            "method", "baseline", "explained output", "f(x)", "f(baseline)", "steps", "completeness error",
            "training step"] + (["Spearman rho(alpha, |attribution|)"] if rho is not None else [])
        about = [p["method"], p["baseline"], p["explained"],  # per-step heads: "logit of 'PER' at t = 8" already
                 float(p["output"]), float(p["baseline_output"]), int(p["steps"]), float(p["completeness_error"]),
                 int(p["step"])] + ([float(rho)] if rho is not None else [])
        rows = []
        for t, s in enumerate(np.asarray(p["scores"]).tolist()):
            row = [t, p["tokens"][t] if t < len(p["tokens"]) else "", float(s)]
            rows.append(row + ([float(alpha[t])] if alpha is not None else []) + about)
        return header, rows

    def export_item(self):
        return self.view.scene() if self.showing_plot() else self.explanation
