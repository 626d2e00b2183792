"""Analyses beyond the probe that ride along with a snapshot, computed in the engine.

Only what the GUI currently shows is computed (``wanted``), and the costly spectrum analysis is
rate-limited so that it never takes more than ``SPECTRUM_BUDGET`` of the training thread's time.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np

from .analysis import analysis_dict, bptt_summary, counterfactual, gate_statistics

SPECTRUM_BUDGET = 0.1  # fraction of wall time the eigenvalue/Jacobian analysis may take
RADIUS_HISTORY = 2000  # points kept of the spectral radius over training


class Analyses:
    def __init__(self):
        self.wanted: set[str] = set()  # "spectrum", "gate_stats", "counterfactual"
        self.counterfactual_request: tuple[int, object] | None = None
        self.radius_history: deque = deque(maxlen=RADIUS_HISTORY)  # (step, radius)
        self._spectrum = None
        self._spectrum_key = None
        self._next_spectrum = 0.0

    def reset(self) -> None:
        """The model changed (rebuilt, reset, opened): history and cached results are stale."""
        self.radius_history.clear()
        self._spectrum, self._spectrum_key, self._next_spectrum = None, None, 0.0
        self.counterfactual_request = None

    def force_next(self) -> None:
        """The next spectrum is computed now, for the current weights (an export must not show a stale one)."""
        self._next_spectrum = 0.0
        self._spectrum_key = None

    def compute(self, session, trace) -> dict:
        """{key: payload} of every wanted analysis; None says "nothing for this model or example"."""
        return {key: ANALYSES[key](self, session, trace) for key in sorted(self.wanted) if key in ANALYSES}

    def run_counterfactual(self, session):
        position, value = self.counterfactual_request
        inputs, targets = session.example
        if not 0 <= position < inputs.shape[1]:
            self.counterfactual_request = None
            return None
        return counterfactual(session.model, inputs, targets, position, value)

    def spectrum(self, session):
        key = (session.trainer.step_count, session.example_key())
        now = time.perf_counter()
        if self._spectrum is not None and (key == self._spectrum_key or now < self._next_spectrum):
            return self._spectrum
        inputs, _ = session.example
        start = time.perf_counter()
        steps = [s for s, _ in self.radius_history]
        radii = [r for _, r in self.radius_history]
        result = analysis_dict(session.model, inputs, {"step": steps, "radius": radii})
        if np.isfinite(result["radius"]) and (not steps or steps[-1] != key[0]):
            self.radius_history.append((key[0], result["radius"]))
            result["radius_history"] = {"step": np.array([s for s, _ in self.radius_history], float),
                                        "radius": np.array([r for _, r in self.radius_history], float)}
        cost = time.perf_counter() - start
        self._spectrum, self._spectrum_key = result, key
        self._next_spectrum = start + cost / SPECTRUM_BUDGET
        return result


# key (PanelSpec.analysis) -> fn(analyses, session, trace) -> payload of plain values / numpy arrays, or None
ANALYSES = {
    "gate_stats": lambda a, s, trace: gate_statistics(trace.gates) if trace.gates else None,
    "counterfactual": lambda a, s, trace: a.run_counterfactual(s) if a.counterfactual_request is not None else None,
    "spectrum": lambda a, s, trace: a.spectrum(s),
    # BPTT's sum over time for layer 1: {param name: {"step", "running", "running_back": (T,), "total"}}
    "bptt": lambda a, s, trace: bptt_summary(s.model, *s.example),
}
