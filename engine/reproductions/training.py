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

EVAL_SEED = 777_000  # evaluation batches come from their own stream (train counts which the training drew too)


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
    """(inputs, targets) of ``size`` examples from a stream the training never draws from (its examples can
    still be among the training's when the task has few: parity of 5 bits has 32 strings)."""
    return task.sample_batch(size, torch.Generator().manual_seed(EVAL_SEED + seed))


def row_keys(inputs) -> list[bytes]:
    """One key per example of a batch (its inputs' bytes), to tell which examples training also drew."""
    x = inputs.detach().cpu().numpy()
    return [x[i].tobytes() for i in range(len(x))]


def eval_name(metric: str, runs) -> str:
    """What the curves' metric is, from what the runs measured: "held-out accuracy" when no evaluation
    example was drawn in training, else "accuracy on fresh examples" (drawn apart, but also trained on)."""
    return f"held-out {metric}" if all(r["eval_seen"] == 0 for r in runs) else f"{metric} on fresh examples"


def eval_column(metric: str, runs) -> str:
    """The CSV column of the curves: held_out_accuracy, accuracy_on_fresh_examples."""
    return eval_name(metric, runs).replace(" ", "_").replace("-", "_")


def overlap_text(run: dict, unit: str = "examples") -> str:
    """"256 fresh examples, none of them drawn in training" or "... 512 of them (32 different) also drawn in
    training": the evaluation set as the run measured it."""
    seen = (f"{run['eval_seen']:,} of them ({run['eval_distinct_seen']:,} different) also drawn in training"
            if run["eval_seen"] else "none of them drawn in training")
    return f"{run['eval_size']:,} fresh {unit}, {seen}"


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
    """Train ``cfg``'s model for ``steps`` steps; returns {"steps", "metric"} of the evaluation curve
    (numpy), "final" (its last metric), "trainer", "task", and "eval_size", "eval_seen" (how many of the
    evaluation examples the training also drew: 0 for held-out data) and "eval_distinct_seen".

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
    keys, drawn, draw = row_keys(inputs), set(), task.sample_batch

    def recorded(batch_size, generator):  # the training's batches, to count the evaluation examples among them
        batch = draw(batch_size, generator)
        if generator is trainer.generator:
            drawn.update(row_keys(batch[0]))
        return batch

    task.sample_batch = recorded
    try:
        xs, ys = [0], [evaluate(model, task, inputs, targets)]
        ctx.report(0.0, f"{label}: step 0 of {steps}")
        for i in range(1, steps + 1):
            trainer.step()
            if i % eval_every == 0 or i == steps:
                xs.append(i)
                ys.append(evaluate(model, task, inputs, targets))
                name = eval_name(task.metric_name, [{"eval_seen": sum(k in drawn for k in keys)}])
                ctx.report(i / steps, f"{label}: step {i} of {steps}, {name} {ys[-1]:.4g}")
                if stop is not None and stop(ys[-1]):
                    break
    finally:
        del task.sample_batch  # (the window may keep training this task: no more recording)
    ctx.trainers[label] = (trainer, cfg)
    return {"steps": np.array(xs, dtype=np.int64), "metric": np.array(ys, dtype=np.float64), "final": ys[-1],
            "trainer": trainer, "task": task, "eval_size": len(keys), "eval_seen": sum(k in drawn for k in keys),
            "eval_distinct_seen": len(set(keys) & drawn)}
