"""torch._dynamo is imported after the engine's first snapshot, not before it (engine/util/dynamo_later.py): its
1.2-1.5 s import came from torch.optim's wrapped methods while the session was built. Run in fresh interpreters
(the test process has imported torch._dynamo long ago). Controls: without ``defer()`` the session's optimizer
imports it; with it, training computes the same losses."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from engine.process import protocol as P
from engine.process.loop import EngineLoop
from tests.engine.test_engine_loop import Channel, StubSession

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import json, sys
sys.path.insert(0, {root!r})
import torch
from engine.util import dynamo_later
names = dynamo_later.defer() if {defer} else []
from engine.lab.session import LabConfig, LabSession
session = LabSession(LabConfig.for_task("parity"))
session.snapshot()
before = "torch._dynamo" in sys.modules
losses = [float(session.step().loss) for _ in range(5)]
print(json.dumps({{"names": names, "dynamo_before_training": before, "losses": losses}}))
"""


def run(defer: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", RUN.format(root=str(ROOT), defer=defer)], capture_output=True,
                         text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_session_and_its_first_snapshot_come_without_torch_dynamo_and_train_the_same():
    deferred, control = run(True), run(False)
    assert deferred["names"] == ["state_dict", "load_state_dict", "zero_grad", "add_param_group"]
    assert not deferred["dynamo_before_training"]
    assert control["dynamo_before_training"]  # the control: torch.optim imported it while the session was built
    assert deferred["losses"] == control["losses"]  # the same training, step for step


def test_the_loop_calls_its_after_first_snapshot_hook_once_when_idle_after_the_first_snapshot():
    session, channel = StubSession(0.001), Channel()
    loop = EngineLoop(session, channel)
    calls = []
    loop.after_first_snapshot = lambda: calls.append((loop.frame, loop.acked, channel.inbox.empty()))
    thread = threading.Thread(target=loop.run)
    thread.start()

    def next_snapshot():
        while True:
            msg = channel.outbox.get(timeout=10)
            if isinstance(msg, P.SnapshotReady):
                return msg.snapshot

    first = next_snapshot()
    time.sleep(0.3)
    assert calls == []  # not before the window drew it
    channel.inbox.put(P.Ack(first.frame))
    deadline = time.perf_counter() + 5
    while not calls and time.perf_counter() < deadline:
        time.sleep(0.01)
    for _ in range(2):  # later snapshots: no second call
        channel.inbox.put(P.StepN(1))
        channel.inbox.put(P.Ack(next_snapshot().frame))
    time.sleep(0.3)
    channel.inbox.put(P.Shutdown())
    thread.join(5)
    assert not thread.is_alive() and len(calls) == 1, calls  # once,
    frame, acked, nothing_waiting = calls[0]
    assert frame == acked == 1 and nothing_waiting  # after the first snapshot was drawn, with nothing waiting
