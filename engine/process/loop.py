"""EngineLoop: trains a session, answers the window's commands and sends snapshots at the display's pace.

One loop, two hosts: ``engine.process.host`` runs it in the engine process over a multiprocessing pipe (the
window), tests may run it over an in-process channel. A *channel* has ``poll(timeout) -> bool``,
``recv()`` and ``send(obj)``; EOFError/OSError from it means the window is gone and the loop ends.

Pacing: at most one snapshot is in flight. The next is sent only after the window acknowledged the
previous one (``Ack``) and the display interval has passed, so a slow window never builds a backlog;
the probe costs at most ``DISPLAY_BUDGET`` of the training time (>= 10 and <= 30 snapshots a second; while
training at most ~20: drawing a snapshot costs the window ~20 ms of CPU on a 2-core machine, which training
then does not get, and 10-20 pictures a second already show the curves move).
"""
from __future__ import annotations

import os
import time
import traceback
from dataclasses import replace

from engine.process import protocol as P

MIN_INTERVAL = 1 / 30  # at most ~30 snapshots a second
MAX_INTERVAL = 1 / 10.5  # at least ~10 a second while training
TRAINING_INTERVAL = 1 / 20  # ... and at most ~20 (the window draws ~13 a second: its repaint tick comes on top)
DISPLAY_BUDGET = 0.05  # fraction of the engine's time that probing for the display may take
SLOW_BUDGET = 0.3  # ... when one probe takes longer than that allows at 10 a second (long sequences)
RECOVERY_EVERY = 30.0  # seconds of training between recovery points (and one on every pause)


LOOP_REQUESTS = ("open", "train_until_paused")  # answered by the loop itself


def handler_table(session_cls: type) -> dict:
    """{kind: unbound request_<kind> method} for every declared request the session class answers, from
    protocol.REQUESTS: what the engine answers is exactly what the protocol declares (a few dozen lookups)."""
    return {kind: getattr(session_cls, f"request_{kind}") for kind in P.REQUESTS
            if hasattr(session_cls, f"request_{kind}")}


