"""StatusField: a label for a value that changes all the time (status bar, time cursor, timeline step), as
large as the largest value it has to show, at the current font.

Its size is fixed, so a new value repaints the label alone: a label that follows its text asks the whole
window to lay itself out again, and its toolbar or status bar to repaint (0.6 ms of every frame for the
time, timeline and status labels together). The size is made for the widest of ``samples`` and the text,
so it changes only when a text outgrows the samples or, without samples, when the text's width changes
(a number gains a digit: digits are as wide as each other), and again when the font or style changes
(presentation mode, zoom, the timeline's "viewing" highlight): "loss 0.2054" is never cut at 1.75x.
``widest_text()`` is the text the size is made for (the layout audit checks it)."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel

PAD = 10  # px beside the text (a status bar's fields); a label in a row of controls needs none


class StatusField(QLabel):
    def __init__(self, name: str, tip: str, samples: tuple[str, ...], parent=None, pad: int = PAD):
        super().__init__(parent)
        self.pad = pad
        self.setObjectName(name)
        self.setToolTip(tip)
        self.samples = tuple(samples)
        self.wanted, self.aside = True, False  # shown unless hidden; out of view for a status message
        self._fit()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt override: show() and hide() come here)
        self.wanted = bool(visible)
        super().setVisible(self.wanted and not self.aside)

    def step_aside(self, aside: bool) -> None:
        """Out of view while a status message needs the room (``aside``), and back after it if it is still wanted:
        a field hidden meanwhile stays hidden."""
        self.aside = aside
        super().setVisible(self.wanted and not aside)

    def widest_text(self) -> str:
        fm = self.fontMetrics()
        return max((*self.samples, self.text()), key=fm.horizontalAdvance)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        super().setText(text)
        if max(self.fontMetrics().horizontalAdvance(text), self._samples_width) + self._extra != self.maximumWidth():
            self._fit()  # (digits are as wide as each other: rarely)

    def _box(self) -> tuple[int, int]:
        """Width and height around the text: margins, a style's padding (in the contents margins) and frame.
        (Not from sizeHint(): a label's size hint grows to its minimum size, i.e. to the size fixed here.)"""
        m, edge = self.contentsMargins(), 2 * (self.margin() + self.frameWidth())
        return m.left() + m.right() + edge, m.top() + m.bottom() + edge

    def _fit(self) -> None:
        fm = self.fontMetrics()
        self._samples_width = max((fm.horizontalAdvance(s) for s in self.samples), default=0)
        width, height = self._box()
        self._extra = max(self.pad, width)
        self.setFixedSize(fm.horizontalAdvance(self.widest_text()) + self._extra, fm.height() + height)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
        super().changeEvent(event)
