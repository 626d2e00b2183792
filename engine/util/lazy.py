"""Import torch on first use, so that task and config metadata are readable without torch.

The window's process never runs a model; it reads task names, descriptions, parameter ranges and
presets, which live on the task classes. Task modules take ``torch`` and ``F`` from here: the real
module is imported the first time one of its attributes is used (sampling, setup, a loss).
"""
from __future__ import annotations

import functools
import importlib
import types


class LazyModule(types.ModuleType):
    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_real"] = None

    def _load(self):
        real = self.__dict__["_real"]
        if real is None:
            real = self.__dict__["_real"] = importlib.import_module(self.__name__)
        return real

    def __getattr__(self, attr):
        return getattr(self._load(), attr)


torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")


def no_grad(fn):
    """``@torch.no_grad()`` that imports torch only when the function runs."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch.no_grad():
            return fn(*args, **kwargs)

    return wrapper
