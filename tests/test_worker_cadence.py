"""The training thread's display cadence: about ten snapshots a second while training, and after a
snapshot that takes long (a long sequence's probe), training still gets its turn before the next."""
import threading
import time
from types import SimpleNamespace

from app.worker import MAX_INTERVAL, TrainingWorker


class StubSession:
    """Steps of 2 ms; snapshots of ``snapshot_s``; records the step count at every snapshot."""

    def __init__(self, snapshot_s: float):
        self.state, self.steps, self.at_snapshot, self.snapshot_s = "paused", 0, [], snapshot_s

    def step(self):
        self.steps += 1
        time.sleep(0.002)
        return SimpleNamespace(diverged=False)

    def snapshot(self):
        self.at_snapshot.append((time.perf_counter(), self.steps))
        time.sleep(self.snapshot_s)
        return object()

    def mark_rate(self):
        pass


def train_for(seconds: float, snapshot_s: float) -> StubSession:
    session = StubSession(snapshot_s)
    worker = TrainingWorker(session)
    thread = threading.Thread(target=worker.run)
    thread.start()
    worker.start_training()
    time.sleep(seconds)
    worker.stop()
    thread.join(5)
    assert not thread.is_alive()
    return session


def test_snapshots_come_about_ten_times_a_second_while_training():
    session = train_for(1.5, snapshot_s=0.003)
    times = [t for t, _ in session.at_snapshot[2:]]
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 10.0 <= rate <= 1 / MAX_INTERVAL + 0.5


def test_a_slow_snapshot_still_leaves_training_its_time():
    session = train_for(2.0, snapshot_s=0.2)  # longer than the interval between snapshots
    steps = [s for _, s in session.at_snapshot[1:]]
    between = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert len(between) >= 3 and min(between) >= 15  # ~MAX_INTERVAL of 2 ms steps, not one step
