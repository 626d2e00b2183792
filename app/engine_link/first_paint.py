"""Run something once the window has painted for the first time (the engine's start, start-up timing)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer


class _FirstPaint(QObject):
    def __init__(self, window, callback, fallback_ms: int | None):
        super().__init__(window)
        self.callback, self.done = callback, False
        window.installEventFilter(self)
        if fallback_ms is not None:  # a window that is not painted (minimised at start) still gets it
            QTimer.singleShot(fallback_ms, self._run)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint and not self.done:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._run)  # after this paint has reached the screen
        return False

    def _run(self) -> None:
        if not self.done:
            self.done = True
            self.callback()


def on_first_paint(window, callback, fallback_ms: int | None = 2000) -> None:
    """``callback()`` once, just after ``window``'s first paint (or after ``fallback_ms`` at the latest)."""
    _FirstPaint(window, callback, fallback_ms)
