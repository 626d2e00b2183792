"""TrainingWorker: a QObject moved to a QThread that owns the LabSession and trains it.

The GUI never touches torch objects. It calls the thread-safe methods here (``start``,
``pause``, ``stop``, ``submit``), which only set flags or queue a command; the worker loop checks
them between steps. Results come back as signals carrying immutable ``Snapshot``s, sent at a
bounded rate and within a time budget so that probing never costs more than ~15% of training.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback

import torch
from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.lab_session import LabSession

MIN_INTERVAL = 1 / 30  # at most ~30 snapshots a second
MAX_INTERVAL = 1 / 10.6  # at least 10 a second while training (from one snapshot's start to the next, + a step)
DISPLAY_BUDGET = 0.2  # fraction of wall time the display (probe + GUI redraw) may take from training


class TrainingWorker(QObject):
    snapshot_ready = Signal(object)  # Snapshot
    diverged = Signal(object)  # StepStats of the non-finite step
    command_failed = Signal(str, str)  # (what, message a person can act on)
    command_done = Signal(str, object)  # (what, result)
    finished = Signal()

    def __init__(self, session: LabSession):
        super().__init__()
        self.session = session
        self._commands: queue.Queue = queue.Queue()
        self._running = threading.Event()
        self._stopping = threading.Event()
        self._steps_left = 0  # "Step" button: train this many then pause
        self._lock = threading.Lock()
        self.interval = MIN_INTERVAL
        self.display_cost = 0.0  # seconds the GUI spends drawing one snapshot (set by the controller)

    # ---- thread-safe controls (called from the GUI thread) --------------------------------
    def start_training(self) -> None:
        self.submit("start", lambda s: self._set_running(True))

    def pause(self) -> None:
        self._running.clear()
        self.submit("pause", lambda s: self._set_running(False))

    def step_once(self, n: int = 1) -> None:
        def run(s):
            with self._lock:
                self._steps_left += n
        self.submit("step", run)

    def stop(self) -> None:
        self._running.clear()
        self._stopping.set()
        self._commands.put(None)  # wake the loop

    def submit(self, what: str, fn, refresh: bool = True) -> None:
        """Run fn(session) in the worker thread; errors come back as command_failed."""
        self._commands.put((what, fn, refresh))

    @property
    def is_training(self) -> bool:
        return self._running.is_set()

    # ---- the loop (runs in the worker thread) --------------------------------------------
    @Slot()
    def run(self) -> None:
        torch.set_num_threads(1)
        dirty, last_emit = True, 0.0
        while not self._stopping.is_set():
            dirty |= self._drain(block=not (self._running.is_set() or self._steps_left))
            if self._stopping.is_set():
                break
            if self._running.is_set() or self._steps_left:
                dirty |= self._train_one()
            now = time.perf_counter()
            if dirty and now - last_emit >= self.interval:
                self._emit()
                end = time.perf_counter()
                # snapshots start every interval; one that takes long (a long sequence) still leaves
                # the interval to training after it, not a single step
                last_emit, dirty = (now if end - now < self.interval / 2 else end), False
            elif dirty and not (self._running.is_set() or self._steps_left):
                time.sleep(max(0.0, self.interval - (now - last_emit)))
        self._finish_saves()
        self.finished.emit()

    def _finish_saves(self) -> None:
        """On stop, still carry out queued saves (closing with "Save" must not lose work)."""
        while True:
            try:
                item = self._commands.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[0] == "save":
                try:
                    self.command_done.emit("save", item[1](self.session))
                except Exception as exc:
                    self.command_failed.emit("save", _message(exc))

    def _drain(self, block: bool) -> bool:
        """Run queued commands; block briefly when idle. Returns whether anything ran."""
        ran = False
        timeout = 0.05 if block else 0.0
        while True:
            try:
                item = self._commands.get(timeout=timeout) if timeout else self._commands.get_nowait()
            except queue.Empty:
                return ran
            timeout = 0.0
            if item is None:
                return ran
            what, fn, refresh = item
            try:
                result = fn(self.session)
                self.command_done.emit(what, result)
            except Exception as exc:  # a command must never kill the worker
                self.command_failed.emit(what, _message(exc))
            ran |= refresh

    def _train_one(self) -> bool:
        if self._steps_left and not self._running.is_set():
            with self._lock:
                self._steps_left -= 1
        try:
            stats = self.session.step()
        except Exception as exc:
            self._running.clear()
            self._steps_left = 0
            self.session.state = "paused"
            self.command_failed.emit("train", _message(exc))
            return True
        if stats.diverged:
            self._running.clear()
            self._steps_left = 0
            self.session.state = "diverged"
            self.diverged.emit(stats)
        return True

    def _set_running(self, on: bool) -> None:
        if on:
            self.session.state = "training"
            self.session.mark_rate()
            self._running.set()
        else:
            self._running.clear()
            if self.session.state == "training":
                self.session.state = "paused"

    def _emit(self) -> None:
        start = time.perf_counter()
        try:
            snap = self.session.snapshot()
        except Exception as exc:
            self.command_failed.emit("display", _message(exc))
            return
        cost = time.perf_counter() - start + self.display_cost
        # The GUI holds the GIL while it draws, so its cost slows training too: keep probe + redraw
        # under DISPLAY_BUDGET of the time, within 10..30 snapshots a second.
        self.interval = min(MAX_INTERVAL, max(MIN_INTERVAL, cost / DISPLAY_BUDGET))
        if self._running.is_set():
            # While training, every extra frame slows training (the GUI holds the GIL while it
            # draws), so stay at the ~10 Hz floor; paused, frames are free and come up to 30 Hz.
            self.interval = MAX_INTERVAL
        self.snapshot_ready.emit(snap)


def _message(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, (ValueError, OSError)) and type(exc).__name__ != "SessionError":
        traceback.print_exc()
    return text.splitlines()[0][:400]


class WorkerHandle:
    """Owns the QThread and the worker; starts, and stops cleanly within a bounded time."""

    def __init__(self, session: LabSession):
        self.thread = QThread()
        self.thread.setObjectName("rnnlabTrainingThread")
        self.worker = TrainingWorker(session)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)
        self.thread.start()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        self.worker.stop()
        self.thread.quit()
        ok = self.thread.wait(timeout_ms)
        return ok
