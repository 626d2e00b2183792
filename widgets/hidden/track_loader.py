"""TrackLoader: the unit explorer's "Tracks…" button and its one-line message.

An annotation track is a CSV with one row per token of the open data file, in the file's order, and a
column of numbers per track (an optional ``token`` column is checked against the file), as LSTMVis
reads annotations. The engine reads it (request ``annotations``); a bad file leaves the loaded tracks
as they were and its one-line reason is shown here.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

TIP = ("Rank the units against your own numbers per token (as LSTMVis's annotation tracks): a CSV with a "
       "header, one row per token of the data file in the file's order, a column of numbers per track, "
       "and optionally a 'token' column that is checked against the file. Example:\n"
       "token,is_name,depth\nyesterday,0,0\nerin,1,1")
NO_FILE_TIP = "Annotation tracks follow the tokens of a data file: open one first (File > Open data…)."
ERROR_STYLE = "color: #ef5b5b;"


class TrackLoader(QWidget):
    def __init__(self, on_loaded, parent=None):
        """on_loaded(result): the engine read the tracks ({"file", "tracks", "tokens"})."""
        super().__init__(parent)
        self._requester = None
        self._error = False
        self._on_loaded = on_loaded
        self.last_dir = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.button = QPushButton("Tracks…", objectName="unitTracksButton")
        self.button.setToolTip(NO_FILE_TIP)
        self.button.setEnabled(False)
        self.button.clicked.connect(self.choose)
        row.addWidget(self.button)
        self.message = QLabel("", objectName="unitTracksMessage")
        self.message.setToolTip(TIP)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # clip, not widen
        row.addWidget(self.message, 1)

    def set_requester(self, request) -> None:
        self._requester = request

    def set_available(self, available: bool, loaded: str | None) -> None:
        """A data file is open (tracks can follow it); ``loaded``: the track file in use, if any."""
        self.button.setEnabled(available and self._requester is not None)
        self.button.setToolTip(TIP if available else NO_FILE_TIP)
        if self._error:
            return  # the last file's problem stays until another is chosen
        if not loaded:
            self.message.setText("")  # (another data file: the tracks followed the old one)
        elif loaded not in self.message.text():
            self.message.setText(f"tracks: {loaded}")

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Annotation tracks (one row per token)", self.last_dir,
                                              "CSV files (*.csv);;All files (*)")
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        if self._requester is None:
            return
        self.last_dir = str(Path(path).parent)
        self._error = False
        self.message.setStyleSheet("")
        self.message.setText(f"reading {Path(path).name}…")
        self._requester("annotations", on_done=self._done, on_error=self._failed, path=str(path))

    def _done(self, result: dict) -> None:
        self.message.setStyleSheet("")
        self.message.setText(f"{len(result['tracks'])} track{'s' * (len(result['tracks']) != 1)} from "
                             f"{result['file']} ({result['tokens']:,} tokens)")
        self._on_loaded(result)

    def _failed(self, message: str) -> None:
        self._error = True
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(message)
        self.message.setToolTip(message + "\n\n" + TIP)
