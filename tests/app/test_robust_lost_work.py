"""No lost work: a save or export killed midway leaves the previous file intact (at most a hidden
.part temp beside it); a failed export or save destroys nothing; quitting or opening another session
with unsaved training asks, and each answer does what it says."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt

import app.window.file_actions as file_actions_mod
from engine import load_session
from engine.lab.session import LabConfig, LabSession
from tests.app.test_main_window import make_window, wait_shown

ROOT = Path(__file__).resolve().parents[2]
REAL_TORCH_SAVE = torch.save

SLOW_SAVE = """
import sys, time
from engine.lab.session import LabConfig, LabSession
from engine.lab import files as session_mod
s = LabSession(LabConfig.for_task("parity"))
for _ in range(9):
    s.step()
def slow(obj, f):  # half a file, then stall: the parent kills us here
    f.write(b"PK\\x03\\x04 half of a session"); f.flush()
    print("writing", flush=True); time.sleep(60)
session_mod.torch.save = slow
s.save(sys.argv[1])
"""

SLOW_EXPORT = """
import sys, time
from app.export import files as export
from app.cli.main import main
real, count = export.atomic_write, [0]
def atomic_write(path, write):
    count[0] += 1
    if count[0] < 6 or sys.argv[2] != "stall":
        return real(path, write)
    def half(f):
        f.write(b"half"); f.flush()
        print("writing", flush=True); time.sleep(60)
    return real(path, half)
export.atomic_write = atomic_write
sys.exit(main(["--headless", "--task", "parity", "--steps", sys.argv[3], "--export", sys.argv[1], "--quiet"]))
"""


def run_child(code: str, *args, kill_when_writing: bool):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with proc:  # closes the pipes and reaps the child whatever happens
        try:
            if kill_when_writing:  # (a headless run also prints its held-out metric on stdout: read past it)
                line = ""
                while line != "writing" and (raw := proc.stdout.readline()):
                    line = raw.strip()
                proc.send_signal(signal.SIGKILL)
                assert line == "writing", proc.stderr.read()
            proc.wait(timeout=60)
            return proc.returncode, proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    """Files other than ``keep``: only hidden .part temps are allowed."""
    extra = sorted(p.name for p in folder.iterdir() if p.name not in keep and p.is_file())
    assert all(n.startswith(".") and n.endswith(".part") for n in extra), extra
    return extra


def test_session_save_killed_midway_keeps_the_previous_file(tmp_path):
    path = tmp_path / "run.rnnlab"
    previous = LabSession(LabConfig.for_task("parity"))
    for _ in range(4):
        previous.step()
    previous.save(path)
    before = path.read_bytes()
    code, _ = run_child(SLOW_SAVE, path, kill_when_writing=True)
    assert code == -signal.SIGKILL
    assert path.read_bytes() == before
    assert load_session(path).step == 4
    stale = leftovers(tmp_path, {"run.rnnlab"})
    assert len(stale) == 1  # the killed write's hidden temp
    previous.step()
    previous.save(path)  # the next save works beside the temp, and leaves a fresh one (it may be
    assert load_session(path).step == 5  # another process' write in progress)
    assert leftovers(tmp_path, {"run.rnnlab"}) == stale
    old = time.time() - 3600
    other = tmp_path / ".run.rnnlab.bak.a1b2c3d4.part"  # another file's temp (run.rnnlab.bak)
    other.write_bytes(b"not ours")
    for p in (tmp_path / stale[0], other):
        os.utime(p, (old, old))  # an hour later, the next save removes its own stale temp only
    previous.save(path)
    assert leftovers(tmp_path, {"run.rnnlab", other.name}) == [] and load_session(path).step == 5
    assert other.read_bytes() == b"not ours"


def test_export_killed_midway_keeps_the_previous_export(tmp_path):
    out = tmp_path / "out"
    assert run_child(SLOW_EXPORT, out, "normal", 2, kill_when_writing=False)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}  # (frames/ holds the sweep)
    assert len(before) > 10
    # the same run again (so every finished file is byte-identical), killed in its 6th file
    code, _ = run_child(SLOW_EXPORT, out, "stall", 2, kill_when_writing=True)
    assert code == -signal.SIGKILL
    assert {n: (out / n).read_bytes() for n in before} == before
    assert len(leftovers(out, set(before))) == 1


def test_failed_export_over_a_previous_one_destroys_no_file(qtbot, tmp_path, monkeypatch):
    """An export that fails midway removes only files it created, never the previous export's."""
    from app.export import files as export  # every export file is written through files.atomic_write

    window = make_window(qtbot, "parity")
    out = tmp_path / "fig"
    assert window.files.export_all(str(out))
    before = {p.name for p in out.iterdir()}
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    real, count = export.atomic_write, [0]

    def failing(path, write):
        count[0] += 1
        if count[0] == 8:
            raise OSError(28, "No space left on device")
        return real(path, write)

    monkeypatch.setattr(export, "atomic_write", failing)
    assert not window.files.export_all(str(out))
    assert warnings and "No space left" in warnings[0]
    after = {p.name for p in out.iterdir()}
    assert after == before, f"lost: {sorted(before - after)}"