class EngineLoop:
    def __init__(self, session, channel, recovery_path: str | None = None, loader=None):
        self.session = session
        self.channel = channel
        self.recovery_path = recovery_path
        self.loader = loader  # path -> a new session (LabSession.load); None: opening is not offered
        self.running = False
        self.steps_left = 0
        self.stopping = False
        self.frame = 0  # last snapshot sent
        self.acked = 0  # last snapshot the window drew
        self.interval = MIN_INTERVAL
        self.dirty = True
        self._last_emit = 0.0
        self._last_recovery = (time.perf_counter(), self._step_count())
        self._keep_recovery = True

    # ---- the loop ------------------------------------------------------------------------
    reuse = False  # the window asked to keep this process for the next session (tests)
    after_first_snapshot = None  # called once, when the first snapshot is drawn and nothing is to do (host)

    def run(self) -> None:
        try:
            while not self.stopping:
                busy = self.running or self.steps_left > 0
                self._drain(0.0 if busy else self._idle_timeout())
                if self.stopping:
                    break
                if self.running or self.steps_left > 0:
                    self._train_one()
                    self._maybe_recover()
                self._maybe_emit()
                if self.after_first_snapshot is not None and self._idle_after_first_snapshot():
                    hook, self.after_first_snapshot = self.after_first_snapshot, None
                    hook()
        except (EOFError, OSError, BrokenPipeError):
            pass  # the window is gone: stop (a recovery point was written at the last pause / 30 s)
        finally:
            self._finish()

    def _idle_after_first_snapshot(self) -> bool:
        """The first snapshot is drawn, none is due, nothing to train and no command waiting."""
        return (0 < self.frame <= self.acked and not self.dirty and not self.running and not self.steps_left
                and not self.channel.poll(0.0))

    def _idle_timeout(self) -> float:
        if self.dirty and self.acked >= self.frame:
            return max(0.0, self._last_emit + self.interval - time.perf_counter())
        return 0.25

    def _drain(self, timeout: float) -> None:
        while self.channel.poll(timeout):
            timeout = 0.0
            self._handle(self.channel.recv())
            if self.stopping:
                return

    def _finish(self) -> None:
        if not self._keep_recovery and self.recovery_path:
            try:
                os.remove(self.recovery_path)
            except OSError:
                pass

    # ---- commands ------------------------------------------------------------------------
    def _handle(self, cmd) -> None:
        if isinstance(cmd, P.Ack):
            self.acked = max(self.acked, cmd.frame)
        elif isinstance(cmd, P.Train):
            self._set_running(cmd.on)
        elif isinstance(cmd, P.StepN):
            self.steps_left += max(0, int(cmd.n))
            self.dirty = True
        elif isinstance(cmd, P.Wanted):
            self.session.analyses.wanted = set(cmd.analyses)
            self.dirty = True
        elif isinstance(cmd, P.Shutdown):
            self.running, self.stopping = False, True
            self._keep_recovery = cmd.save_recovery
            self.reuse = cmd.reuse
            if cmd.save_recovery:
                self.write_recovery()
        elif isinstance(cmd, P.Request):
            self._answer(cmd)

    def _answer(self, req: P.Request) -> None:
        try:
            value = self._run_request(req)
        except Exception as exc:  # a request must never kill the engine
            self.channel.send(P.Failed(req.id, _message(exc), what=req.kind))
        else:
            self.channel.send(P.Result(req.id, value))
            if req.kind == "configure" and value == "rebuilt":
                self.running, self.steps_left = False, 0
            if req.kind in ("open_data", "open_model"):  # a Restart must find what was opened: the recovery point
                self.write_recovery()
        self.dirty |= req.refresh

    def _run_request(self, req: P.Request):
        if req.kind == "open":
            if self.loader is None:
                raise ValueError("this engine cannot open sessions")
            self.running, self.steps_left = False, 0
            new = self.loader(req.args["path"])
            new.analyses.wanted = set(self.session.analyses.wanted)
            self.session = new
            self.write_recovery()  # what was opened is the recovery point until training moves on
            return new.config.to_dict()
        if req.kind == "train_until_paused":  # tests and the CLI: a blocking run of n steps
            for _ in range(int(req.args.get("steps", 1))):
                self.session.step()
            return self._step_count()
        handler = handler_table(type(self.session)).get(req.kind)
        if handler is None:
            raise ValueError(f"this engine ({type(self.session).__name__}) does not answer {req.kind!r}")
        return handler(self.session, **req.args)

    def _set_running(self, on: bool) -> None:
        s = self.session
        if on:
            s.state = "training"
            s.mark_rate()
            self.running = True
        else:
            was = self.running or self.steps_left
            self.running, self.steps_left = False, 0
            if s.state == "training":
                s.state = "paused"
            if was:
                self.write_recovery()
        self.dirty = True

    # ---- training ------------------------------------------------------------------------
    def _train_one(self) -> None:
        if self.steps_left and not self.running:
            self.steps_left -= 1
        try:
            stats = self.session.step()
        except Exception as exc:
            self.running, self.steps_left = False, 0
            self.session.state = "paused"
            self.channel.send(P.Failed(0, _message(exc), what="train"))
            self.dirty = True
            return
        self.dirty = True
        if stats.diverged:
            self.running, self.steps_left = False, 0
            self.session.state = "diverged"
            self.channel.send(P.Diverged(stats.step, float(stats.loss), float(stats.grad_norm)))
        elif self.steps_left == 0 and not self.running:
            self.write_recovery()  # the last of a "Step" batch

    def _step_count(self) -> int:
        s = self.session
        return int(s.step_count if hasattr(s, "step_count") else s.trainer.step_count)

    # ---- recovery ------------------------------------------------------------------------
    def _maybe_recover(self) -> None:
        if self.recovery_path and time.perf_counter() - self._last_recovery[0] >= RECOVERY_EVERY:
            self.write_recovery()

    def write_recovery(self) -> None:
        """Save the session to the recovery file (atomic: a crash mid-write keeps the previous one)."""
        step = self._step_count()
        self._last_recovery = (time.perf_counter(), step)
        if not self.recovery_path or not hasattr(self.session, "save"):
            return
        try:
            self.session.save(self.recovery_path)
        except Exception as exc:  # never stop training for it; say so once
            self.channel.send(P.Failed(0, f"could not write the recovery file: {_message(exc)}", what="recovery"))
            return
        self.channel.send(P.RecoveryWritten(self.recovery_path, step))

    # ---- snapshots -----------------------------------------------------------------------
    def _maybe_emit(self) -> None:
        now = time.perf_counter()
        if not self.dirty or self.acked < self.frame or now - self._last_emit < self.interval:
            return
        start = now
        try:
            snap = self.session.snapshot()
        except Exception as exc:
            self.channel.send(P.Failed(0, _message(exc), what="display"))
            self.dirty, self._last_emit = False, start
            return
        self.frame += 1
        self.channel.send(P.SnapshotReady(P.freeze_arrays(replace(snap, frame=self.frame))))
        end = time.perf_counter()
        cost = end - start
        # probing takes time from training: keep it under DISPLAY_BUDGET while training (>= 10 Hz), and
        # under SLOW_BUDGET when a single probe is too slow for that (then fewer snapshots a second)
        if self.running or self.steps_left > 0:
            self.interval = min(max(TRAINING_INTERVAL, cost / DISPLAY_BUDGET), max(MAX_INTERVAL, cost / SLOW_BUDGET))
        else:
            self.interval = MIN_INTERVAL
        # a slow snapshot still leaves a full interval to training after it, not a single step
        self.dirty, self._last_emit = False, (start if cost < self.interval / 2 else end)


def _message(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, (ValueError, OSError)) and type(exc).__name__ != "SessionError":
        traceback.print_exc()
    return text.splitlines()[0][:400]
