"""Classic results, reproduced: one module per published result (``engine.reproductions.base``
describes the shape), registered in ``engine.reproductions.registry``; ``reproduce`` runs one by name.

Names are imported on first use (as ``engine`` does), so that the window's process can unpickle an
``Outcome`` and read a ``Figure`` (``base``, ``figure``: numpy only) without importing torch.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "Cancelled": "base", "Context": "base", "Outcome": "base", "Reproduction": "base", "Verdict": "base",
    "RESULTS": "registry", "catalog": "registry", "get_result": "registry", "list_results": "registry",
    "reproduce": "runner",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'engine.reproductions' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
