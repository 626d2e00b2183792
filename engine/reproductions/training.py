"""Training helpers the reproductions share: train one app model with progress, cancel and a
held-out learning curve, so that the model a reproduction trains is the one the window can keep."""
from __future__ import annotations

import numpy as np
import torch

from engine.lab.config import LabConfig, check_size
from engine.network.model import build_model
from engine.reproductions.base import Context
from engine.tasks import make_task
from engine.training.trainer import Trainer

EVAL_SEED = 777_000  # held-out batches are drawn from their own stream, never trained on


@torch.no_grad()
def evaluate(model, task, inputs, targets) -> float:
    """The task's metric of ``model`` on a held-out batch (eval mode, no gradients)."""
    was = model.training
    model.eval()
    try:
        return float(task.metric(model(inputs), targets))
    finally:
        model.train(was)


def held_out(task, size: int, seed: int):
    """(inputs, targets) of ``size`` examples from a stream the training never draws from."""
    return task.sample_batch(size, torch.Generator().manual_seed(EVAL_SEED + seed))


def set_forget_bias(model, value: float) -> None:
    """LSTM forget-gate bias b_if + b_hf = ``value`` in every layer (Gers et al. 2000; Jozefowicz
    et al. 2015): PyTorch initialises it near 0, which forgets within a few steps."""
    H = model.config.hidden_size
    with torch.no_grad():
        for name, p in model.encoder.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H].fill_(value)
            elif name.startswith("bias_hh"):
                p[H:2 * H].zero_()


def train(ctx: Context, label: str, cfg: LabConfig, steps: int, *, eval_every: int = 50,
          eval_size: int = 256, prepare=None, stop=None) -> dict:
    """Train ``cfg``'s model for ``steps`` steps; returns {"steps", "metric"} of the held-out curve
    (numpy), "final" (the last held-out metric), "trainer" and "task".

    ``prepare(model)`` may change the initial weights before the trainer copies them (the window's
    Reset goes back to those). ``stop(metric)`` True ends training early (solved). Progress goes to
    ``ctx`` every ``eval_every`` steps; a cancel there raises ``Cancelled``.
    """
    task = make_task(cfg.task, **cfg.task_params)
    check_size(cfg, task)
    model = build_model(cfg.model, task, seed=cfg.train.seed)
    if prepare is not None:
        prepare(model)
    trainer = Trainer(model, task, cfg.train)
    inputs, targets = held_out(task, eval_size, cfg.train.seed)
    xs, ys = [0], [evaluate(model, task, inputs, targets)]
    ctx.report(0.0, f"{label}: step 0 of {steps}")
    for i in range(1, steps + 1):
        trainer.step()
        if i % eval_every == 0 or i == steps:
            xs.append(i)
            ys.append(evaluate(model, task, inputs, targets))
            ctx.report(i / steps, f"{label}: step {i} of {steps}, held-out {task.metric_name} {ys[-1]:.4g}")
            if stop is not None and stop(ys[-1]):
                break
    ctx.trainers[label] = (trainer, cfg)
    return {"steps": np.array(xs, dtype=np.int64), "metric": np.array(ys, dtype=np.float64), "final": ys[-1],
            "trainer": trainer, "task": task}
