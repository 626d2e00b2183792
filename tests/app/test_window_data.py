"""File > Open data… and dropped .txt/.csv files in the window: the engine reads the file, the task
description names it, the controls follow; a bad file leaves the previous task and says why."""
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from engine.tasks.data.data_files import open_data
from tests.app.test_main_window import make_window, wait_shown
from tests.engine.test_data_files import BAD_FILES, data_task, write

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def status(window) -> str:
    return window.statusBar().currentMessage()


@pytest.mark.parametrize("name,task,needles", [
    ("coriolanus_act1.txt", "text_file", ["Predict the next character", "held out", "SHA-256"]),
    ("majority_ab.csv", "labelled_file", ["800 rows", "720 for training", "80 held out", "3 labels: a, b, tie"]),
    ("people_places.csv", "tagged_file", ["600 rows", "3 tags: LOC, O, PER", "tokens"]),
])
def test_open_data_switches_to_the_files_task(qtbot, name, task, needles):
    window = make_window(qtbot, "parity")
    window.data.open_data(str(EXAMPLES / name))
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == task)
    controls = window.controls
    qtbot.waitUntil(lambda: controls.values()["task"] == task, timeout=5000)
    assert controls.task_combo.currentText() == snap.task_info["title"]
    description = controls.task_description.text()
    for needle in needles + [name, snap.task_info["data"]["sha256"][:16]]:
        assert needle in description, needle
    lo, hi = snap.task_info["param_ranges"]["seq_len"]
    assert (controls.seq_len_spin.minimum(), controls.seq_len_spin.maximum()) == (lo, hi)
    assert name in status(window) and "SHA-256" in status(window)
    local = data_task(open_data(EXAMPLES / name))  # the same file read here, in the test's process
    assert list(snap.task_info["vocab"]) == list(local.vocab) and snap.task_info["classes"] == list(local.classes)
    assert window.controller.call("weights")["task"] == task


def test_dropping_a_csv_opens_it_and_the_length_control_retrains_on_that_range(qtbot):
    window = make_window(qtbot, "adding")
    drop(window, EXAMPLES / "majority_ab.csv")
    wait_shown(qtbot, window, lambda s: s.config["task"] == "labelled_file")
    window.controls.seq_len_spin.setValue(8)  # the controls' length reaches the data task
    wait_shown(qtbot, window, lambda s: s.config["task_params"]["seq_len"] == 8)
    assert window.controller.shown.task_info["params"]["seq_len"] == 8
    # back to a built-in task and again to the file's task from the task list
    combo = window.controls.task_combo
    combo.setCurrentIndex(combo.findData("parity"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "parity")
    combo.setCurrentIndex(combo.findData("labelled_file"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "labelled_file")


WINDOW_BAD = [b for b in BAD_FILES if b[0].endswith((".txt", ".csv")) and b[0] != "rows.csv"]


def test_every_bad_file_leaves_the_previous_task_and_says_why(qtbot, tmp_path):
    window = make_window(qtbot, "parity")
    before = window.controller.config
    for name, content, message in WINDOW_BAD:
        window.statusBar().clearMessage()
        drop(window, write(tmp_path, name, content))
        qtbot.waitUntil(lambda: status(window).startswith("Could not open the data file"), timeout=10000)
        assert status(window) == f"Could not open the data file: {message}"
        assert window.controller.config == before and window.controller.call("weights")["task"] == "parity"
        assert window.controls.values()["task"] == "parity"
    assert len(WINDOW_BAD) >= 15


def test_a_saved_data_session_reopens_in_the_window_with_its_description(qtbot, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_bytes((EXAMPLES / "coriolanus_act1.txt").read_bytes())
    window = make_window(qtbot, "parity")
    window.data.open_data(str(src))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "text_file")
    window.files.save_to(str(tmp_path / "run.rnnlab"))
    qtbot.waitUntil(lambda: (tmp_path / "run.rnnlab").exists(), timeout=10000)
    src.unlink()
    other = make_window(qtbot, "adding")
    other.open_session(str(tmp_path / "run.rnnlab"))
    wait_shown(qtbot, other, lambda s: s.config["task"] == "text_file")
    qtbot.waitUntil(lambda: "notes.txt" in other.controls.task_description.text(), timeout=5000)
    assert other.controls.values()["task"] == "text_file"


def test_compare_window_on_a_data_file_trains_its_runs_in_another_engine(qtbot):
    from tests.app.test_compare import wait_snapshot

    window = make_window(qtbot, "parity")
    window.data.open_data(str(EXAMPLES / "majority_ab.csv"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "labelled_file")
    window.compare_action.trigger()  # asks the engine for the file; the window keeps painting meanwhile
    qtbot.waitUntil(lambda: window.compare_action.guard.compare is not None, timeout=10000)
    compare = window.compare_action.guard.compare
    assert compare.data["name"] == "majority_ab.csv"
    compare.transport.step_button.click()
    snap = wait_snapshot(qtbot, compare, lambda s: s.step == 1, timeout=30000)
    assert [r.config["task"] for r in snap.runs] == ["labelled_file"] * len(snap.runs)
    assert snap.runs[0].task_info["data"]["sha256"] == window.controller.shown.task_info["data"]["sha256"]
    compare.close()
