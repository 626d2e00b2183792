"""NextCharPanel: what a per-step softmax head predicts at the cursor, as the top-k bars.

For the character language model this is P(x_{t+1} | x_1 … x_t): the k most likely next characters
(``TOP_K``), the one that actually comes next marked (added as an extra bar, with its rank, when it
is not among them). After Run > Generate text the panel shows, for each generated character, the
distribution it was sampled from, softmax(logits / temperature), with the sampled character marked
and the learned distribution softmax(logits) as dots; a slider walks through the characters.
Other per-step tasks (tagging) show P(y_t | x_1 … x_t) the same way. The bars are the trace's
``outputs`` (the model's softmax), nothing is recomputed here.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider, QWidget

from widgets.explain.hover import HoverTip, plot_locator
from widgets.explain.readout import explain_next
from widgets.parts.base import Panel, apply_palette
from widgets.parts.empty_state import EmptyState
from widgets.parts.plot_items import apply_plot_theme

TOP_K = 10
SPACE = "\u2423"  # how a space is shown (as the sequence strip does)


def show_char(c: str) -> str:
    return SPACE if c == " " else c


def top_k(probs: np.ndarray, k: int = TOP_K, must: int | None = None) -> tuple[np.ndarray, int | None]:
    """Indices of the k largest probabilities (largest first); ``must`` appended if it is not among
    them. Returns (indices, rank of ``must`` counted from 1, or None)."""
    order = np.argsort(-np.asarray(probs, dtype=np.float64), kind="stable")
    idx = order[:k]
    rank = None if must is None else int(np.nonzero(order == must)[0][0]) + 1
    if must is not None and must not in idx:
        idx = np.append(idx, must)
    return idx, rank


class NextCharPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("nextCharPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.info: dict = {}
        self.generated: dict | None = None  # the last generation (LabSession.request_generate_steps)
        self.shown: list[tuple[str, float, bool]] = []  # (label, probability, marked) of the bars drawn
        self.caption = QLabel("", objectName="nextCharCaption", wordWrap=True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._layout.addWidget(self.caption)
        self.plot = pg.PlotWidget(objectName="nextCharPlot")
        self.plot.setMinimumSize(200, 110)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.setLabel("left", "probability")
        item.setLabel("bottom", "next character")
        item.setYRange(0, 1.0, padding=0.02)
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.75)
        self.marked = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.75)
        self.marked.setZValue(5)
        self.learned = pg.ScatterPlotItem(size=7, symbol="o")
        self.learned.setZValue(6)
        for it in (self.bars, self.marked, self.learned):
            item.addItem(it)
        self._bar_classes: list[int] = []  # the class of each bar at the cursor ([] after Generate)
        self.hover = HoverTip(self, self.plot, self._hovered)
        self._layout.addWidget(self.plot, 1)
        gen = QWidget(objectName="nextCharGenerationRow")
        row = QHBoxLayout(gen)
        row.setContentsMargins(0, 0, 0, 0)
        self.text_label = QLabel("", objectName="nextCharGeneratedText")
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="nextCharSlider")
        self.slider.setToolTip("Which generated character's distribution to show")
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.back_button = QPushButton("Back to the example", objectName="nextCharBackButton")
        self.back_button.setToolTip("Show the prediction at the time cursor again")
        self.back_button.clicked.connect(self._on_back_clicked)
        row.addWidget(self.slider, 1)
        row.addWidget(self.back_button)
        self._layout.addWidget(self.text_label)
        self._layout.addWidget(gen)
        self.generation_row = gen
        self.generation_row.hide()
        self.text_label.hide()
        self.empty = EmptyState(self, "the likeliest next characters (at most 10) or classes at step t appear here\n"
                                "for a per-step softmax head", self.plot)
        self.set_theme(False)

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        """(After Generate text it shows the generation whatever the head.)"""
        ok = trace is None or trace.output_kind == "per_step"
        return "" if ok else "the next-character view is for per-step softmax heads"

    # ---- controller API ----------------------------------------------------------------
    def set_task_info(self, info: dict) -> None:
        self.info = dict(info or {})
        lm = self.info.get("name") in ("charlm", "text_file")  # else a tagger's classes, not characters
        self.plot.getPlotItem().setLabel("bottom", "next character" if lm else "class (tag)")
        if self.generated is not None and self.info.get("name") != "charlm":
            self.show_generation(None)

    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        self._refresh()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        self._refresh()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        apply_plot_theme(self.plot, self.theme)
        self._refresh()

    def show_generation(self, result: dict | None) -> None:
        """The result of ``request_generate_steps``, or None to go back to the time cursor."""
        self.generated = result
        on = result is not None and len(result["text"]) > 0
        self.generation_row.setVisible(on)
        self.text_label.setVisible(on)
        if on:
            self.slider.blockSignals(True)
            self.slider.setRange(0, len(result["text"]) - 1)
            self.slider.setValue(0)
            self.slider.blockSignals(False)
        else:
            self.generated = None
        self._refresh()

    # ---- drawing -----------------------------------------------------------------------
    def _draw(self, labels: list[str], probs: np.ndarray, mark: int | None, learned=None) -> None:
        th = self.theme
        n = len(labels)
        x = np.arange(n, dtype=float)
        self.bars.setOpts(x=x, height=probs, width=0.75, brush=pg.mkBrush(th["muted"]), pen=pg.mkPen(None))
        if mark is None:
            self.marked.setOpts(x=[], height=[], width=0.75)
        else:
            self.marked.setOpts(x=[mark], height=[probs[mark]], width=0.75, brush=pg.mkBrush(th["accent"]),
                                pen=pg.mkPen(th["foreground"], width=1.5))
        if learned is None:
            self.learned.setData([], [])
        else:
            self.learned.setData(x, learned, brush=pg.mkBrush(th["foreground"]), pen=pg.mkPen(None))
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setTicks([[(i, s) for i, s in enumerate(labels)]])
        self.plot.getPlotItem().setXRange(-0.6, max(n, 1) - 0.4, padding=0)  # (7 tags: 7 wide bars)
        self.shown = [(labels[i], float(probs[i]), i == mark) for i in range(n)]

    def _refresh(self) -> None:
        self.empty.set_empty(self.generated is None and (self.trace is None or self.trace.output_kind != "per_step"))
        if self.generated is not None:
            self._refresh_generated()
            return
        tr = self.trace
        if tr is None or tr.output_kind != "per_step":
            self.caption.setText("The next-character view is for per-step softmax heads: choose the "
                                 "character language model (Lecture > Language model).")
            self._draw([], np.zeros(0), None)
            self._bar_classes = []
            return
        t = self.clamp_time(self.time)
        probs = np.asarray(tr.outputs[t], dtype=np.float64)  # (C,) the model's softmax at t
        classes = self._classes(len(probs))
        target = tr.targets[t] if t < len(tr.targets) else ""
        actual = self._index(classes, target)
        idx, rank = top_k(probs, TOP_K, actual)
        labels = [show_char(classes[i]) for i in idx]
        mark = None if actual is None else int(np.nonzero(idx == actual)[0][0])
        self._draw(labels, probs[idx], mark)
        self._bar_classes = [int(i) for i in idx]
        lm = self.info.get("name") == "charlm"
        read = "".join(tr.tokens[max(0, t - 24):t + 1])
        if lm:
            head = (f"P(x<sub>t+1</sub> | x<sub>1</sub> … x<sub>t</sub>) at t = {t + 1}, after "
                    f"‘…{html.escape(read)}’. Character-level: the model predicts the next <i>character</i>"
                    f", not the next word as on the slide.")
        else:
            which = f"the {TOP_K} likeliest of {len(probs)} classes" if len(probs) > TOP_K else \
                f"all {len(probs)} classes, likeliest first"
            head = f"P(y<sub>t</sub> | x<sub>1</sub> … x<sub>t</sub>) at t = {t + 1}: {which}."
        if actual is None:
            tail = " The last character has no next one to score."
        else:
            where = f"rank {rank}" + ("" if rank <= TOP_K else f", added after the top {TOP_K}")
            tail = (f" <span style='color:{self.theme['accent']}'>■</span> {'actual next' if lm else 'target'}: "
                    f"‘{html.escape(show_char(classes[actual]))}’ ({where}, P = {probs[actual]:.3f}).")
        self.caption.setText(head + tail)

    def _refresh_generated(self) -> None:
        self._bar_classes = []
        g = self.generated
        i = self.slider.value()
        vocab, sampled, learned = g["vocab"], np.asarray(g["sampled"][i]), np.asarray(g["learned"][i])
        char = g["text"][i]
        actual = vocab.index(char)
        idx, rank = top_k(sampled, TOP_K, actual)
        mark = int(np.nonzero(idx == actual)[0][0])
        self._draw([show_char(vocab[j]) for j in idx], sampled[idx], mark, learned[idx])
        T = g["temperature"]
        how = ("temperature 0: always the most likely character (bars: one-hot; dots: the learned softmax)"
               if T == 0 else f"temperature {T:g}: drawn from softmax(logits / {T:g}) (bars); dots: the "
               "learned softmax(logits)")
        self.caption.setText(f"Generated character {i + 1} of {len(g['text'])}: "
                             f"<span style='color:{self.theme['accent']}'>■</span> "
                             f"‘{html.escape(show_char(char))}’ (P = {sampled[actual]:.3f}, rank {rank}); {how}.")
        text, pre = g["text"], g["prompt"]
        lo = max(0, i - 40)
        self.text_label.setText(
            f"<span style='color:{self.theme['muted']}'>{html.escape(pre[-20:] if lo == 0 else '…')}</span>"
            f"{html.escape(text[lo:i])}<b style='color:{self.theme['accent']}'>{html.escape(show_char(char))}</b>"
            f"{html.escape(text[i + 1:i + 30])}")

    def explain(self, t: int, index) -> str:
        """P(next = class) at step t (1-based); index: the class number or the character itself."""
        tr = self.trace
        if tr is None or tr.output_kind != "per_step":
            return ""
        classes = self._classes(tr.outputs.shape[-1])
        k = classes.index(index) if isinstance(index, str) else int(index)
        return explain_next(tr, int(t), k, show_char(classes[k]))

    def _hovered(self, pos):
        p = plot_locator(self.plot.getPlotItem(), self.plot)(pos)
        bar = None if p is None else int(round(p[0]))
        if bar is None or not 0 <= bar < len(self._bar_classes) or self.generated is not None:
            return None
        return self.clamp_time(self.time) + 1, self._bar_classes[bar], {}

    def _classes(self, n: int) -> list[str]:
        vocab = self.info.get("classes") or self.info.get("vocab") or []
        return list(vocab) if len(vocab) == n else [str(i) for i in range(n)]

    @staticmethod
    def _index(classes: list[str], label: str) -> int | None:
        label = " " if label == SPACE else label
        return classes.index(label) if label in classes else None

    # ---- handlers ----------------------------------------------------------------------
    def _on_slider_changed(self, _value: int) -> None:
        self._refresh()

    def _on_back_clicked(self) -> None:
        self.show_generation(None)

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        return ["label", "probability", "marked"], [[a, p, m] for a, p, m in self.shown]

    def export_item(self):
        return self.plot.getPlotItem()
