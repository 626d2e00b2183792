"""The engine loop's pacing over an in-process channel: at most one snapshot in flight (the window
acknowledges each), never faster than the display's pace while training with a cheap probe, probing within its
budget, and after a slow snapshot (a long sequence) training still gets a full interval."""
import queue
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from engine.process import protocol as P
from engine.process.loop import DISPLAY_BUDGET, MAX_INTERVAL, MIN_INTERVAL, TRAINING_INTERVAL, EngineLoop


class Channel:
    """One end of an in-process pipe: the test plays the window on the other end."""

    def __init__(self):
        self.inbox, self.outbox = queue.Queue(), queue.Queue()

    def poll(self, timeout=0.0):
        if not self.inbox.empty():
            return True
        time.sleep(min(timeout, 0.002))
        return not self.inbox.empty()

    def recv(self):
        return self.inbox.get()

    def send(self, obj):
        self.outbox.put(obj)


@dataclass(frozen=True)
class Snap:
    step: int
    frame: int = 0


@dataclass
class StubSession:
    """Steps of 2 ms; snapshots of ``snapshot_s``; records the step count at every snapshot."""

    snapshot_s: float
    state: str = "paused"
    steps: int = 0
    at_snapshot: list = field(default_factory=list)
    analyses: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(wanted=set()))

    @property
    def step_count(self):
        return self.steps

    def step(self):
        self.steps += 1
        time.sleep(0.002)
        return SimpleNamespace(diverged=False, step=self.steps, loss=0.0, grad_norm=0.0)

    def snapshot(self):
        self.at_snapshot.append((time.perf_counter(), self.steps))
        time.sleep(self.snapshot_s)
        return Snap(self.steps)

    def mark_rate(self):
        pass


def run_window(seconds, snapshot_s, ack=True):
    """Train for ``seconds``; the 'window' acknowledges every snapshot at once (or never)."""
    session, channel = StubSession(snapshot_s), Channel()
    loop = EngineLoop(session, channel)
    thread = threading.Thread(target=loop.run)
    thread.start()
    channel.inbox.put(P.Train(True))
    received, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        try:
            msg = channel.outbox.get(timeout=0.01)
        except queue.Empty:
            continue
        if isinstance(msg, P.SnapshotReady):
            received.append(msg.snapshot)
            if ack:
                channel.inbox.put(P.Ack(msg.snapshot.frame))
    channel.inbox.put(P.Shutdown())
    thread.join(5)
    assert not thread.is_alive()
    return session, received


def test_cheap_snapshots_come_at_most_at_the_display_rate_within_the_probe_budget():
    session, received = run_window(1.5, snapshot_s=0.003)
    times = [t for t, _ in session.at_snapshot[2:]]
    rate = (len(times) - 1) / (times[-1] - times[0])
    # never faster than the display's pace, whatever the machine; how close to it a loaded machine gets is
    # a benchmark's question (benchmarks/engine.py), not a test's
    assert len(times) >= 3 and min(b - a for a, b in zip(times, times[1:], strict=False)) >= MIN_INTERVAL * 0.9
    assert rate <= 1 / MIN_INTERVAL + 1
    assert rate * 0.003 <= DISPLAY_BUDGET * 1.3  # probing takes at most ~its budget of the time
    assert [s.frame for s in received] == list(range(1, len(received) + 1))


def test_while_training_cheap_snapshots_leave_the_cpu_to_training():
    """At most ~20 a second while training (the window's drawing would take the CPU training needs), still
    more often than the 10 a second the display needs."""
    session, _ = run_window(1.5, snapshot_s=0.001)
    times = [t for t, _ in session.at_snapshot[2:]]
    assert len(times) >= 3 and min(b - a for a, b in zip(times, times[1:], strict=False)) >= TRAINING_INTERVAL * 0.9
    assert MIN_INTERVAL < TRAINING_INTERVAL < MAX_INTERVAL


def test_without_acknowledgement_no_second_snapshot_is_sent():
    session, received = run_window(0.8, snapshot_s=0.001, ack=False)
    assert len(received) == 1 and session.steps > 50  # training goes on; no backlog builds up


def test_a_slow_snapshot_still_leaves_training_its_time():
    session, _ = run_window(3.0, snapshot_s=0.1)  # longer than 10 a second allow
    steps = [s for _, s in session.at_snapshot[1:]]
    between = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert len(between) >= 2 and min(between) >= 15  # >= MAX_INTERVAL of 2 ms steps, not one step
    assert MAX_INTERVAL < 0.1


def test_requests_are_answered_by_id_and_errors_do_not_stop_the_loop():
    session, channel = StubSession(0.001), Channel()
    StubSession.request_weights = lambda self, value: value * 2  # a declared kind, answered by the stub
    thread = threading.Thread(target=EngineLoop(session, channel).run)
    thread.start()
    channel.inbox.put(P.Request(7, "weights", {"value": 21}, refresh=False))
    channel.inbox.put(P.Request(8, "generate", {}, refresh=False))  # declared, but this session has no answer
    channel.inbox.put(P.Request(9, "weights", {"value": 1}, refresh=False))
    answers = {}
    deadline = time.perf_counter() + 5
    while len(answers) < 3 and time.perf_counter() < deadline:
        msg = channel.outbox.get(timeout=5)
        if isinstance(msg, (P.Result, P.Failed)):
            answers[msg.id] = msg
    channel.inbox.put(P.Shutdown())
    thread.join(5)
    assert answers[7] == P.Result(7, 42) and answers[9] == P.Result(9, 2)
    assert isinstance(answers[8], P.Failed) and "does not answer 'generate'" in answers[8].message


def test_snapshot_arrays_stay_read_only_across_the_pipe():
    """Pickling drops numpy's read-only flag; both ends of the pipe set it again (engine.process.protocol)."""
    import multiprocessing as mp
    import pickle

    import numpy as np
    import pytest

    trace = Snap(step=1)  # a frozen dataclass, as the real Trace is
    snap = P.Snapshot(trace=trace, history={"loss": np.arange(3.0)}, step=1, loss=0.0, metric=0.0,
                      steps_per_sec=0.0, state="paused", config={}, task_info={}, example_source="random",
                      analysis={"units": {"values": [np.ones((2, 2))]}})
    P.freeze_arrays(snap)
    assert not snap.history["loss"].flags.writeable
    assert pickle.loads(pickle.dumps(snap)).history["loss"].flags.writeable  # what unpickling gives (control)
    a, b = mp.Pipe()
    a.send(P.SnapshotReady(snap))
    got = P.freeze_arrays(b.recv().snapshot)
    for array in (got.history["loss"], got.analysis["units"]["values"][0]):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[...] = 0
