"""View ranges and data thinning for live plots: ranges that stay put while the data move a little
(so axes are not re-rendered at every snapshot) and curves/marks thinned to the pixels they cover."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg


def nice_step(least: float) -> float:
    """The smallest 1-2-5 step (..., 0.5, 1, 2, 5, 10, ...) that is at least ``least`` (> 0)."""
    step = 10.0 ** math.floor(math.log10(least))
    return step * next(m for m in (1, 2, 5, 10) if m * step >= least)


def steady_range(lo: float, hi: float, slack: float = 0.5, keep_lo: bool = False) -> tuple[float, float]:
    """(lo, hi) widened by slack/4 of its span on either side and rounded out to a 1-2-5 step of
    about an eighth of the span: data that drift a little stay inside it, and it lands on ticks.
    ``keep_lo`` keeps the bottom where it is (bars that start at 0)."""
    span = hi - lo if hi > lo else max(abs(hi), 1.0) * 1e-3
    step = nice_step(span / 8)
    top = math.ceil((hi + slack / 4 * span) / step) * step
    bottom = lo if keep_lo else math.floor((lo - slack / 4 * span) / step) * step
    return bottom, top


def settle_y_range(plot, lo: float, hi: float, slack: float = 0.5, keep_lo: bool = False) -> bool:
    """Show y in (lo, hi) on a ``steady_range``, and keep the current range while it holds (lo, hi)
    and is at most ``1 + slack`` times as wide as the steady range would be; when the data leave it,
    grow it to hold both if that stays within the same bound. A range that stays put neither
    jitters from one update to the next nor re-renders its axis and grid (which costs a millisecond
    or two of the training thread's time, as the GUI holds Python's lock while drawing).
    Returns whether the range changed (never for non-finite data: the range stays)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return False
    bottom, top = steady_range(lo, hi, slack, keep_lo)
    widest = (1 + slack) * (top - bottom)
    vb = plot.getViewBox()
    cur_lo, cur_hi = vb.viewRange()[1]
    ours = vb.state["autoRange"][1] is False  # (a range we set, not one auto-range is about to replace)
    if ours and cur_hi - cur_lo <= widest:
        if cur_lo <= lo and hi <= cur_hi:
            return False
        grown = steady_range(min(lo, cur_lo), max(hi, cur_hi), slack, keep_lo)
        if grown[1] - grown[0] <= widest:  # data that swing back and forth stay in one range
            bottom, top = grown
    plot.setYRange(bottom, top, padding=0)
    return True


def downsample_to_pixels(curve: pg.PlotDataItem) -> None:
    """Draw a long curve (thousands of training steps) as its min and max per pixel column.

    Call after ``plot.addItem(curve)`` (addItem applies the plot's own downsampling settings). Peak
    downsampling keeps the envelope of a noisy curve; pyqtgraph's default of ~5 bins per pixel only
    draws 5x more segments into the same pixels (wide pens make each segment expensive)."""
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = 1.0  # (no setter in pyqtgraph 0.14)
    curve.setClipToView(True)


def history_curve(plot, pen=None, name: str | None = None) -> pg.PlotDataItem:
    """A curve for a training history: peak-downsampled to the pixels and drawn without
    antialiasing. Thousands of noisy segments, antialiased, cost ~10 ms per paint (paints hold
    Python's lock, so ~10% of the training speed at 10 redraws a second); one pixel wide and
    aliased they look the same. Pens should be 1 px wide (wider ones are slow in the same way)."""
    curve = pg.PlotDataItem(pen=pen, name=name, antialias=False)
    plot.addItem(curve)
    downsample_to_pixels(curve)
    return curve


def thin_marks(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """At most the lowest and the highest mark per bin of x (bins ~ pixel columns; x ascending, as
    training steps are): thousands of symbols a few pixels wide overlap into the same picture, and
    each costs time to place and draw. Linear time, no sorting."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) <= 2 * bins or x[-1] <= x[0]:
        return x, y
    b = np.minimum(((x - x[0]) / (x[-1] - x[0]) * bins).astype(np.intp), bins - 1)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])  # each bin's first mark
    counts = np.diff(np.r_[starts, len(x)])
    low = y == np.repeat(np.minimum.reduceat(y, starts), counts)
    high = y == np.repeat(np.maximum.reduceat(y, starts), counts)
    keep = low | high  # (ties keep a few more; callers pass finite marks)
    return x[keep], y[keep]


MIN_RUN_SPAN = 100.0  # steps: a young run is drawn on the first 100, filling the axis from the left
GROWTH = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)  # ends of a growing run's step axis


def grown_span(span: float) -> float:
    """The smallest of ``GROWTH`` (x 10^k) that is at least ``span`` (> 0): each is at most 1.25 times the
    one before, so a run shown over it fills at least 80% of the axis, which moves 13 times per decade."""
    scale = 10.0 ** math.floor(math.log10(span))
    return scale * next(m for m in GROWTH if m * scale >= span * (1 - 1e-12))


def run_range(steps) -> tuple[float, float] | None:
    """The x range that shows a whole training run (or the part of it the history keeps): its first
    step rounded down to a multiple of a 1-2-5 step of 10-25% of the run (of 100 steps at least), and a
    length of ``grown_span`` from there. While a run grows from its start, the axis moves 13 times per
    decade of steps (at steps 100, 125, 150, 175, 200, ...) instead of at every snapshot, so it neither jitters nor
    re-renders (and costs training time); a history that slides keeps its length and moves by a step
    of the first kind. The length is at least ``MIN_RUN_SPAN``: a run's first 100 steps fill a still
    axis from the left (a young run's axis would otherwise move at every other snapshot, and each move
    re-renders the axis and repaints the whole plot). None without finite steps."""
    steps = np.asarray(steps, dtype=np.float64)
    steps = steps[np.isfinite(steps)]
    if not steps.size:
        return None
    lo, hi = float(steps.min()), float(steps.max())
    quantum = nice_step(max(hi - lo, MIN_RUN_SPAN) / 10)
    start = max(math.floor(lo / quantum) * quantum, 0.0) if lo >= 0 else lo
    return start, start + max(grown_span(max(hi - start, 1.0)), MIN_RUN_SPAN)


def settle_step_range(plot, steps) -> bool:
    """x over the whole run (``run_range``); nothing to do (and nothing re-rendered) while neither
    that range nor the view moved since it was last set. Returns whether it was set."""
    x = run_range(steps)
    if x is None:
        return False
    view = tuple(plot.getViewBox().viewRange()[0])
    if getattr(plot, "_run_range", None) == (x, view):
        return False
    plot.setXRange(*x, padding=0.02)
    plot._run_range = (x, tuple(plot.getViewBox().viewRange()[0]))
    return True


def settle_views(view) -> None:
    """Apply the view-range changes of a pg.GraphicsView's plots now, not at the next paint.

    pyqtgraph defers a new range's transform to the start of the paint; the items that react to
    it (curves clipped and downsampled to the view, labels, axes) then dirty the plot again and a
    second paint follows. Settled here, one paint draws the final picture."""
    view.scene().prepareForPaint()
