"""LectureNote: the lecture preset's "what to watch" text above the sequence strip.

A word-wrapped label in a scroll area: it takes the height its text needs up to ``MAX_HEIGHT`` and
scrolls beyond that, so a long note is never cut at a projector's 1280x720 and never pushes the
unrolled network out of the window.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy

MAX_HEIGHT = 110  # px; beyond this the note scrolls


class LectureNote(QScrollArea):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lectureNote")
        self.label = QLabel(objectName="lectureNoteText")
        self.label.setWordWrap(True)
        self.label.setMargin(6)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the background by palette, not a style sheet: a style-sheeted widget keeps the font it was polished
        # with, so the note would stay small in presentation mode while everything else grows
        for w in (self.label, self.viewport()):
            palette = w.palette()
            palette.setColor(QPalette.ColorRole.Window, QColor("#24324a"))
            w.setPalette(palette)
            w.setAutoFillBackground(True)
        self.setToolTip("What to watch in this lecture preset (Lecture menu)")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name: the window treats it as one)
        self.label.setText(text)
        self._fit()

    def text(self) -> str:
        return self.label.text()

    def needed_height(self) -> int:
        width = max(self.viewport().width(), 100)
        return self.label.heightForWidth(width) + 2

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(super().sizeHint().width(), min(self.needed_height(), MAX_HEIGHT))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(100, min(self.needed_height(), MAX_HEIGHT))

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        height = min(self.needed_height(), MAX_HEIGHT)
        if self.height() != height:
            self.setFixedHeight(height)
