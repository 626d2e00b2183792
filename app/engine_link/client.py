"""EngineClient: the window's side of the engine process (as qtconsole is the client of a kernel).

It starts ``engine.process.host.main`` in a child process (multiprocessing, spawn context: torch is imported
only there), sends commands (``engine.process.protocol``) over a pipe, and reads events when the pipe is
readable (a QSocketNotifier, in the GUI thread). A request's answer goes to the callbacks of the code
that asked, by request id. When the engine dies the client says how (exit code or signal) and every
pending request gets an error; the window stays up.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from engine.process import protocol as P
from engine.process.host import main as engine_main

CTX = mp.get_context("spawn")
SHUTDOWN_S = 2.0  # the engine is gone within this long after shutdown(), training or not


class EngineError(Exception):
    """The engine could not answer (it stopped, or took too long); the message says which."""


def _start():
    parent, child = CTX.Pipe(duplex=True)
    proc = CTX.Process(target=engine_main, args=(child,), name="rnnlab-engine", daemon=True)
    if _defer:  # commands wait in the pipe until the window has painted (start_deferred)
        _deferred.append((proc, child))
    else:
        _launch(proc, child)
    return proc, parent


def _launch(proc, child) -> None:
    proc.start()
    child.close()  # only the engine holds its end: when the window's process dies, the engine reads EOF


_defer = False  # engines made now wait for start_deferred() (run_gui: until the window has painted)
_deferred = []  # (process, its end of the pipe) made while deferring, not started yet


def defer_until_painted() -> None:
    """Engines made from now on start when ``start_deferred()`` is called: on a busy 2-core machine the
    engine's imports (torch) would compete with building and painting the window for the CPU."""
    global _defer
    _defer = True


def start_deferred() -> None:
    """Start the engines made while deferring (once the window is on screen); later ones start at once."""
    global _defer
    _defer = False
    while _deferred:
        _launch(*_deferred.pop(0))


def _forget_unstarted(proc) -> bool:
    """Drop a deferred engine that never started (its window closed first); True if it was one."""
    for item in list(_deferred):
        if item[0] is proc:
            _deferred.remove(item)
            item[1].close()
            return True
    return False


_spare = None  # a started engine waiting for its Init (RNNLAB_SPARE_ENGINE=1: tests open many windows)


def prestart() -> None:
    """Start the engine process now (before the window is built); the first EngineClient takes it."""
    global _spare
    if _spare is None:
        _spare = _start()


_released = []  # (process, connection) of engines whose window closed, awaiting the next Init (tests)


def sharing() -> bool:
    """Tests set RNNLAB_SHARE_ENGINE=1: a closed window's engine process serves the next window (no second
    torch import). A test of start-up or shutdown sets it to 0 for itself."""
    return os.environ.get("RNNLAB_SHARE_ENGINE") == "1"


def _take_released():
    """A released engine, its pipe drained up to its Released marker; None if there is none (or it is stuck)."""
    while _released:
        proc, conn = _released.pop()
        try:
            while proc.is_alive() and conn.poll(10.0):
                if isinstance(conn.recv(), P.Released):
                    return proc, conn
        except (EOFError, OSError):
            pass
        proc.kill()
        proc.join(1.0)
        conn.close()
    return None


def spawn_engine():
    """(process, connection) of a fresh engine process that is importing torch and awaits an Init."""
    global _spare
    if sharing():
        got = _take_released()
        if got is not None:
            return got
    if _spare is not None and _spare[0].is_alive():
        got, _spare = _spare, None
    else:
        got = _start()
    if os.environ.get("RNNLAB_SPARE_ENGINE") == "1":
        _spare = _start()
    return got


def describe_exit(code) -> str:
    if code is None:
        return "the engine process stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"the engine process was killed by {name}{hint}"
    return f"the engine process exited with code {code}"


