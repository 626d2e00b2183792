"""Engine speed, measured in one run on the same batches.

1. Trainer.step() throughput vs a plain hand-written PyTorch loop on the same model and batches
   (goal: >= 0.95x the plain loop's throughput).
2. Snapshot time (``LabSession.snapshot()``: the probe plus what the default window's visible panels
   need; their first tabs ask for no extra analysis) for LSTM T in {20, 100, 1000} x H in {32, 128, 256}
   (goals, issue 11: T=100 H=128 <= 10 ms, T=1000 H=256 <= 300 ms), with the ratio to the previous
   step-by-step probe (one autograd node per step and gate) on the same example.
3. The probe for other cells and shapes at T=1000 (GRU, simple RNN, bidirectional, 2 layers).

Run: .venv/bin/python benchmarks/engine.py [--snapshot-only] [--repeats N]
"""
from __future__ import annotations

import copy
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task  # noqa: E402
from engine.lab.config import MAX_CELLS, LabConfig  # noqa: E402
from engine.lab.session import LabSession  # noqa: E402
from engine.network.probe import unroll  # noqa: E402


def plain_loop(model, task, batches, cfg: TrainConfig) -> float:
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    start = time.perf_counter()
    for inputs, targets in batches:
        opt.zero_grad(set_to_none=True)
        loss = task.loss(model(inputs), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_norm)
        opt.step()
    return time.perf_counter() - start


def trainer_loop(model, task, batches, cfg: TrainConfig) -> float:
    tr = Trainer(model, task, cfg)
    it = iter(batches)
    task_sample = task.sample_batch
    task.sample_batch = lambda n, g: next(it)  # same batches as the plain loop
    try:
        start = time.perf_counter()
        for _ in batches:
            tr.step()
        return time.perf_counter() - start
    finally:
        task.sample_batch = task_sample


def throughput(cell: str, steps: int = 300, rounds: int = 5) -> tuple[float, float]:
    task = make_task("adding", seq_len=50)
    cfg = TrainConfig(lr=1e-3, batch_size=32)
    g = torch.Generator().manual_seed(0)
    batches = [task.sample_batch(cfg.batch_size, g) for _ in range(steps)]
    base = build_model(ModelConfig(cell=cell, hidden_size=64), task)
    plain, ours = [], []
    for _ in range(rounds):  # interleave so machine noise hits both alike
        plain.append(plain_loop(copy.deepcopy(base), task, batches, cfg))
        ours.append(trainer_loop(copy.deepcopy(base), task, batches, cfg))
    return steps / statistics.median(plain), steps / statistics.median(ours)


def old_probe(model, inputs, targets) -> float:
    """The previous probe's work (step-by-step cells, autograd through every step), for the ratio."""
    x = model.embed(inputs)[0]
    out, states, _, _ = unroll(model, x)
    loss = model.task.loss(model.head_forward(out.unsqueeze(0)).outputs, targets)
    flat = [h for per_l in states for per_d in per_l for h in per_d]
    grads = torch.autograd.grad(loss, flat + list(model.parameters()), allow_unused=True)
    return sum(float(g.norm()) for g in grads[: len(flat)])


CPU_MS: list[float] = []  # process CPU time of the last timed() call's runs


def timed(fn, repeats: int) -> list[float]:
    """Wall-clock ms of each run (after a warm-up); CPU_MS gets the process CPU ms of each run, which
    a busy shared machine inflates less."""
    fn()  # warm-up
    out = []
    CPU_MS.clear()
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        CPU_MS.append((time.process_time() - cpu) * 1000)
    return out


def session_for(T: int, model: ModelConfig) -> LabSession:
    batch = max(1, min(32, MAX_CELLS // (T * model.hidden_size * model.num_directions * model.num_layers)))
    return LabSession(LabConfig(task="adding", task_params={"seq_len": T}, model=model,
                                train=TrainConfig(batch_size=batch)))


def fmt(ms: list[float]) -> str:
    return f"{statistics.median(ms):8.1f} ({min(ms):.1f}-{max(ms):.1f})"


def snapshot_grid(repeats: int) -> None:
    print("\nSnapshot (probe + default window's analyses), LSTM, adding task; wall ms median (min-max), "
          f"process CPU ms median; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'T':>5s} {'H':>4s} {'snapshot ms':>20s} {'cpu ms':>7s} {'old probe ms':>20s} {'speed-up':>9s}  goal")
    goals = {(100, 128): 10.0, (1000, 256): 300.0}
    for T in (20, 100, 1000):
        for H in (32, 128, 256):
            session = session_for(T, ModelConfig(cell="lstm", hidden_size=H))
            n = repeats if T < 1000 else max(3, repeats // 4)
            snap = timed(session.snapshot, n)
            cpu = statistics.median(CPU_MS)
            inputs, targets = session.example
            old = timed(lambda s=session, i=inputs, t=targets: old_probe(s.model, i, t), max(2, n // 4))
            goal = goals.get((T, H))
            met = goal is not None and statistics.median(snap) <= goal
            verdict = "" if goal is None else f"<= {goal:g} ms: {'met' if met else 'MISSED'}"
            ratio = statistics.median(old) / statistics.median(snap)
            print(f"{T:5d} {H:4d} {fmt(snap)} {cpu:7.1f} {fmt(old)} {ratio:8.1f}x  {verdict}")


def other_shapes(repeats: int) -> None:
    print("\nProbe at T=1000 for other cells and shapes; ms median (min-max)")
    shapes = [("gru", 256, 1, False), ("rnn_tanh", 256, 1, False), ("lstm", 128, 2, False),
              ("lstm", 128, 1, True), ("gru", 128, 2, True), ("gru", 480, 2, True)]
    for cell, H, L, bidir in shapes:
        cfg = ModelConfig(cell=cell, hidden_size=H, num_layers=L, bidirectional=bidir)
        session = session_for(1000, cfg)
        ms = timed(session.snapshot, max(3, repeats // 4))
        print(f"  {cell:8s} H={H:3d} layers={L} {'bidirectional' if bidir else 'one direction':14s} {fmt(ms)}"
              f"  cpu {statistics.median(CPU_MS):.1f}")


def main() -> None:
    torch.set_num_threads(1)
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 20
    if "--snapshot-only" not in sys.argv:
        print("Trainer.step vs plain PyTorch loop (adding T=50, H=64, batch 32, Adam + clipping)")
        print(f"{'cell':10s} {'plain steps/s':>14s} {'trainer steps/s':>16s} {'ratio':>7s}  goal >= 0.95")
        for cell in ("rnn_tanh", "gru", "lstm"):
            plain, ours = throughput(cell)
            print(f"{cell:10s} {plain:14.1f} {ours:16.1f} {ours / plain:7.3f}")
    snapshot_grid(repeats)
    other_shapes(repeats)


if __name__ == "__main__":
    main()
