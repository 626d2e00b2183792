"""Held-out evaluations: the loss and metric of the model on data apart from its training batches, about
every ``EVERY`` steps (the curves panel's large dots; the command line's "held-out" lines).

What "held out" is depends on the task: a data file's validation rows (metric only: the rows come in
several lengths), the held-out end of a text (bits per character), or for a built-in task fresh
examples of a separate stream (drawn apart from the training batches, but not excluded from them: a
task with few possible sequences, as parity at T = 10 with 1,024, trains on all of them). The window's
evaluations use one fixed set of those examples (``generator`` seeded once), so successive dots compare
the model on the same data, and they never advance the trainer's own evaluation stream. A headless run
prints the same evaluations (``evaluate_now``), so its lines and its exported curves agree.
"""
from __future__ import annotations

import math

import numpy as np
import torch

EVERY = 250  # steps between the window's evaluations
FRESH = "fresh examples"  # a generating task's evaluation data: drawn apart from training, not excluded from it
SEED_OFFSET = 7_777  # the fixed evaluation examples: torch.Generator seeded with train seed + this


def held_out(task, trainer, generator: torch.Generator | None = None) -> tuple[float, float, str]:
    """(loss, metric, on what) of ``trainer.model`` on held-out data; loss is NaN where only the metric is
    defined (a data file's validation rows, a text's held-out end)."""
    model = trainer.model
    with torch.no_grad():
        if hasattr(task, "heldout_metric"):
            return math.nan, float(task.heldout_metric(model)), "the file's validation rows"
        if hasattr(task, "heldout_bits"):
            return math.nan, float(task.heldout_bits(model)), "the held-out text"
    result = trainer.evaluate(generator=generator)
    return result["loss"], result["metric"], FRESH


class HeldOutSeries:
    """The evaluations of one run, made as training passes each multiple of ``EVERY`` steps."""

    def __init__(self, every: int = EVERY):
        self.every = every
        self.rows: list[tuple[float, float, float]] = []  # (step, loss, metric)
        self.on = ""
        self._trainer = None

    def update(self, trainer) -> dict:
        """Evaluate if training passed another multiple of ``every`` since the last evaluation; a new
        trainer or a reset (steps went back) starts a new series. Returns ``arrays()``."""
        step = trainer.step_count
        self._follow(trainer)
        last = int(self.rows[-1][0]) // self.every if self.rows else 0
        if step // self.every > last:
            self.evaluate_now(trainer)
        return self.arrays()

    def evaluate_now(self, trainer) -> tuple[float, float, str]:
        """(loss, metric, on what) at the trainer's current step, on the same fixed examples as ``update``, kept
        in the series: the command line prints these, so its lines are the exported curves' held-out rows."""
        self._follow(trainer)
        step = float(trainer.step_count)
        if not (self.rows and self.rows[-1][0] == step):
            gen = torch.Generator().manual_seed(int(trainer.config.seed) + SEED_OFFSET)
            loss, metric, self.on = held_out(trainer.task, trainer, gen)
            self.rows.append((step, loss, metric))
        return self.rows[-1][1], self.rows[-1][2], self.on

    def _follow(self, trainer) -> None:
        """A new trainer or a reset (steps went back) starts a new series."""
        if trainer is not self._trainer or (self.rows and self.rows[-1][0] > trainer.step_count):
            self.rows, self._trainer = [], trainer

    def arrays(self) -> dict:
        e = np.array(self.rows, dtype=np.float64).reshape(-1, 3)
        return {"step": e[:, 0], "loss": e[:, 1], "metric": e[:, 2], "on": self.on, "every": self.every,
                "disjoint": self.on != FRESH}  # a file's validation rows, a text's end: never trained on
