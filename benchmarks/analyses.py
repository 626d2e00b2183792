"""Hidden-state analyses, timed (called by benchmarks/engine.py; runs on its own too).

1. Fixed-point search (engine.analysis.fixed_points, default settings: 64 starts, 3 s budget) on a
   GRU with H = 64 trained 300 steps on sentiment (goal: <= 3 s, without hitting the budget).
2. PCA refit of the state-space panel: the states of its 32-example reference batch
   (engine.analysis.batch_states) and the SVD (fit_pca), for LSTM H = 64 on charlm (T = 64).

Run: .venv/bin/python benchmarks/analyses.py
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import Trainer, build_model, make_task  # noqa: E402
from engine.analysis import batch_states, fit_pca, fixed_points  # noqa: E402
from engine.tasks import preset_configs  # noqa: E402


def trained(task_name: str, steps: int, **model_overrides):
    task = make_task(task_name)
    model_cfg, train_cfg, _ = preset_configs(task)
    trainer = Trainer(build_model(replace(model_cfg, **model_overrides), task, seed=0), task, train_cfg)
    for _ in range(steps):
        trainer.step()
    return task, trainer.model


def bench_fixed_points(repeats: int = 3) -> None:
    _, model = trained("sentiment", 300, cell="gru", hidden_size=64)
    fixed_points(model, n_starts=4, max_iters=10)  # warm-up (first autograd/linalg calls)
    times, result = [], None
    for seed in range(repeats):
        start = time.perf_counter()
        result = fixed_points(model, seed=seed)
        times.append(time.perf_counter() - start)
    print(f"fixed-point search, GRU H=64 (sentiment, 64 starts): median {statistics.median(times):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)}; goal <= 3 s)"
          f"{'; stopped at the 3 s budget' if result['timed_out'] else ''}")
    print(f"  last run: {result['summary']}")


def bench_pca(repeats: int = 5) -> None:
    task, model = trained("charlm", 50, hidden_size=64)
    inputs, _ = task.sample_batch(32, torch.Generator().manual_seed(0))
    states_t, fit_t = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        st = batch_states(model, inputs)
        mid = time.perf_counter()
        fit_pca(st["hidden"][0, 0], 3)
        states_t.append(mid - start)
        fit_t.append(time.perf_counter() - mid)
    print(f"PCA refit, LSTM H=64, 32 examples x T=64: states {1000 * statistics.median(states_t):.1f} ms "
          f"+ SVD {1000 * statistics.median(fit_t):.1f} ms (median of {repeats})")


def main() -> None:
    torch.set_num_threads(1)
    bench_fixed_points()
    bench_pca()


if __name__ == "__main__":
    main()
