"""The window says what happened and keeps it: status messages stay one click away (and the ones
replaced before they could be read are counted), training never stops silently, and the title
names the session file with an unsaved-changes mark."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.window.main_window import MainWindow
from app.window.title import title_text
from engine.lab.config import LabConfig


def make_window(qtbot, task="parity"):
    window = MainWindow(LabConfig.for_task(task), remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.shown is not None, timeout=30000)
    return window


def test_status_messages_are_kept_and_unread_ones_counted(qtbot):
    window = make_window(qtbot)
    bar = window.statusBar()
    bar.showMessage("first", 5000)
    bar.showMessage("second", 5000)  # at once: "first" could not be read
    assert bar.currentMessage() == "second"
    assert bar.messages()[:2] == ["second", "first"] and bar.unread >= 1
    assert "unread" in bar.button.text()
    texts = [a.text() for a in bar.history_menu().actions()]
    assert any(t.endswith("  first") for t in texts) and any(t.endswith("  second") for t in texts)


def test_training_never_stops_silently_on_an_architecture_change(qtbot):
    window = make_window(qtbot)
    window.controller.train(True)
    qtbot.waitUntil(lambda: window.controller.shown.state == "training", timeout=20000)
    spin = window.controls.findChild(QWidget, "hiddenSizeSpin")
    spin.setValue(spin.value() + 4)
    spin.editingFinished.emit()
    qtbot.waitUntil(lambda: any("Training paused" in m for m in window.statusBar().messages()), timeout=20000)
    assert not window.controller.training


def test_title_names_the_session_file_and_marks_unsaved_changes(qtbot, tmp_path):
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: window.windowTitle() == "Untitled[*] — RNN Lab", timeout=3000)
    assert not window.isWindowModified()
    window.controller.step_once()
    qtbot.waitUntil(window.isWindowModified, timeout=5000)
    path = tmp_path / "lecture run.rnnlab"
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.windowTitle() == "lecture run.rnnlab[*] — RNN Lab"
                    and not window.isWindowModified(), timeout=20000)
    assert title_text(None, False) == "Untitled[*] — RNN Lab"