def test_failed_save_in_the_window_keeps_the_file_and_the_unsaved_mark(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, "parity")
    path = tmp_path / "run.rnnlab"
    window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 1)
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.files.session_path == str(path), timeout=10000)
    before = path.read_bytes()
    window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 2)
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))

    window.controller.call("fail_saves", message="No space left on device")
    window.files.save()
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert "No space left" in warnings[0]
    assert path.read_bytes() == before
    assert window.controller.dirty_since_save  # still unsaved: quitting will ask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.rnnlab"]


# ---- quitting with unsaved training ---------------------------------------------------------------
def engine_running(window) -> bool:
    client = window.controller.engine.client
    return client.alive and client.proc.is_alive()


def training_window(qtbot, monkeypatch, answer: str):
    monkeypatch.setattr(file_actions_mod, "ask_unsaved", lambda window: answer)
    window = make_window(qtbot, "parity")
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    wait_shown(qtbot, window, lambda s: s.step > 5 and s.state == "training", timeout=10000)
    return window


def test_quit_cancel_keeps_the_window_and_the_training(qtbot, monkeypatch):
    window = training_window(qtbot, monkeypatch, "cancel")
    assert window.close() is False
    assert window.isVisible() and engine_running(window)
    step = window.controller.shown.step
    wait_shown(qtbot, window, lambda s: s.step > step + 5 and s.state == "training", timeout=10000)
    monkeypatch.setattr(file_actions_mod, "ask_unsaved", lambda window: "discard")
    window.close()


def test_quit_discard_closes_without_writing(qtbot, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    window = training_window(qtbot, monkeypatch, "discard")
    assert window.close() is True
    assert not engine_running(window)
    assert list(tmp_path.iterdir()) == []


def test_quit_save_to_a_new_file_saves_then_closes(qtbot, monkeypatch, tmp_path):
    path = tmp_path / "quit.rnnlab"
    monkeypatch.setattr("app.window.file_actions.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), ""))
    window = training_window(qtbot, monkeypatch, "save")
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert not engine_running(window)
    saved = load_session(path)
    assert saved.step >= 5
    # what was saved is what the window had trained: the displayed step is not ahead of the file
    assert window.controller.shown.step <= saved.step


def test_quit_save_to_the_current_file_writes_the_latest_training(qtbot, monkeypatch, tmp_path):
    path = tmp_path / "run.rnnlab"
    window = training_window(qtbot, monkeypatch, "save")
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.files.session_path == str(path), timeout=10000)
    first = load_session(path).step
    window.controller.train(True)  # keep training after the save: unsaved again
    wait_shown(qtbot, window, lambda s: s.step > first + 10, timeout=10000)
    window.close()
    assert not window.isVisible() and not engine_running(window)
    assert load_session(path).step > first + 10


def test_quit_save_that_fails_keeps_the_window_open(qtbot, monkeypatch, tmp_path):
    path = tmp_path / "run.rnnlab"
    window = training_window(qtbot, monkeypatch, "save")
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.files.session_path == str(path), timeout=10000)
    window.controller.train(True)
    step = window.controller.shown.step
    wait_shown(qtbot, window, lambda s: s.step > step + 5, timeout=10000)
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))

    window.controller.call("fail_saves", message="disk full")
    window.close()
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert "disk full" in warnings[0]
    assert window.isVisible() and engine_running(window)  # nothing lost yet
    window.controller.call("restore_saves")
    window.close()  # the disk has space again: saves, then closes
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert load_session(path).step > step


@pytest.fixture(autouse=True)
def _no_real_dialogs(monkeypatch):
    """A test that forgets to answer a file dialog must fail, not hang."""
    def refuse(*a, **k):
        raise AssertionError("a real file dialog would have opened")
    monkeypatch.setattr("app.window.file_actions.QFileDialog.getSaveFileName", refuse)


# ---- opening another session over unsaved training --------------------------------------------
def test_opening_a_session_over_unsaved_training_asks_and_each_answer_does_what_it_says(
        qtbot, monkeypatch, tmp_path):
    other = tmp_path / "other.rnnlab"
    s = LabSession(LabConfig.for_task("adding"))
    s.step()
    s.save(str(other))
    window = training_window(qtbot, monkeypatch, "cancel")
    window.controller.pause()
    step = wait_shown(qtbot, window, lambda s: s.state == "paused", timeout=10000).step
    window.open_session(str(other))  # Cancel: the unsaved training stays
    assert window.controller.config.task == "parity" and window.controller.dirty_since_save
    assert window.controller.call("weights")["step"] == step
    mine = tmp_path / "mine.rnnlab"  # Save: written first, then the other session opens
    monkeypatch.setattr("app.window.file_actions.QFileDialog.getSaveFileName", lambda *a, **k: (str(mine), ""))
    monkeypatch.setattr(file_actions_mod, "ask_unsaved", lambda window: "save")
    window.open_session(str(other))
    qtbot.waitUntil(lambda: window.controller.config.task == "adding", timeout=10000)
    assert load_session(mine).step == step and load_session(mine).task_name == "parity"
    assert not window.controller.dirty_since_save
