"""Start-up order: the window paints first, then the engine process (torch) starts; an engine made
before the first paint waits in its pipe and loses nothing; a window closed before it painted leaves no
process behind."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from app.engine_link import client as engine_client
from app.engine_link.first_paint import on_first_paint
from engine.lab.config import LabConfig
from engine.process import protocol as P

ROOT = Path(__file__).resolve().parents[2]


def test_the_callback_runs_once_after_the_first_paint(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    on_first_paint(widget, lambda: calls.append(widget.isVisible()), fallback_ms=None)
    qtbot.wait(50)
    assert calls == []  # not shown, not painted: nothing yet
    widget.show()
    qtbot.waitUntil(lambda: calls == [True], timeout=5000)
    widget.update()
    widget.hide()
    widget.show()
    qtbot.wait(100)
    assert calls == [True]  # once only


def test_a_window_that_never_paints_still_gets_the_callback(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    on_first_paint(widget, lambda: calls.append(1), fallback_ms=50)
    qtbot.waitUntil(lambda: calls == [1], timeout=5000)


@pytest.fixture
def deferring(monkeypatch):
    monkeypatch.setattr(engine_client, "_defer", False)
    monkeypatch.setattr(engine_client, "_deferred", [])
    monkeypatch.setenv("RNNLAB_SPARE_ENGINE", "0")
    monkeypatch.setattr(engine_client, "_spare", None)
    engine_client.defer_until_painted()
    yield


def init() -> P.Init:
    return P.Init(kind="lab", config=LabConfig.for_task("adding").to_dict(), open_path="", recovery_path="")


def test_a_deferred_engine_starts_when_told_and_answers_what_waited(qtbot, deferring, fresh_engine):
    client = engine_client.EngineClient(init())  # sends Init into the pipe of a process not started
    try:
        assert client.proc.pid is None and not client.is_ready
        rid = client.request("step_seconds")  # waits in the pipe too
        done = []
        client._pending[rid] = (done.append, done.append)
        engine_client.start_deferred()
        assert client.proc.pid is not None
        qtbot.waitUntil(lambda: client.is_ready and bool(done), timeout=120_000)
        assert isinstance(done[0], dict)  # the request's answer, not an error message
        later = engine_client._start()  # after the first paint engines start at once
        assert later[0].pid is not None
        later[1].close()
        later[0].kill()
        later[0].join(5)
    finally:
        assert client.shutdown()


def test_a_blocking_call_before_the_first_paint_starts_the_engine(deferring, fresh_engine):
    client = engine_client.EngineClient(init())
    try:
        assert client.proc.pid is None
        assert client.call("weights", timeout=120)["step"] == 0  # answered, not a 120 s wait for a paint
        assert client.proc.pid is not None
    finally:
        assert client.shutdown()


def test_closing_before_the_first_paint_leaves_no_process(deferring, fresh_engine):
    client = engine_client.EngineClient(init())
    assert client.shutdown() is True
    assert client.proc.pid is None and engine_client._deferred == []
    engine_client.start_deferred()  # nothing left to start
    assert client.proc.pid is None


def test_main_py_paints_before_the_engine_starts(tmp_path):
    """A real start of main.py: the first paint is printed before the engine process exists."""
    env = {**os.environ, "RNNLAB_REPORT_STARTUP": "1", "RNNLAB_SETTINGS_DIR": str(tmp_path),
           "RNNLAB_DATA_DIR": str(tmp_path), "RNNLAB_SPARE_ENGINE": "0"}
    start = time.time()
    res = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                         timeout=180, cwd=ROOT)
    marks = dict(line.split()[:2] for line in res.stdout.splitlines() if line.startswith("startup-"))
    assert {"startup-painted", "startup-engine", "startup-snapshot"} <= marks.keys(), res.stdout + res.stderr
    painted, engine, drawn = (float(marks[k]) for k in ("startup-painted", "startup-engine", "startup-snapshot"))
    assert start < painted <= engine < drawn
