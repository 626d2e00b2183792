"""RNN Lab engine: plain PyTorch + numpy, no Qt. Usable from a notebook or a script.

Names are imported on first use (PEP 562), so ``import engine.config`` or ``engine.tasks`` (task
metadata, configuration) does not import torch: the window's process reads those and never runs a
model. ``from engine import probe`` imports torch as before.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "CELLS": "config", "INITIAL_STATES": "config", "INITS": "config", "MERGES": "config", "OPTIMIZERS": "config",
    "ModelConfig": "config", "TrainConfig": "config",
    "SequenceModel": "network.model", "build_model": "network.model", "probe": "network.probe",
    "Session": "lab.files", "SessionError": "errors", "load_session": "lab.files", "save_session": "lab.files",
    "Task": "tasks", "list_tasks": "tasks", "make_task": "tasks",
    "Trace": "network.trace", "StepStats": "training.trainer", "Trainer": "training.trainer",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
