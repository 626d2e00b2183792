"""Engine speed, measured in one run on the same batches.

1. Trainer.step() throughput vs a plain hand-written PyTorch loop on the same model and batches
   (goal: >= 0.95x the plain loop's throughput).
2. One probe (LSTM, T=50, H=64: forward + backward with dL/dh_t) in milliseconds (goal: <= 10 ms).

Run: .venv/bin/python benchmarks/engine.py
"""
from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task, probe  # noqa: E402


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


def probe_ms(repeats: int = 50) -> list[float]:
    task = make_task("adding", seq_len=50)
    model = build_model(ModelConfig(cell="lstm", hidden_size=64), task)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(0))
    probe(model, x, y)  # warm-up
    times = []
    for _ in range(repeats):
        s = time.perf_counter()
        probe(model, x, y)
        times.append((time.perf_counter() - s) * 1000)
    return times


def main() -> None:
    torch.set_num_threads(1)
    print("Trainer.step vs plain PyTorch loop (adding T=50, H=64, batch 32, Adam + clipping)")
    print(f"{'cell':10s} {'plain steps/s':>14s} {'trainer steps/s':>16s} {'ratio':>7s}  goal >= 0.95")
    for cell in ("rnn_tanh", "gru", "lstm"):
        plain, ours = throughput(cell)
        print(f"{cell:10s} {plain:14.1f} {ours:16.1f} {ours / plain:7.3f}")
    t = probe_ms()
    print(f"\nprobe (LSTM, T=50, H=64, forward+backward): median {statistics.median(t):.2f} ms, "
          f"p90 {sorted(t)[int(0.9 * len(t))]:.2f} ms  goal <= 10 ms")


if __name__ == "__main__":
    main()
