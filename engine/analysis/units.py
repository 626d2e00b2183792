"""Units that mean something (Karpathy, Johnson & Fei-Fei 2015; LSTMVis, Strobelt et al. 2016).

``task_features`` computes, from the inputs alone, per-step quantities a network must track to
solve its task (Dyck-1 depth, parity so far, the adding problem's running sum, characters since
the last space, ...), each (B, T). ``rank_units`` sorts hidden units by the absolute Pearson
correlation of their value with a feature over every step of a batch. ``pattern_search`` is
LSTMVis's select-and-match: the units above a threshold over a selected time range form a set,
and every other window of the same length is scored by how many of those units it shares minus
how many others it switches on.
"""
from __future__ import annotations

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view


def _tokens(task, inputs) -> np.ndarray:
    return np.asarray(inputs.numpy() if isinstance(inputs, torch.Tensor) else inputs)


def task_features(task, inputs) -> dict[str, np.ndarray]:
    """{feature name: (B, T) float64} for a batch of inputs (B, T) or (B, T, F); always "position"."""
    x = _tokens(task, inputs)
    B, T = x.shape[:2]
    feats: dict[str, np.ndarray] = {}
    if task.name == "parity":
        ones = np.cumsum(x == task.vocab.index("1"), axis=1)
        feats["parity so far (count of 1s mod 2)"] = ones % 2
        feats["count of 1s so far"] = ones
    elif task.name == "dyck1":
        feats["depth (open brackets)"] = np.cumsum(np.where(x == task.vocab.index("("), 1, -1), axis=1)
    elif task.name == "adding":
        feats["running sum of marked values"] = np.cumsum(x[..., 0] * (x[..., 1] > 0.5), axis=1)
        feats["markers seen"] = np.cumsum(x[..., 1] > 0.5, axis=1)
    elif is_text(task):  # the built-in text and a user's text file alike
        feats.update(text_features(task, x))
    elif task.name == "sentiment":
        eff = task.effective_polarity(torch.as_tensor(x)).numpy()
        feats["running polarity (+1 good, -1 bad)"] = np.cumsum(eff, axis=1)
    elif task.name == "temporal_order":
        feats["X seen"] = np.cumsum(x == task.vocab.index("X"), axis=1)
        feats["Y seen"] = np.cumsum(x == task.vocab.index("Y"), axis=1)
    elif task.name == "copy_memory":
        feats["after the delimiter"] = np.cumsum(x == task.vocab.index(":"), axis=1)
    feats["position t"] = np.broadcast_to(np.arange(T, dtype=np.float64), (B, T)).copy()
    return {k: np.asarray(v, np.float64) for k, v in feats.items()}


