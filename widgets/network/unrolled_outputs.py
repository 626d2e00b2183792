"""The unrolled network's output boxes: each softmax head's distribution, and the head input strip.

``OutputBars`` draws, above every output box of a classification head (one per step for a tagger,
one after the sequence for an acceptor or attention), a small bar chart of the softmax over the
classes (up to ``MAX_BARS``; the predicted class in the accent colour, the target in green), and gives
the box a tooltip with the distribution, likeliest first: y_t = softmax(W_hy h_t + b_y), as the deck's
tagging slide says. The bars are the trace's ``outputs`` (the model's own softmax); nothing is
recomputed. ``colour_head_input`` paints the vector a final / regression head reads.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPen, QPixmap, QTransform

from widgets.network.unrolled_scene import BOX_H, BOX_W, STRIP_H, STRIP_W
from widgets.parts.base import lut_index
from widgets.parts.notation import head_input, head_input_label

MAX_BARS = 12  # more classes (a language model's characters): the tooltip only
BAR_H = 22.0  # height of a bar at probability 1 (scene px)
TIP_TOP = 8  # classes listed in a box's tooltip


class OutputBars:
    def __init__(self, view):
        self.view = view
        self.classes: list[str] = []  # task_info["classes"]: what the head's outputs index
        self.bars: list[list] = []  # per output box, one rect per class
        self._built_for = None  # (the view's highlight item, C) of the build the bars were made in

    def set_classes(self, classes) -> None:
        self.classes = [str(c) for c in classes or ()]

    def distributions(self, tr) -> np.ndarray | None:
        """(outputs, C) probabilities of the trace's classification head, None for regression."""
        if tr.output_kind == "regression":
            return None
        p = np.asarray(tr.outputs, dtype=np.float64)
        return p[None, :] if p.ndim == 1 else p

    def names(self, C: int) -> list[str]:
        return self.classes if len(self.classes) == C else [str(i) for i in range(C)]

    def show(self, tr) -> None:
        v = self.view
        probs = self.distributions(tr)
        if probs is None or len(probs) != len(v.output_items):
            self.bars, self._built_for = [], None
            return
        C = probs.shape[1]
        built = self._built_for
        if built is None or built[0] is not v.highlight or built[1] != C:  # (a new build: a new highlight)
            self._build(C)
        self._tr = tr
        for i in range(len(v.output_items)):
            self._fill(i, i)

    def show_step(self, box: int, step: int) -> None:
        """Box ``box`` shows step ``step``'s distribution (the folded network's one column)."""
        tr = getattr(self, "_tr", None)
        probs = None if tr is None else self.distributions(tr)
        if probs is not None and box < len(self.view.output_items) and step < len(probs):
            self._fill(box, step)

    def _fill(self, box: int, step: int) -> None:
        v, tr = self.view, self._tr
        p = self.distributions(tr)[step]
        C = len(p)
        names = self.names(C)
        th = v.theme
        target = tr.targets[step] if step < len(tr.targets) else ""
        order = np.argsort(-p, kind="stable")[:TIP_TOP]
        listed = " · ".join(f"{names[k]} {p[k]:.3f}" for k in order)
        t = f"_{step + 1}" if tr.output_kind == "per_step" else ""
        h = f"h{t}" if t else ("Σ α_i h_i" if tr.output_kind == "attention" else
                               head_input_label(tr.num_directions, tr.merge, tr.seq_len))
        v.output_items[box].setToolTip(f"y{t} = softmax(W_hy {h} + b_y) over {C} classes:\n{listed}"
                                       + (" · …" if C > TIP_TOP else "") + (f"\ntarget {target}" if target else ""))
        for k, bar in enumerate(self.bars[box] if box < len(self.bars) else ()):
            r = bar.rect()
            height = BAR_H * float(p[k])
            bar.setRect(QRectF(r.x(), r.bottom() - height, r.width(), height))
            colour = th["accent"] if k == order[0] else (th["good"] if names[k] == target else th["muted"])
            bar.setBrush(QBrush(QColor(colour)))
            bar.setToolTip(f"P({names[k]}) = {p[k]:.3f}")

    def _build(self, C: int) -> None:
        v = self.view
        self.bars = []
        self._built_for = (v.highlight, C)
        if C > MAX_BARS:
            return
        w = (BOX_W - 4) / C
        for item in v.output_items:
            box = item.sceneBoundingRect()
            bottom = box.top() - 2
            row = []
            for k in range(C):
                bar = v.scene.addRect(QRectF(box.left() + 2 + k * w, bottom, max(w - 1, 1), 0.0),
                                      QPen(Qt.PenStyle.NoPen), QBrush(QColor(v.theme["muted"])))
                bar.setZValue(2)
                row.append(bar)
            self.bars.append(row)
        v.scene.setSceneRect(v.scene.sceneRect().united(v.scene.itemsBoundingRect().adjusted(0, -BAR_H, 0, 0)))


