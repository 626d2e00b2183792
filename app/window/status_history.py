"""The status bar's memory: every message it showed, newest first, one click away.

Messages come fast (a preset says what it set, the engine that it rebuilt, the export where it
wrote): one that is replaced before it could be read is not lost. ``HistoryStatusBar`` records every
``showMessage`` and counts the ones replaced within ``READ_MS``; its "History" button lists the
last ``KEEP`` with their time and says how many went by unread. A message longer than the room the bar's
value fields leave it gets their room while it is shown (presentation mode's large fields at 1280x720 left
"Ar…" of "Architecture changed: …"); the fields come back with the next message that fits, or none.
"""
from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QMenu, QStatusBar, QStyle, QStyleOption, QToolButton, QWidget

from widgets.chrome.status_field import StatusField

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
        self.made_room: list[QWidget] = []  # value fields hidden for a message that needed their room
        self.messageChanged.connect(self._make_room)

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
        self._make_room()

    def fits(self, text: str) -> bool:
        return self.fontMetrics().horizontalAdvance(text) <= self.message_room().width()

    def _make_room(self, *_args) -> None:
        """The value fields step aside for a message with no room beside them, and come back after it."""
        text = self.currentMessage()
        for field in self.made_room:
            field.step_aside(False)
        self.made_room = []
        if not text or self.fits(text):
            return
        self.made_room = [w for w in self.findChildren(StatusField, options=Qt.FindDirectChildrenOnly)
                          if w.isVisible()]
        for field in self.made_room:
            field.step_aside(True)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._make_room()  # (a narrower window: less room; a wider one: the fields may come back)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # (presentation mode: every width changes)
            self._make_room()

    def message_room(self) -> QRect:
        """Where the message is drawn: from the left edge to the first permanent widget (the ones a
        message leaves in view: the History button, the status fields)."""
        right = min((w.geometry().left() for w in self.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
                     if w.isVisible()), default=self.width())
        return QRect(MESSAGE_LEFT, 0, max(right - 2 * MESSAGE_LEFT, 0), self.height())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Qt's painting, except that a message longer than its room (even with the value fields aside) ends
        in "…" (the History button has it in full) instead of being cut mid-word ("Architecture cha")."""
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
