"""Only finite numbers reach a plot item: a model that overflowed (a diverged run, a ReLU network whose
states grew past float32) hands the panels NaN and inf, and pyqtgraph items fed them fail in their paint
(a scatter of NaN points has no bounds: numpy's "All-NaN slice" warning, raised inside Qt's paint of the
item) or set a range that cannot be drawn. The panels filter with these and say what they left out.
"""
from __future__ import annotations

import numpy as np


def finite_points(x, y, *more):
    """``x``, ``y`` (and ``more`` arrays of the same length: brushes, sizes) where x and y are both finite."""
    x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    return (x[ok], y[ok], *((m if isinstance(m, np.ndarray) else np.asarray(m, dtype=object))[ok] for m in more))


def finite_path(x, y, connect):
    """A path's points without the non-finite ones, ``connect`` (True: a line to the next point) broken
    around each point left out, so no line jumps over the gap."""
    x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    joined = np.asarray(connect, dtype=bool) & ok & np.r_[ok[1:], False]
    return x[ok], y[ok], joined[ok]


def finite_span(values, default=(0.0, 1.0)) -> tuple[float, float]:
    """(min, max) of the finite ``values``, or ``default`` when there is none."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    return (float(v.min()), float(v.max())) if v.size else default
