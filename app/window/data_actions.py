"""File > Open data… and dropped .txt/.csv files: the engine reads the file and switches to its task.

The window never reads the file itself: ``LabSession.request_open_data`` does, in the engine, and
answers with what the window shows (engine.lab.session.data_task_view). A bad file leaves the
previous task running and says why in the status bar.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from engine.lab.config import config_from_dict

DATA_FILTER = ("Data files (*.txt *.csv);;Text for a language model (*.txt);;"
               "Labelled or tagged sequences (*.csv);;All files (*)")
DATA_SUFFIXES = (".txt", ".csv")


def size_text(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1024:.0f} KB" if n < 10 * 2**20 else f"{n / 2**20:.1f} MB"


class DataActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.action = QAction("Open data…", window)
        self.action.setObjectName("openDataAction")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.action.setToolTip("Train on your own file: .txt text (a character language model), or .csv "
                               "with the header sequence,label (an acceptor) or tokens,tags (a tagger)")
        self.action.triggered.connect(self.open_dialog)
        self._add_to_file_menu()

    def _add_to_file_menu(self) -> None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and menu.title().replace("&", "") == "File":
                after = [a for a in menu.actions() if a.text() == "Open session…"]
                before = menu.actions()[menu.actions().index(after[0]) + 1] if after else None
                menu.insertAction(before, self.action)
                return
        self.window.menuBar().addAction(self.action)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open data", "", DATA_FILTER)
        if path:
            self.open_data(path)

    def open_data(self, path: str, neutral: str | None = None) -> None:
        """Ask the engine to read ``path`` and switch to its task (unsaved training is not replaced
        without asking); ``neutral``: a symbol of the file declared neutral (``--neutral-token``)."""
        if not self.window.files.may_discard():
            return
        self.controller.pause()
        self.controller.status_message.emit(f"Reading {Path(path).name}…", 0)
        extra = {} if neutral is None else {"neutral": neutral}
        self.controller.request("open_data", on_done=self._on_opened, on_error=self._on_failed, path=str(path),
                                **extra)

    def _on_opened(self, view: dict) -> None:
        self.controller.set_data_view(view)
        self.controller.adopt_config(config_from_dict(view["config"]))
        self.window.files.session_path = None
        self.controller.dirty_since_save = False
        d = view["data"]
        what = (f"{d['characters']:,} characters" if d["kind"] == "text" else
                f"{d['rows']:,} rows, {len(d['classes'])} {'labels' if d['kind'] == 'labelled' else 'tags'}")
        self.controller.status_message.emit(
            f"Opened {d['file']} ({size_text(d['bytes'])}, {what}, {d['vocab_size']} input symbols, SHA-256 "
            f"{d['sha256'][:12]}…): press Train", 10000)

    def _on_failed(self, message: str) -> None:
        self.controller.status_message.emit(f"Could not open the data file: {message}", 15000)
