"""The status bar's memory: every message it showed, newest first, one click away.

Messages come fast (a preset says what it set, the engine that it rebuilt, the export where it
wrote): one that is replaced before it could be read is not lost. ``HistoryStatusBar`` records every
``showMessage`` and counts the ones replaced within ``READ_MS``; its "History" button lists the
last ``KEEP`` with their time and says how many went by unread.
"""
from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QMenu, QStatusBar, QStyle, QStyleOption, QToolButton, QWidget

KEEP = 20
READ_MS = 2500  # a message shown for less than this was probably not read
MESSAGE_LEFT = 6  # px: where Qt draws a status message from (and the gap it keeps before a widget)


class HistoryStatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.history: deque[tuple[float, str]] = deque(maxlen=KEEP)
        self.unread = 0
        self._shown_at = 0.0
        self.button = QToolButton(objectName="statusHistoryButton")
        self.button.setAutoRaise(True)
        self.button.setToolTip("The last status messages (also the ones replaced before they could be read)")
        self.button.clicked.connect(self.show_history)
        self._label()
        self.addPermanentWidget(self.button)  # (a temporary message hides normal widgets, not permanent ones)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        now = time.monotonic()
        if text:
            current = self.currentMessage()
            if current and (now - self._shown_at) * 1000 < READ_MS and current != text:
                self.unread += 1  # the one on screen goes before it could be read
            self.history.appendleft((time.time(), text))
            self._shown_at = now
            self._label()
        super().showMessage(text, timeout)

    def message_room(self) -> QRect:
        """Where the message is drawn: from the left edge to the first permanent widget (the ones a
        message leaves in view: the History button, the status fields)."""
        right = min((w.geometry().left() for w in self.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
                     if w.isVisible()), default=self.width())
        return QRect(MESSAGE_LEFT, 0, max(right - 2 * MESSAGE_LEFT, 0), self.height())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Qt's painting, except that a message longer than its room ends in "…" (the History button
        has it in full) instead of being cut mid-word ("Architecture cha") at the first status field."""
        text = self.currentMessage()
        if not text:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        room = self.message_room()
        painter.setPen(self.palette().windowText().color())
        flags = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
        painter.drawText(room, flags, self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room.width()))

    def messages(self) -> list[str]:
        return [text for _t, text in self.history]

    def _label(self) -> None:
        self.button.setText(f"History ({self.unread} unread)" if self.unread else "History")

    def history_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("statusHistoryMenu")
        if not self.history:
            menu.addAction("no messages yet").setEnabled(False)
        for stamp, text in self.history:
            shown = text if len(text) <= 140 else text[:139] + "…"
            action = menu.addAction(f"{time.strftime('%H:%M:%S', time.localtime(stamp))}  {shown}")
            action.setToolTip(text)
            action.triggered.connect(lambda _=False, t=text: super(HistoryStatusBar, self).showMessage(t, 10000))
        return menu

    def show_history(self) -> None:
        self.unread = 0
        self._label()
        menu = self.history_menu()
        menu.exec(self.button.mapToGlobal(self.button.rect().topLeft()))
