"""File > Open model… / Export model… and dropped model folders: model.json + model.pt (engine.model_io).

The window never reads or writes the weights itself (its process has no torch): ``LabSession.request_open_model``
and ``request_export_model`` do, in the engine. A refused folder leaves the running model as it was and says
why in one line.
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.window.progress import BusyIndicator
from engine.lab.config import config_from_dict


def is_model_folder(path) -> bool:
    """A dropped path that is meant as a model: a folder, or a model.json."""
    p = Path(path)
    return p.is_dir() or p.name == "model.json"


def warn(window, title: str, text: str) -> None:
    """A warning the user must see (tests replace this)."""
    QMessageBox.warning(window, title, text)


class ModelActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.open_action = QAction("Open model…", window)
        self.open_action.setObjectName("openModelAction")
        self.open_action.setToolTip("Look inside a model folder (model.json + model.pt): one exported from RNN "
                                    "Lab, or your own PyTorch RNN/GRU/LSTM written in the same format")
        self.open_action.triggered.connect(self.open_dialog)
        self.export_action = QAction("Export model…", window)
        self.export_action.setObjectName("exportModelAction")
        self.export_action.setToolTip("Write the model as a folder for your own code: model.pt (state_dict), "
                                      "model.json, load_model.py (needs only PyTorch) and a README")
        self.export_action.triggered.connect(self.export_dialog)
        self._add_to_file_menu()
        self.last_export: list[str] = []

    def _add_to_file_menu(self) -> None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and menu.title().replace("&", "") == "File":
                texts = [a.text() for a in menu.actions()]
                anchor = "Open data…" if "Open data…" in texts else "Open session…"
                after = menu.actions()[texts.index(anchor) + 1] if anchor in texts else None
                menu.insertAction(after, self.open_action)
                exports = [a for a in menu.actions() if a.text().startswith("Export")]
                after = menu.actions()[menu.actions().index(exports[-1]) + 1] if exports else None
                menu.insertAction(after, self.export_action)
                return
        self.window.menuBar().addAction(self.open_action)
        self.window.menuBar().addAction(self.export_action)

    # ---- in -----------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.window, "Open model folder (model.json + model.pt)")
        if path:
            self.open_model(path)

    def open_model(self, path: str, data: str | None = None) -> None:
        """Ask the engine to open the model folder ``path`` (on the data file ``data``); unsaved training is
        not replaced without asking."""
        if not self.window.files.may_discard():
            return
        self.controller.pause()
        name = Path(path).name if Path(path).name != "model.json" else Path(path).parent.name
        busy = BusyIndicator(self.window, f"Opening the model {name}…")

        def opened(result: dict) -> None:
            busy.stop()
            self._opened(name, result)

        def failed(message: str) -> None:
            busy.stop()
            self.controller.status_message.emit(f"Could not open the model {name}: {message}", 15000)
            warn(self.window, "Could not open the model", f"{name}: {message}")

        self.controller.request("open_model", opened, failed, path=str(path), data=data)

    def _opened(self, name: str, result: dict) -> None:
        if result.get("data_view"):
            self.controller.set_data_view(result["data_view"])
        self.controller.adopt_config(config_from_dict(result["config"]))
        self.window.files.session_path = None
        self.controller.dirty_since_save = False
        self.controller.estimate_step_time()
        self.window.mark_event(f"model {name}", "reset", at_start=True)
        self.controller.status_message.emit(
            f"Opened the model {name} ({result['summary']}): every panel shows it; Train continues training it",
            12000)

    # ---- out ----------------------------------------------------------------------------
    def export_dialog(self) -> None:
        cfg = self.controller.config
        suggested = f"{cfg.task}_{cfg.model.cell}_model"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export model as a folder", suggested, "Folder (*)")
        if path:
            self.export_model(path)

    def export_model(self, folder: str) -> None:
        """Write the model as it is now into ``folder`` (created if needed), in the engine."""
        def done(files: list) -> None:
            self.last_export = list(files)
            names = ", ".join(Path(f).name for f in files)
            try:  # the step the engine exported (it may have trained on since the last snapshot)
                step = f" as of step {json.loads((Path(folder) / 'model.json').read_text('utf-8'))['steps_trained']}"
            except (OSError, ValueError, KeyError):
                step = ""
            self.controller.status_message.emit(f"Exported the model{step} to {folder}: {names}", 10000)

        def failed(message: str) -> None:
            warn(self.window, "Could not export the model", message)

        self.controller.request("export_model", done, failed, refresh=False, path=str(folder))