class EngineClient(QObject):
    ready = Signal(object)  # protocol.Ready
    snapshot_ready = Signal(object)  # Snapshot / CompareSnapshot
    diverged = Signal(object)  # protocol.Diverged
    failed = Signal(object)  # protocol.Failed that answers no request (a training step, the display)
    recovery_written = Signal(object)  # protocol.RecoveryWritten
    died = Signal(str)  # what happened, in words

    def __init__(self, init: P.Init, parent=None):
        super().__init__(parent)
        self.started_at = time.perf_counter()
        self.proc, self.conn = spawn_engine()
        self.is_ready, self.alive = False, True
        self._next_id, self._pending = 0, {}  # request id -> (on_done, on_error)
        self._notifier = QSocketNotifier(self.conn.fileno(), QSocketNotifier.Read, self)
        self._notifier.activated.connect(self._on_readable)
        self.send(init)

    @property
    def pid(self) -> int:
        return self.proc.pid or 0

    # ---- sending -------------------------------------------------------------------------
    def send(self, command) -> bool:
        if not self.alive:
            return False
        try:
            self.conn.send(command)
            return True
        except (OSError, ValueError):
            self._on_dead()
            return False

    def request(self, kind: str, on_done=None, on_error=None, refresh: bool = True, **args) -> int:
        """Run ``request_<kind>(**args)`` in the engine; ``on_done(value)`` or ``on_error(message)`` later."""
        self._next_id += 1
        rid = self._next_id
        self._pending[rid] = (on_done, on_error)
        if not self.send(P.Request(rid, kind, dict(args), refresh)):
            self._fail(rid, "the engine is not running; use Restart in the status bar")
        return rid

    def call(self, kind: str, timeout: float = 60.0, **args):
        """Blocking request (e.g. save before closing): the value, or EngineError / ValueError(message)."""
        if not self.alive:
            raise EngineError("the engine is not running")
        if any(item[0] is self.proc for item in _deferred):
            start_deferred()  # (waiting here, the event loop would never start it)
        self._next_id += 1
        rid = self._next_id
        if not self.send(P.Request(rid, kind, dict(args), False)):
            raise EngineError("the engine is not running")
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            try:
                if left <= 0 or not self.conn.poll(left):
                    raise EngineError(f"the engine did not answer within {timeout:.0f} s")
                msg = self.conn.recv()
            except (EOFError, OSError):
                self._on_dead()
                raise EngineError("the engine process stopped") from None
            if isinstance(msg, (P.Result, P.Failed)) and msg.id == rid:
                if isinstance(msg, P.Failed):
                    raise ValueError(msg.message)
                return P.freeze_arrays(msg.value)
            self._dispatch(msg)

    # ---- receiving -----------------------------------------------------------------------
    def _on_readable(self, *_args) -> None:
        try:
            while self.alive and self.conn.poll():
                self._dispatch(self.conn.recv())
        except (EOFError, OSError):
            self._on_dead()

    def _dispatch(self, msg) -> None:
        if isinstance(msg, P.SnapshotReady):
            self.snapshot_ready.emit(P.freeze_arrays(msg.snapshot))  # unpickled arrays come back writeable
        elif isinstance(msg, P.Result):
            on_done, _ = self._pending.pop(msg.id, (None, None))
            if on_done is not None:
                on_done(P.freeze_arrays(msg.value))
        elif isinstance(msg, P.Failed):
            if msg.id in self._pending:
                self._fail(msg.id, msg.message)
            elif msg.what == "start":
                self.alive = False
                self.died.emit(f"the engine could not start: {msg.message}")
            else:
                self.failed.emit(msg)
        elif isinstance(msg, P.Ready):
            self.is_ready = True
            self.ready.emit(msg)
        elif isinstance(msg, P.Diverged):
            self.diverged.emit(msg)
        elif isinstance(msg, P.RecoveryWritten):
            self.recovery_written.emit(msg)

    def _fail(self, rid: int, message: str) -> None:
        _, on_error = self._pending.pop(rid, (None, None))
        if on_error is not None:
            on_error(message)
        else:
            self.failed.emit(P.Failed(rid, message))

    def _on_dead(self) -> None:
        if not self.alive:
            return
        self.alive = False
        self._notifier.setEnabled(False)
        self.proc.join(1.0)
        message = describe_exit(self.proc.exitcode)
        for rid in list(self._pending):
            self._fail(rid, message)
        self.died.emit(message)

    # ---- stopping ------------------------------------------------------------------------
    def shutdown(self, keep_recovery: bool = False, timeout: float = SHUTDOWN_S) -> bool:
        """Stop the engine within ``timeout`` (ask, then terminate, then kill). True when it is gone."""
        was_alive, self.alive = self.alive, False
        self._notifier.setEnabled(False)
        if _forget_unstarted(self.proc):
            self.conn.close()
            return True
        if was_alive and sharing() and not keep_recovery and self.is_ready and self.proc.is_alive():
            try:
                self.conn.send(P.Shutdown(reuse=True))
                _released.append((self.proc, self.conn))  # the next window takes it (spawn_engine)
                return True
            except (OSError, ValueError):
                pass
        if was_alive:
            try:
                self.conn.send(P.Shutdown(save_recovery=keep_recovery))
            except (OSError, ValueError):
                pass
        self.proc.join(timeout * 0.6)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(timeout * 0.2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout * 0.2)
        self.conn.close()
        return not self.proc.is_alive()