def recolour_outputs(view, tr) -> None:
    """The output boxes for a new trace: each prediction, coloured right/wrong against its target (boxes whose
    text and colour did not change are left alone: setting the same pen again still re-indexes and repaints a
    box), the head input strip, the softmax bars and the attention dots."""
    th, correct = view.theme, tr.correct
    for i, item in enumerate(view.output_texts):
        pred = tr.predictions[i] if i < len(tr.predictions) else ""
        target = tr.targets[i] if i < len(tr.targets) else ""
        ok = None if correct is None or not target else bool(correct[i])
        if view._outputs_shown.get(i) == (pred, target, ok, th, item.text()):
            continue
        view._set_text(item, pred, limit=8)  # "positive", "negative" whole
        view._outputs_shown[i] = (pred, target, ok, th, item.text())
        colour = th["foreground"] if ok is None else (th["good"] if ok else th["bad"])
        view.output_items[i].setPen(QPen(QColor(colour), 1.2 if ok is None else 2.0))
        view.output_items[i].setToolTip(f"prediction {pred}" + (f", target {target}" if target else ""))
    if view.head_input_strip is not None:
        colour_head_input(view, tr)
    view.output_bars.show(tr)  # each softmax's distribution: bars above the box, tooltip
    if tr.attention is not None and len(view.alpha_items) == len(tr.attention):
        a = np.asarray(tr.attention, dtype=float)
        for t, dot in enumerate(view.alpha_items):
            dot.setScale(0.6 + 1.9 * a[t] / max(a.max(), 1e-12))
            dot.setToolTip(f"α_{t} = {a[t]:.3f}")


def colour_head_input(view, tr) -> None:
    """The head's real input (``Trace.head_input``) as a unit strip, with its numbers on hover."""
    v = np.asarray(head_input(tr), dtype=np.float64)
    F = len(v)
    rgb = view._rgb32.take(lut_index(v, -1.0, 1.0))  # (F,) 0xffRRGGBB
    view.head_input_strip.setPixmap(QPixmap.fromImage(QImage(rgb.data, F, 1, 4 * F, QImage.Format.Format_RGB32).copy()))
    view.head_input_strip.setTransform(QTransform.fromScale(1.5 * STRIP_W / F, STRIP_H))
    name = head_input_label(tr.num_directions, tr.merge, tr.seq_len)
    shown = ", ".join(f"{x:+.3f}" for x in v[:8]) + (", …" if F > 8 else "")
    tip = (f"The vector the head reads: {name} ({F} values)\n[{shown}]\n‖·‖ = {np.linalg.norm(v):.3f}")
    if tr.num_directions == 2:
        tip += "\nNot the merge at t = n: the backward chain's last state is at position 1."
    view.head_input_strip.setToolTip(tip)
    view.head_input_text.setToolTip(tip)


__all__ = ["BOX_H", "MAX_BARS", "OutputBars", "colour_head_input", "recolour_outputs"]
