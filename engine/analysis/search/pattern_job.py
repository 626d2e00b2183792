"""The pattern search (LSTMVis select-and-match, ``engine.analysis.units``) over a task's whole data set, run by
the engine loop in slices with progress and Cancel, as the fixed-point search is.

The query (the units above the threshold during steps t0..t1 of the example on screen) is fixed when the search
starts, and the search runs on a frozen copy of the model on screen, so training between slices changes nothing
it finds. Each batch of the data set (``search.dataset``) keeps only its best non-overlapping windows, which is
exact: windows of different sequences never overlap, so the best ``top`` of all are among the best ``top`` of
each batch. A sequence equal to the one on screen has the query's own windows left out.
"""
from __future__ import annotations

import copy
import time

import numpy as np

from engine.analysis.search.dataset import data_set
from engine.analysis.states import batch_states
from engine.analysis.units import best_windows, scored_windows

SLICE = 0.15  # seconds of search per request
IDLE = {"state": "idle", "fraction": 0.0, "text": ""}
CONTEXT = 8  # tokens shown either side of a match


def search_data_set(model, task, query: np.ndarray, t0: int, t1: int, threshold: float, layer: int,
                    direction: int, displayed, top: int = 10):
    """Generator: yields (fraction, text) after each batch; returns the result dict (see ``PatternSearchJob``).
    ``query`` (H,) bool: the pattern's units; ``displayed``: the inputs of the example on screen (ids or values)."""
    info, batches = data_set(task)
    w = t1 - t0 + 1
    if not np.asarray(query).any():  # no unit in the pattern: every window would tie at 0, nothing to match
        return {"units": np.flatnonzero(query), "length": w, "matches": [], "searched": 0, "total": info.size,
                "windows": 0, "data_set": info.description, "unit": info.unit}
    chosen: list[tuple[int, int, int]] = []
    texts: dict[int, list[str]] = {}
    searched = windows = 0
    shown = np.asarray(displayed)
    for numbers, inputs in batches():
        hidden = batch_states(model, inputs)["hidden"][layer, direction]  # (B, T, H)
        ids = inputs.numpy()
        rows = []
        for k, number in enumerate(numbers.tolist()):
            same = ids[k].shape == shown.shape and np.array_equal(ids[k], shown)
            rows += scored_windows(hidden[k], number, query, w, threshold, (t0, t1) if same else None)
            windows += max(0, ids.shape[1] - w + 1)
        chosen = best_windows([(s, b, i) for b, i, s in chosen] + rows, w, top)
        for k, number in enumerate(numbers.tolist()):
            if any(b == number for b, _, _ in chosen):
                texts[number] = task.render_inputs(inputs[k])
        texts = {b: texts[b] for b, _, _ in chosen}
        searched += len(numbers)
        yield searched / info.size, f"{searched:,} of {info.size:,} {info.unit}s searched"
    matches = []
    for b, start, score in chosen:
        toks = texts[b]
        matches.append({"example": b, "label": f"{info.label or info.unit} {b + 1}", "start": start, "score": score,
                        "before": toks[max(0, start - CONTEXT):start], "window": toks[start:start + w],
                        "after": toks[start + w:start + w + CONTEXT]})
    return {"units": np.flatnonzero(query), "length": w, "matches": matches, "searched": searched,
            "total": info.size, "windows": windows, "data_set": info.description, "unit": info.unit}


class PatternSearchJob:
    def __init__(self):
        self.gen = None
        self.status = dict(IDLE)
        self._query: dict = {}

    def start(self, model, task, trace, t0: int, t1: int, threshold: float, layer: int = 0, direction: int = 0,
              step: int = 0, top: int = 10, first_slice: float = SLICE) -> dict:
        """Search the data set for steps t0..t1 of ``trace`` (the example on screen) and run the first slice."""
        L, D, T = trace.hidden.shape[:3]
        if not (0 <= int(layer) < L and 0 <= int(direction) < D):
            raise ValueError(f"choose a layer from 1 to {L}" + (" and a direction" if D > 1 else ""))
        if not -1.0 <= float(threshold) <= 1.0:
            raise ValueError(f"the threshold must be from -1 to 1; got {threshold}")
        t0, t1 = int(t0), int(t1)
        if not 0 <= t0 <= t1 < T:
            raise ValueError(f"select a range inside the sequence: 1 <= start <= end <= {T}")
        query = (np.asarray(trace.hidden[layer, direction][t0:t1 + 1]) > threshold).all(0)  # (H,)
        # a frozen copy (sharing the task and its data): training between slices must not change what is searched
        frozen = copy.deepcopy(model, memo={id(model.task): model.task}).eval()
        self.close()
        self.gen = search_data_set(frozen, task, query, t0, t1, float(threshold), int(layer), int(direction),
                                   np.asarray(trace.input_values), top)
        self._query = {"query": list(trace.tokens[t0:t1 + 1]), "t0": t0, "t1": t1, "threshold": float(threshold),
                       "layer": int(layer), "direction": int(direction), "step": int(step), "scope": "data set"}
        self.status = {"state": "running", "fraction": 0.0, "text": "starting"}
        return self.advance(first_slice)

    def advance(self, slice_s: float = SLICE) -> dict:
        """Run the search for about ``slice_s`` seconds (at least one batch); returns its status ("done" carries
        the result)."""
        if self.gen is None:
            return dict(self.status)
        end = time.perf_counter() + slice_s
        try:
            while True:
                fraction, text = next(self.gen)
                self.status = {"state": "running", "fraction": fraction, "text": text}
                if time.perf_counter() >= end:
                    break
        except StopIteration as done:
            self.gen = None
            result = dict(done.value, **self._query)
            self.status = {"state": "done", "fraction": 1.0, "text": f"{result['searched']:,} of "
                           f"{result['total']:,} {result['unit']}s searched", "result": result}
        return dict(self.status)

    def cancel(self) -> dict:
        if self.gen is not None:
            self.close()
            self.status = {"state": "cancelled", "fraction": 0.0, "text": f"Search cancelled ({self.status['text']}):"
                           " nothing from it is shown."}
        return dict(self.status)

    def model_changed(self) -> None:
        """A new model or task: a running search stops and says why."""
        if self.gen is not None:
            self.close()
            self.status = {"state": "stopped", "fraction": 0.0, "text": "The search stopped: the model or task "
                           "changed before it finished. Press Search again."}
        else:
            self.status = dict(IDLE)

    def close(self) -> None:
        if self.gen is not None:
            self.gen.close()
            self.gen = None
