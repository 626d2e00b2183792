"""StatusField: a status-bar label as wide as the largest value it will show, at the current font.

The width is fixed (no window re-layout per update) but recomputed whenever the font changes
(presentation mode, zoom), so "loss 0.2054" is never cut at 1.75x. ``widest_text()`` is the sample
the width is made for (the layout audit checks it)."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel

PAD = 10  # px beside the text


class StatusField(QLabel):
    def __init__(self, name: str, tip: str, samples: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setToolTip(tip)
        self.samples = samples
        self._fit()

    def widest_text(self) -> str:
        fm = self.fontMetrics()
        return max(self.samples, key=fm.horizontalAdvance)

    def _fit(self) -> None:
        self.setFixedWidth(self.fontMetrics().horizontalAdvance(self.widest_text()) + PAD)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange:
            self._fit()
        super().changeEvent(event)
