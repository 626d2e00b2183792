"""InputNlpPanel: the deck's opening, "Input to NLP": images can be scaled to a fixed size, text cannot.

Three rows for a sentence you type (the deck's "This is an example" to start):
  1. the characters resampled to a fixed length K, as an image's pixels are (nearest neighbour: for
     18 characters and K = 9 every other one is kept, the deck's "Ti sa xml");
  2. the sentence rendered as a picture and scaled to a few pixels and back, as the deck's cat is:
     a cat stays a cat, the words are gone;
  3. an RNN reading it whole: one step per word with the same W_xh, W_hh, b, for the sentence, a 4-word
     and a 14-word one. The parameter count is the running model's (from the snapshot's parameter
     gradients, so it is what PyTorch holds), the same for every length; beside it, what a layer over
     K fixed positions of E-dimensional inputs would need (K x E x H weights) and that it has no room
     for word K + 1.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from widgets.parts.base import Panel, apply_palette
from widgets.parts.empty_state import EmptyState

DECK_SENTENCE = "This is an example"
FIXED_LENGTH = 9  # the deck's "Ti sa xml"
EXAMPLES = ("This is an example", "This is an example of a longer sentence the RNN reads word by word")
IMAGE_PIXELS = (36, 6)  # the sentence as a picture, scaled to this many pixels


def resample(text: str, k: int) -> str:
    """``text`` resampled to ``k`` characters by nearest neighbour, as an image is scaled: character
    i of the result is character floor(i * n / k) of the text (repeats when the text is shorter)."""
    n = len(text)
    if n == 0 or k < 1:
        return ""
    return "".join(text[i * n // k] for i in range(k))


def kept_positions(n: int, k: int) -> list[int]:
    return [i * n // k for i in range(k)] if n else []


def recurrent_counts(param_grads: dict) -> tuple[int, int, int, int]:
    """(recurrent parameters, all parameters, E, H) of a model from its parameter-gradient shapes."""
    rec = sum(int(np.prod(g.shape)) for n, g in param_grads.items() if n.startswith("encoder."))
    total = sum(int(np.prod(g.shape)) for g in param_grads.values())
    w = param_grads.get("encoder.weight_ih_l0")
    whh = param_grads.get("encoder.weight_hh_l0")
    E = int(w.shape[1]) if w is not None else 0
    H = int(whh.shape[1]) if whh is not None else 0
    return rec, total, E, H


def pixellated(text: str, font: QFont, width: int, height: int, pixels=IMAGE_PIXELS) -> tuple[QPixmap, QPixmap]:
    """(the text drawn at width x height, the same scaled down to ``pixels`` and back up)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    small = image.scaled(*pixels, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    big = small.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(image), QPixmap.fromImage(big)


class WordChains(QWidget):
    """Rows of word boxes joined by arrows: the RNN's steps over sentences of different lengths."""

    def __init__(self, parent=None):
        super().__init__(parent, objectName="inputNlpChains")
        self.rows: list[tuple[str, list[str]]] = []
        self.theme = {"foreground": "#d8dde6", "muted": "#8a93a3", "accent": "#ffcc44", "background": "#15171c"}
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows) -> None:
        self.rows = [(label, list(words)) for label, words in rows]
        self._fit_font()
        self.update()

    def _fit_font(self) -> None:
        """Every row as tall as a word box of this font needs (presentation mode scales the font)."""
        self.setMinimumHeight(max(90, int(len(self.rows) * (self.fontMetrics().height() + 12))))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange:
            self._fit_font()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        th = self.theme
        p.fillRect(self.rect(), QColor(th["background"]))
        if not self.rows:
            return
        row_h = self.height() / len(self.rows)
        font = QFont(self.font())
        p.setFont(font)
        label_w = max([110] + [p.fontMetrics().horizontalAdvance(label) + 8 for label, _ in self.rows])
        for r, (label, words) in enumerate(self.rows):
            y = r * row_h + row_h / 2
            p.setFont(font)
            p.setPen(QColor(th["muted"]))
            p.drawText(QRectF(4, y - row_h / 2, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, label)
            widths = [p.fontMetrics().horizontalAdvance(w) + 10 for w in words]
            need = sum(widths) + 12 * (len(words) - 1)
            room = self.width() - label_w - 16
            f = min(1.0, room / max(need, 1))  # a long row is drawn smaller, whole
            box_h = min((row_h - 8) / f, p.fontMetrics().height() + 8)
            p.save()
            p.translate(label_w + 8, y)
            p.scale(f, f)
            x = 0.0
            for i, (word, w) in enumerate(zip(words, widths, strict=True)):
                p.setPen(QPen(QColor(th["accent"] if i == 0 else th["foreground"]), 1.2))
                rect = QRectF(x, -box_h / 2, w, box_h)
                p.drawRoundedRect(rect, 3, 3)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, word)
                x += w
                if i < len(words) - 1:
                    p.setPen(QPen(QColor(th["muted"]), 1.2))
                    p.drawLine(QPointF(x + 1, 0), QPointF(x + 10, 0))
                    p.drawLine(QPointF(x + 7, -3), QPointF(x + 10, 0))
                    p.drawLine(QPointF(x + 7, 3), QPointF(x + 10, 0))
                    x += 12
            p.restore()
        p.end()


class InputNlpPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("inputNlpPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        head = QLabel("In computer vision an image can be scaled to a fixed size; in NLP the input has a "
                      "variable length. Type a sentence:", objectName="inputNlpIntro", wordWrap=True)
        row = QHBoxLayout()
        self.edit = QLineEdit(DECK_SENTENCE, objectName="inputNlpText")
        self.edit.setToolTip("Any sentence: it is resampled, pixellated and read by the RNN below")
        self.edit.textChanged.connect(self._on_text_changed)
        self.length_spin = QSpinBox(objectName="inputNlpLengthSpin", minimum=1, maximum=80, value=FIXED_LENGTH)
        self.length_spin.setToolTip("The fixed length K the characters are resampled to (the deck: 9)")
        self.length_spin.valueChanged.connect(self._on_text_changed)
        row.addWidget(self.edit, 1)
        row.addWidget(QLabel("fixed length K"))
        row.addWidget(self.length_spin)
        self.resampled = QLabel("", objectName="inputNlpResampled", wordWrap=True)
        self.resampled.setTextFormat(Qt.TextFormat.RichText)
        self.images = images = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # one above the other when narrow
        self.image_label = QLabel(objectName="inputNlpImage")
        self.pixel_label = QLabel(objectName="inputNlpPixels")
        self.image_caption = QLabel("", objectName="inputNlpImageCaption", wordWrap=True)
        self.image_caption.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.image_label, self.pixel_label):
            images.addWidget(w)
        images.addStretch(1)
        self.rnn_caption = QLabel("", objectName="inputNlpRnnCaption", wordWrap=True)
        self.rnn_caption.setTextFormat(Qt.TextFormat.RichText)
        self.chains = WordChains()
        # the three steps in a scroll area: at presentation scale on a 1280x720 stage they need more height than
        # the stage has, and a caption squeezed below its text's height is cut mid-sentence
        self.body = QWidget(objectName="inputNlpBody")
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        scroll = QScrollArea(objectName="inputNlpScroll", widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # (the pictures flow instead)
        scroll.setWidget(self.body)
        inner.addWidget(head)
        inner.addLayout(row)
        inner.addWidget(self.resampled)
        inner.addWidget(self.image_caption)
        inner.addLayout(images)
        inner.addWidget(self.rnn_caption)
        self.counts_slot = QWidget(objectName="inputNlpCountsSlot")  # where the counts' empty state says they come
        self.counts_slot.setFixedHeight(2 * self.fontMetrics().height() + 8)
        inner.addWidget(self.counts_slot)
        inner.addWidget(self.chains, 1)
        self._layout.addWidget(scroll, 1)
        self.empty = EmptyState(self, "the running model's parameter counts appear with the first example",
                                self.counts_slot)
        self.set_theme(False)
        self._on_text_changed()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """The text and its pixellated picture side by side where both fit, else one above the other (side by
        side they need 522 px: a narrower dock cut the second picture and every caption at its right edge)."""
        super().resizeEvent(event)
        both = self.image_label.sizeHint().width() + self.pixel_label.sizeHint().width() + 40
        flow = QBoxLayout.Direction
        direction = flow.LeftToRight if event.size().width() >= both else flow.TopToBottom
        if self.images.direction() != direction:
            self.images.setDirection(direction)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        self._show_rnn()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        self.chains.theme = self.theme
        self.chains.update()

    # ---- drawing -----------------------------------------------------------------------
    def _on_text_changed(self, *_args) -> None:
        text, k = self.edit.text(), self.length_spin.value()
        out = resample(text, k)
        keep = set(kept_positions(len(text), k))
        marked = "".join(f"<b style='color:{self.theme['accent']}'>{html.escape(c)}</b>" if i in keep
                         else html.escape(c) for i, c in enumerate(text))
        verb = "every other character kept" if len(text) == 2 * k else (
            "characters dropped" if len(text) > k else "characters repeated" if len(text) < k else "unchanged")
        self.resampled.setText(
            f"<b>1. Scaled to a fixed length, as an image is</b> ({len(text)} → {k} characters, nearest "
            f"neighbour, {verb}):<br><span style='font-family:monospace; font-size:14pt'>{marked}</span>"
            f" &nbsp;⇒&nbsp; <span style='font-family:monospace; font-size:14pt'>“{html.escape(out)}”</span>")
        font = QFont(self.font())
        font.setPointSizeF(13)
        whole, pixels = pixellated(text or " ", font, 260, 40)
        self.image_label.setPixmap(whole)
        self.pixel_label.setPixmap(pixels)
        w, h = IMAGE_PIXELS
        self.image_caption.setText(f"<b>2. As a picture scaled to {w}×{h} pixels</b> (and back up), as the deck's "
                                   "pixellated cat: a cat stays a cat, the words are gone.")
        self._show_rnn()

    def _show_rnn(self) -> None:
        words = self.edit.text().split()
        rows = [(f"{len(words)} words (yours)", words)] if words else []
        rows += [(f"{len(s.split())} words", s.split()) for s in EXAMPLES]
        self.chains.set_rows(rows)
        tr = self.trace
        self.empty.set_empty(tr is None or not tr.param_grads)
        self.counts_slot.setVisible(self.empty.shown())
        if tr is None or not tr.param_grads:
            self.rnn_caption.setText("<b>3. An RNN reads it whole</b>, one word per step with the same weights.")
            return
        rec, total, E, H = recurrent_counts(tr.param_grads)
        k = self.length_spin.value()
        self.rnn_caption.setText(
            f"<b>3. An RNN reads it whole</b>: one step per word, h_t = f(W_hh h_t−1 + W_xh x_t + b), the "
            f"same W_xh, W_hh, b at every step: <b>{rec:,}</b> recurrent parameters ({total:,} in the running "
            f"model) for {len(words)}, 4 or 14 words alike. A layer over K = {k} fixed input positions (E = {E} "
            f"values each) into H = {H} units needs K × E × H = {k * E * H:,} weights, and input {k + 1} has no "
            "place.")

    # ---- export ------------------------------------------------------------------------
    def export_item(self):
        return self.body  # all three steps, also those scrolled out of view

    def data_table(self):
        text, k = self.edit.text(), self.length_spin.value()
        if not text:
            return [], []
        rec = recurrent_counts(self.trace.param_grads)[0] if self.trace is not None and self.trace.param_grads else ""
        return (["sentence", "characters", "K", "resampled", "words", "recurrent parameters"],
                [[text, len(text), k, resample(text, k), len(text.split()), rec]])
