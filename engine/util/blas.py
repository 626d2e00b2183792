"""Run numpy's small matrix products on one thread.

numpy's bundled OpenBLAS splits a matrix-vector product over every core once the matrix is large
enough (H >= ~400 for a gate block): on a busy 2-core machine that turns the probe's ~0.2 ms
product into ~10 ms, a thousand times per sequence. ``one_thread()`` sets OpenBLAS's thread count
for the calling thread only (``openblas_set_num_threads_local``, OpenBLAS >= 0.3.27) and restores it;
where that symbol is not found it does nothing.
"""
from __future__ import annotations

import contextlib
import ctypes
from pathlib import Path

import numpy as np

_SET_LOCAL = None


def _find():
    global _SET_LOCAL
    if _SET_LOCAL is None:
        _SET_LOCAL = False
        libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
        for path in sorted(libs.glob("*openblas*")) if libs.is_dir() else ():
            try:
                fn = ctypes.CDLL(str(path)).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
            _SET_LOCAL = fn
            break
    return _SET_LOCAL


@contextlib.contextmanager
def one_thread():
    fn = _find()
    if not fn:
        yield
        return
    previous = fn(1)
    try:
        yield
    finally:
        fn(previous)
