"""Timeline: which weights the snapshots show, the present or a checkpointed step of training.

Viewing a checkpoint loads its weights into a private copy of the model (once per viewed step), so
the model being trained, its optimizer and its batch stream are never touched: training resumes
from the present, and the snapshots return to it with the first training step.
"""
from __future__ import annotations

import copy

import numpy as np

from engine.training.checkpoints import CHECKPOINT_BUDGET, MIN_CHECKPOINTS


class Timeline:
    def __init__(self):
        self.viewing: int | None = None  # the checkpointed step shown, None = the present
        self._model = None  # copy of the trained model holding the viewed weights
        self._source = None  # the trained model it was copied from
        self._loaded: int | None = None  # step whose weights _model holds

    def present(self) -> None:
        self.viewing = None

    def view(self, trainer, step) -> dict:
        """Show the checkpoint nearest ``step`` (None: the present). ValueError without checkpoints."""
        if step is None:
            self.viewing = None
            return self.info(trainer)
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise ValueError(f"step must be a whole number; got {step!r}")
        cps = trainer.checkpoints
        if not cps.enabled:
            per = 4 * cps.num_params / 2**20
            raise ValueError(f"this model is too large for a training timeline: one checkpoint is {per:.0f} MB "
                             f"and {MIN_CHECKPOINTS} must fit in {CHECKPOINT_BUDGET // 2**20} MB")
        nearest = cps.nearest(int(step))
        self.viewing = None if nearest >= trainer.step_count else nearest
        return self.info(trainer)

    def model(self, trainer):
        """The model the snapshot probes: the trained one, or the copy holding the viewed checkpoint."""
        if self.viewing is None:
            return trainer.model
        if self._source is not trainer.model:
            self._model, self._source, self._loaded = copy.deepcopy(trainer.model), trainer.model, None
        if self._loaded != self.viewing:
            try:
                trainer.load_checkpoint(self.viewing, self._model)
            except ValueError:  # thinned away or reset meanwhile: back to the present
                self.viewing = None
                return trainer.model
            self._loaded = self.viewing
        return self._model

    def step(self, trainer) -> int:
        """The training step the snapshot shows."""
        return trainer.step_count if self.viewing is None else self.viewing

    def info(self, trainer) -> dict:
        """Plain data for the snapshot and the timeline slider."""
        cps = trainer.checkpoints
        return {"viewing": self.viewing, "present": trainer.step_count,
                "steps": np.array(cps.steps, dtype=np.int64), "enabled": cps.enabled,
                "label": self.label(trainer)}

    def label(self, trainer) -> str:
        if self.viewing is None:
            return f"step {trainer.step_count} (now)"
        return f"viewing step {self.viewing} of {trainer.step_count}"
