"""RNN Lab engine: plain PyTorch + numpy, no Qt. Usable from a notebook or a script.

Names are imported on first use (PEP 562), so ``import engine.config`` or ``engine.tasks`` (task
metadata, configuration) does not import torch: the window's process reads those and never runs a
model. ``from engine import probe`` imports torch as before.
"""
from __future__ import annotations

import importlib
import sys
import types

_EXPORTS = {
    "CELLS": "config", "INITIAL_STATES": "config", "INITS": "config", "MERGES": "config", "OPTIMIZERS": "config",
    "ModelConfig": "config", "TrainConfig": "config",
    "SequenceModel": "model", "build_model": "model", "probe": "probe",
    "Session": "session", "SessionError": "errors", "load_session": "session", "save_session": "session",
    "Task": "tasks", "list_tasks": "tasks", "make_task": "tasks",
    "Trace": "trace", "StepStats": "trainer", "Trainer": "trainer",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps ``engine.probe`` the function, as the eager ``from .probe import probe`` did: importing
    the submodule ``engine.probe`` (engine.analysis does) binds the module to the package's attribute
    ``probe``, after which ``from engine import probe`` would return the module."""

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name \
                and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