def unit_correlations(states: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation of each unit (..., H) with ``feature`` (...) over all steps; 0 if constant."""
    h = np.asarray(states, np.float64).reshape(-1, states.shape[-1])  # (N, H)
    f = np.asarray(feature, np.float64).reshape(-1)  # (N,)
    h = h - h.mean(0)
    f = f - f.mean()
    denom = np.sqrt((h * h).sum(0) * (f * f).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (h * f[:, None]).sum(0) / denom
    return np.where(denom > 1e-12, r, 0.0)


def rank_units(states: np.ndarray, feature: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, correlations): units by decreasing |correlation| with ``feature``; corr (H,) signed."""
    r = unit_correlations(states, feature)
    return np.argsort(-np.abs(r), kind="stable"), r


def pattern_search(states, example: int, t0: int, t1: int, threshold: float, top: int = 10) -> dict:
    """LSTMVis select-and-match over ``states``: (B, T, H), or a list of (T_i, H) sequences.

    The query is steps t0..t1 (inclusive) of ``example``: its set S holds the units above
    ``threshold`` at every step of the range. Each window of the same length elsewhere (every
    example, every start; windows overlapping the query excluded) has its own set A; score =
    |A & S| - |A - S|. Of overlapping windows of one example only the best is listed. Returns
    {"units": S indices, "matches": (M, 3) int [example, start, score] best first, "length": w}; no
    matches when S is empty (every window would tie at 0: nothing is matched).
    """
    seqs = [np.asarray(s) for s in states]
    if not 0 <= example < len(seqs):
        raise ValueError(f"no example {example}")
    T = len(seqs[example])
    if not 0 <= t0 <= t1 < T:
        raise ValueError(f"select a range inside the sequence: 1 <= start <= end <= {T}")
    w = t1 - t0 + 1
    query = (seqs[example][t0:t1 + 1] > threshold).all(0)  # (H,)
    rows = []
    for b, seq in enumerate(seqs if query.any() else ()):  # no unit in the pattern: nothing to match
        rows += scored_windows(seq, b, query, w, threshold, (t0, t1) if b == example else None)
    matches = np.array(best_windows(rows, w, top), dtype=np.int64).reshape(-1, 3)
    return {"units": np.flatnonzero(query), "matches": matches, "length": w}


def scored_windows(seq, example: int, query, w: int, threshold: float, exclude=None) -> list[tuple]:
    """[(score, example, start)] of every window of ``w`` steps of one sequence (T, H); ``exclude`` (t0, t1):
    the query itself, whose window and those overlapping it are left out."""
    if len(seq) < w:
        return []
    active = sliding_window_view(np.asarray(seq) > threshold, w, axis=0).all(-1).astype(np.float64)  # (n, H)
    score = active @ query - active @ ~query  # shared minus extra active units
    if exclude is not None:
        score[max(0, exclude[0] - w + 1):exclude[1] + 1] = -np.inf  # not the query, nor windows overlapping it
    return [(score[i], example, i) for i in range(len(score)) if np.isfinite(score[i])]


def best_windows(rows, w: int, top: int) -> list[tuple[int, int, int]]:
    """[(example, start, score)]: the best ``top`` of ``rows`` (score, example, start), best first (ties: lower
    example, then earlier start); a window overlapping a better one of the same example is skipped."""
    rows = sorted(rows, key=lambda r: (-r[0], r[1], r[2]))
    chosen: list[tuple[int, int, int]] = []
    for sc, b, i in rows:
        if len(chosen) == top:
            break
        if all(b != cb or abs(i - ci) >= w for cb, ci, _ in chosen):
            chosen.append((int(b), int(i), int(sc)))
    return chosen


def is_text(task) -> bool:
    """A character language model: the built-in text or a user's .txt file."""
    from engine.tasks.charlm import CharLMTask

    return isinstance(task, CharLMTask)


def symbol_index(task, *labels: str) -> int | None:
    """The vocabulary index of the first of ``labels`` the task has (a space is " " in the built-in
    alphabet and "␣" in a file's vocabulary), or None."""
    return next((task.vocab.index(s) for s in labels if s in task.vocab), None)


def text_features(task, x: np.ndarray) -> dict[str, np.ndarray]:
    """Character features of a text (B, T) of ids: the position since the last space, inside quotes,
    at a space, after a line break: each only when the text has the symbol."""
    B, T = x.shape[:2]
    feats: dict[str, np.ndarray] = {}
    space = symbol_index(task, " ", "\u2423")
    if space is not None:
        since = np.zeros((B, T))
        run = np.zeros(B)
        for t in range(T):
            run = np.where(x[:, t] == space, 0, run + 1)
            since[:, t] = run
        feats["position since the last space"] = since
    quote = symbol_index(task, '"')
    if quote is not None:
        feats["inside quotes"] = np.cumsum(x == quote, axis=1) % 2
    if space is not None:
        feats["at a space"] = (x == space).astype(np.float64)
    newline = symbol_index(task, "\n", "\u21b5")
    if newline is not None:
        feats["at a line break"] = (x == newline).astype(np.float64)
    return feats
