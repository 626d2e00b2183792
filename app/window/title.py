"""The window title: the session file it was opened from or saved to, and an unsaved-changes mark
("run.rnnlab* — RNN Lab"), kept up to date twice a second (saving, opening and training change it)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

APP = "RNN Lab"


def title_text(session_path: str | None, dirty: bool) -> str:
    """"run.rnnlab[*] — RNN Lab" (Qt draws [*] as * while the window is modified), or "Untitled"."""
    name = Path(session_path).name if session_path else "Untitled"
    return f"{name}[*] — {APP}"


class WindowTitle(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.update)
        self._timer.start(500)
        self.update()

    def update(self) -> None:
        w = self.window
        path = getattr(getattr(w, "files", None), "session_path", None)
        dirty = bool(w.controller.dirty_since_save)
        text = title_text(path, dirty)
        if w.windowTitle() != text:
            w.setWindowTitle(text)
        if w.isWindowModified() != dirty:
            w.setWindowModified(dirty)
        if path and w.windowFilePath() != str(path):
            w.setWindowFilePath(str(path))
