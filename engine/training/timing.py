"""How long one training step of a configuration takes, measured before the user trains.

``estimate_step_seconds`` runs one or two real steps (forward, backward, clipping, optimizer
update) on a copy of the model with a batch of the configured size, so the weights, the optimizer
state and the batch stream of the real run are untouched. The UI uses it to say "this will crawl"
before Train is pressed (issue 11).
"""
from __future__ import annotations

import copy
import time

import torch

from engine.config import TrainConfig
from engine.training.trainer import make_optimizer

SLOW_STEP_SECONDS = 1.0  # above this per step, the controls warn before training


def estimate_step_seconds(model, task, train_cfg: TrainConfig, budget_s: float = 0.3) -> float:
    """Seconds per training step of ``model`` on ``task`` with ``train_cfg``'s batch size and optimizer.

    The first step pays one-time costs (allocations, kernel choice); when it took less than half of
    ``budget_s`` a second step is timed and the faster of the two is returned. A step is never cut
    short: a configuration that takes 9 s per step takes 9 s to estimate (the caller may run it in
    the engine's worker and report it when done).
    """
    clone = copy.deepcopy(model, memo={id(task): task})  # the task is shared, not copied
    clone.train()
    params = [p for p in clone.parameters() if p.requires_grad]
    optimizer = make_optimizer(train_cfg, params)
    generator = torch.Generator().manual_seed(train_cfg.seed + 12345)  # not the trainer's stream
    max_norm = train_cfg.max_norm if train_cfg.clip else float("inf")
    times = []
    with torch.random.fork_rng(devices=[]):  # nothing here may move the global RNG either
        while len(times) < 2:
            inputs, targets = task.sample_batch(train_cfg.batch_size, generator)
            start = time.perf_counter()
            optimizer.zero_grad(set_to_none=True)
            loss = task.loss(clone(inputs), targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, max_norm)
            optimizer.step()
            times.append(time.perf_counter() - start)
            if times[0] >= budget_s / 2:
                break
    return min(times)
