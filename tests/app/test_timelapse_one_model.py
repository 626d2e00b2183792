"""A training time-lapse is made of one model or not at all (issue 29 item 4): the engine refuses the chunks
of a time-lapse once the model changed; the window checks the path before rendering and shows progress with
Cancel from the start."""

import pytest
from PySide6.QtWidgets import QProgressDialog

from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from tests.app.test_timeline_gui import trained_window


@pytest.mark.parametrize("change", ["train", "reset", "rebuild"])
def test_engine_refuses_chunks_after_the_model_changed(change):
    s = LabSession(LabConfig.for_task("parity"))
    for _ in range(5):
        s.step()
    begin = s.request_timelapse_begin()
    assert begin["steps"] == list(range(6)) and begin["present"] == 5
    first = s.request_timelapse_snapshots(begin["steps"][:3], key=begin["key"])
    assert [snap.trace.step for snap in first] == [0, 1, 2]
    {"train": s.step, "reset": s.reset, "rebuild": lambda: s.configure(LabConfig.for_task("dyck1"))}[change]()
    with pytest.raises(ValueError, match="the model changed while the time-lapse was being made"):
        s.request_timelapse_snapshots(begin["steps"][3:], key=begin["key"])


def test_window_timelapse_with_a_model_change_midway_writes_nothing(qtbot, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    window, _, _ = trained_window(qtbot, steps=40)  # 41 frames: three chunks
    path = tmp_path / "lapse.gif"
    job = window.files.export_timelapse(str(path))
    assert isinstance(job.progress.dialog, QProgressDialog)  # progress and Cancel from the start
    original = job._on_chunk

    def change_after_first_chunk(snaps):
        if not job.frames:  # the model changes between two chunks (a reset reaching the engine)
            window.controller.request("reset", refresh=False)
        original(snaps)

    job._on_chunk = change_after_first_chunk
    with qtbot.waitSignal(job.finished, timeout=60000) as done:
        pass
    assert not done.args[0] and "the model changed" in done.args[1]
    assert not path.exists() and "the model changed" in warnings[0]
    assert window.panels["hiddenHeatmap"].trace is window.controller.shown.trace  # the display is back


def test_window_timelapse_checks_the_path_before_rendering(qtbot, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    window, _, _ = trained_window(qtbot, steps=4)
    job = window.files.export_timelapse(str(tmp_path / "missing" / "x.gif"))
    assert job.progress is None and not job.frames  # refused at once: nothing was rendered
    assert len(warnings) == 1 and "does not exist" in warnings[0]
