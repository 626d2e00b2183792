"""Attribution and training-timeline speed (engine side, one thread).

1. Integrated gradients, 64 steps, LSTM T=50 H=64 (adding task, one batched forward + backward over
   all 64 interpolants; refinement off so exactly 64 are timed). Goal: <= 100 ms.
   Gradient x input on the same model, for scale.
2. Re-probe at a checkpoint: LabSession.request_view_checkpoint + the snapshot showing it (a checkpoint
   not viewed before each time, so its weights are really loaded) vs a live snapshot of the same
   session. Goal: re-probe <= the snapshot time (the weights' load must cost next to nothing).
3. Checkpoint memory: bytes held after a 3,000-step run of the benchmark model, and the bound.

Run: .venv/bin/python benchmarks/analyses_attribution.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import ModelConfig, TrainConfig, build_model, make_task  # noqa: E402
from engine.analysis import attribution  # noqa: E402
from engine.lab.config import LabConfig  # noqa: E402
from engine.lab.session import LabSession  # noqa: E402
from engine.training.checkpoints import CHECKPOINT_BUDGET  # noqa: E402


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def integrated_gradients_ms(rounds: int = 15) -> tuple[float, float]:
    task = make_task("adding", seq_len=50)
    model = build_model(ModelConfig(cell="lstm", hidden_size=64), task)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(0))
    attribution(model, inputs, targets)  # warm-up
    ig = timed(lambda: attribution(model, inputs, targets, "integrated_gradients", steps=64,
                                   tolerance=None), rounds)
    gxi = timed(lambda: attribution(model, inputs, targets, "gradient_x_input"), rounds)
    return ig * 1000, gxi * 1000


def reprobe_vs_snapshot(rounds: int = 31) -> tuple[float, float, float, int, int]:
    """Median ms of a snapshot viewing a checkpoint not viewed before (weights loaded + probe) and of
    a live snapshot, interleaved so machine noise hits both alike."""
    cfg = LabConfig(task="adding", task_params={"seq_len": 50}, model=ModelConfig(cell="lstm", hidden_size=64),
                    train=TrainConfig(batch_size=32))
    s = LabSession(cfg)
    for _ in range(600):
        s.step()
    steps = list(s.trainer.checkpoints.steps)[:-1]
    s.snapshot()  # warm-up
    live, viewed, loads = [], [], []
    for i in range(rounds):
        s.request_view_checkpoint(step=None)
        start = time.perf_counter()
        s.snapshot()
        live.append(time.perf_counter() - start)
        start = time.perf_counter()
        s.request_view_checkpoint(step=steps[i * len(steps) // rounds])
        s.shown_model()  # loads the checkpoint's weights into the viewing copy
        loads.append(time.perf_counter() - start)
        s.snapshot()
        viewed.append(time.perf_counter() - start)
    s.request_view_checkpoint(step=None)
    for _ in range(2400):
        s.step()
    return (statistics.median(viewed) * 1000, statistics.median(live) * 1000, statistics.median(loads) * 1000,
            s.trainer.checkpoints.nbytes, len(s.trainer.checkpoints))


def main() -> None:
    torch.set_num_threads(1)
    ig, gxi = integrated_gradients_ms()
    print(f"integrated gradients, 64 steps, LSTM T=50 H=64: {ig:.1f} ms (goal <= 100 ms); "
          f"gradient x input {gxi:.2f} ms")
    re, snap, load, nbytes, count = reprobe_vs_snapshot()
    print(f"re-probe at a checkpoint (snapshot of it): {re:.2f} ms vs live snapshot {snap:.2f} ms "
          f"(ratio {re / snap:.2f}, goal <= 1 within noise); of which choosing the checkpoint and "
          f"loading its weights {load:.3f} ms")
    print(f"checkpoints after 3,000 steps: {count} holding {nbytes / 2**20:.2f} MB "
          f"(bound {CHECKPOINT_BUDGET // 2**20} MB for any model)")


if __name__ == "__main__":
    main()
