"""What the curves panel computes from a history: smoothing (EMA, running), short metric names and numbers, finite
points for log axes."""
from __future__ import annotations

import math
import warnings

import numpy as np

from widgets.parts.finite import finite_points
from widgets.training.history_events import last_divergence


def ema(values: np.ndarray, span: int) -> np.ndarray:
    """Exponential moving average over ``span`` steps (alpha = 2/(span+1)); NaN entries stay NaN
    and do not disturb the average. The first finite value starts it, so the start is not biased."""
    out = np.full(len(values), np.nan)
    if span <= 1:
        return np.asarray(values, dtype=np.float64).copy()
    alpha = 2.0 / (span + 1.0)
    acc = None
    for i, v in enumerate(np.asarray(values, dtype=np.float64).tolist()):
        if not math.isfinite(v):
            continue
        acc = v if acc is None else acc + alpha * (v - acc)
        out[i] = acc
    return out


class RunningEma:
    """``ema`` of a series that grows at the end (and, past the history's capacity, loses its oldest
    entries): only the new entries are averaged, the rest is taken from the previous call. When the
    new series does not continue the old one (a reset run, another span), it is computed afresh."""

    def __init__(self):
        self._last = None  # (span, steps, values, out, acc)

    def __call__(self, steps: np.ndarray, values: np.ndarray, span: int) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if span <= 1:
            return values.copy()
        out = self._continued(steps, values, span)
        if out is None:
            out = ema(values, span)
            finite = out[np.isfinite(out)]
            acc = float(finite[-1]) if finite.size else None
        else:
            out, acc = out
        self._last = (span, steps.copy(), values.copy(), out, acc)
        return out

    def _continued(self, steps, values, span):
        if self._last is None or self._last[0] != span or not len(steps) or not len(self._last[1]):
            return None
        _, old_steps, old_values, old_out, acc = self._last
        drop = int(np.searchsorted(old_steps, steps[0]))  # entries that fell off the front
        kept = len(old_steps) - drop
        if not 0 <= kept <= len(steps) or not np.array_equal(old_steps[drop:], steps[:kept]) or \
                not np.array_equal(old_values[drop:], values[:kept], equal_nan=True):
            return None
        alpha = 2.0 / (span + 1.0)
        new = np.full(len(values) - kept, np.nan)
        for i, v in enumerate(values[kept:].tolist()):
            if math.isfinite(v):
                acc = v if acc is None else acc + alpha * (v - acc)
                new[i] = acc
        return np.concatenate([old_out[drop:], new]), acc


SHORT_NAMES = {"bits per character": "bits/char", "token accuracy": "token acc."}


def loss_drawn_as_metric(loss, metric, name: str) -> str | None:
    """The metric plot's axis name when the metric is the loss itself and the loss plot would only repeat its
    curve: the loss (MSE: "loss = MSE"), or the loss in bits, cross-entropy / ln 2 (a language model's
    "bits/char"); None when the metric is a measure of its own (accuracy)."""
    loss, metric = np.asarray(loss, np.float64), np.asarray(metric, np.float64)
    if not len(loss) or len(loss) != len(metric):
        return None
    a, b = float(loss[-1]), float(metric[-1])  # (called per snapshot: the last step decides most histories at once)
    if math.isfinite(a) and math.isfinite(b) and a != b and not math.isclose(b * math.log(2), a, rel_tol=1e-4,
                                                                              abs_tol=1e-7):
        return None
    if np.array_equal(loss, metric, equal_nan=True):
        return f"loss = {short_name(name)}"
    ok = np.isfinite(loss) & np.isfinite(metric)
    both_nan = np.isnan(loss) == np.isnan(metric)
    if ok.any() and both_nan.all() and np.allclose(metric[ok] * math.log(2), loss[ok], rtol=1e-4, atol=1e-7):
        return short_name(name)  # (its tooltip says it is the loss / ln 2: a long axis name would not fit a stage)
    return None


def short_name(metric: str) -> str:
    """A metric's name short enough for a plot axis beside another plot, or a status-bar field."""
    return SHORT_NAMES.get(metric, metric if len(metric) <= 14 else metric[:13] + "…")


def short(v: float) -> str:
    """A number in at most ~7 characters: 0.693, 12.4, 6.3e-04."""
    return f"{v:.3g}" if v == 0 or 1e-2 <= abs(v) < 1e4 else f"{v:.1e}"


def finite_xy(x: np.ndarray, y: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Drop non-finite points (skipped steps), and non-positive ones on a log axis."""
    x, y = finite_points(x, y)
    return (x[y > 0], y[y > 0]) if log else (x, y)


def summary_text(history, steps, sl, sm, span: int, info: dict, loss_is_metric: bool) -> tuple[str, str, str]:
    """The curves header: (text, tooltip, theme colour key) for the latest step's (smoothed) loss and metric,
    whether the task is passed, or where the run diverged."""
    diverged = last_divergence(history)
    if diverged is not None:  # the run stopped there: say so first, in full
        return (diverged[1].replace("diverged", "Diverged", 1),
                diverged[1] + ". Training paused; the weights are the last finite ones.", "bad")
    ok = np.isfinite(steps) & np.isfinite(sl) & np.isfinite(sm)
    if not ok.any():
        return "no training steps yet", "", "foreground"  # not the last run's "passed" green
    i = int(np.flatnonzero(ok)[-1])
    name = info.get("metric", "metric")
    text = f"step {int(steps[i])} · loss {short(sl[i])}" + ("" if loss_is_metric else f" · {name} {short(sm[i])}")
    tip = text + (f", smoothed over {span} steps" if span > 1 else "")
    threshold = info.get("pass_threshold")
    color = "foreground"
    if threshold is not None:
        higher = info.get("higher_is_better", True)
        passed = sm[i] >= threshold if higher else sm[i] <= threshold
        text += " ✓ passed" if passed else ""
        tip += f". The task is passed at {name} {'≥' if higher else '≤'} {threshold:.3g}."
        color = "good" if passed else color
    return text, tip, color


def seed_band(curves) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, lowest, highest) over seeds at each step of ``curves`` (S, N); NaN where no seed has a value."""
    c = np.asarray(curves, dtype=np.float64)
    with warnings.catch_warnings():  # a step every seed skipped: NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(c, 0), np.nanmin(c, 0), np.nanmax(c, 0)
