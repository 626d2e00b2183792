"""Continue an opened session's training with other training settings, keeping its trained model.

``LabSession.configure`` builds a fresh model whenever the task's parameters, the seed or the
optimizer change (right for the window's controls: another setup). A researcher continuing a saved
run from the command line wants the trained weights kept and only the training changed: another
learning rate, batch size or clipping (as the window applies live), another batch stream (seed) or
another sequence length T (the same task with the same symbols and classes, so the same model reads
it). ``continue_with`` does that; a change that needs another model is a ValueError naming it.
"""
from __future__ import annotations

from dataclasses import replace

import torch

from engine.config import TrainConfig
from engine.tasks import make_task


def continue_with(session, train: TrainConfig, task_params: dict | None = None) -> None:
    """Apply ``train`` (and ``task_params``, e.g. another seq_len) to ``session`` without touching its
    weights or optimizer state. ValueError if the optimizer differs or the task would read other
    symbols or give other classes."""
    cfg = session.config
    if train.optimizer != cfg.train.optimizer:
        raise ValueError(f"the optimizer of an opened session is {cfg.train.optimizer} (its state is part "
                         "of the run); train a fresh model to use another")
    if task_params is not None and dict(task_params) != dict(cfg.task_params):
        task = make_task(cfg.task, **{**cfg.task_params, **task_params})
        old = session.task
        if (getattr(task, "vocab", None), tuple(task.classes), task.input_dim) != \
                (getattr(old, "vocab", None), tuple(old.classes), old.input_dim):
            raise ValueError("these task parameters change the symbols or classes the model was trained on")
        session.task = session.model.task = session.trainer.task = task
        cfg = replace(cfg, task_params=dict(task.params))
        session.typed_text = None
        session._refresh_example()
        session.analyses.reset()
    trainer = session.trainer
    trainer.set_lr(train.lr)
    trainer.set_clip(train.clip, train.max_norm)
    if train.seed != cfg.train.seed:  # another batch stream from here on (the weights stay)
        trainer.generator = torch.Generator().manual_seed(train.seed)
        trainer.eval_generator = torch.Generator().manual_seed(train.seed + 1)
    trainer.config = train
    session.config = replace(cfg, train=train)
