"""Analyses beyond the probe that ride along with a snapshot, computed in the engine.

Only what the GUI currently shows is computed (``wanted``), and the costly spectrum analysis is
rate-limited so that it never takes more than ``SPECTRUM_BUDGET`` of the training thread's time.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np

from engine.analysis import (
    analysis_dict,
    attribution,
    bptt_summary,
    counterfactual,
    gate_products,
    gate_statistics,
    spearman,
)
from engine.analysis.attribution import DEFAULT_BASELINE, METHOD_TITLES, METHODS, resolve_baseline
from engine.analysis.cell_step import CellWires
from engine.analysis.hidden_live import HiddenAnalyses
from engine.process import protocol as P

SPECTRUM_BUDGET = 0.1  # fraction of wall time the eigenvalue/Jacobian analysis may take
RADIUS_HISTORY = 2000  # points kept of the spectral radius over training
ATTRIBUTION_BUDGET = 0.1  # fraction of wall time attributions may take while training


class Analyses:
    def __init__(self):
        self.wanted: set[str] = set()  # "spectrum", "gate_stats", "counterfactual"
        self.counterfactual_request: tuple[int, object] | None = None
        self.radius_history: deque = deque(maxlen=RADIUS_HISTORY)  # (step, radius)
        self._spectrum = None
        self._spectrum_key = None
        self._next_spectrum = 0.0
        self.attribution_options = {"method": "integrated_gradients", "baseline": DEFAULT_BASELINE,
                                    "position": None}
        self._attribution, self._attribution_key, self._next_attribution = None, None, 0.0
        self.hidden = HiddenAnalyses()  # state space, fixed points, units, gate saturation
        self.cell_wires = CellWires()  # the cell view: every wire's values and dL/d(wire)

    def reset(self) -> None:
        """The model changed (rebuilt, reset, opened): history and cached results are stale."""
        self.radius_history.clear()
        self._spectrum, self._spectrum_key, self._next_spectrum = None, None, 0.0
        self.counterfactual_request = None
        self._attribution, self._attribution_key, self._next_attribution = None, None, 0.0
        self.hidden.reset()
        self.cell_wires.reset()

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
        return counterfactual(session.shown_model(), inputs, targets, position, value)

    def spectrum(self, session):
        viewing = session.timeline.viewing
        key = (session.timeline.step(session.trainer), session.example_key())
        now = time.perf_counter()
        if self._spectrum is not None and (key == self._spectrum_key or (
                session.state == "training" and now < self._next_spectrum)):  # paused: scrubbing shows each step
            return self._spectrum
        inputs, _ = session.example
        start = time.perf_counter()
        steps = [s for s, _ in self.radius_history]
        radii = [r for _, r in self.radius_history]
        result = analysis_dict(session.shown_model(), inputs, {"step": steps, "radius": radii})
        if viewing is None and np.isfinite(result["radius"]) and (not steps or steps[-1] != key[0]):
            self.radius_history.append((key[0], result["radius"]))
            result["radius_history"] = {"step": np.array([s for s, _ in self.radius_history], float),
                                        "radius": np.array([r for _, r in self.radius_history], float)}
        cost = time.perf_counter() - start
        self._spectrum, self._spectrum_key = result, key
        self._next_spectrum = start + cost / SPECTRUM_BUDGET
        return result

    def set_attribution_options(self, session, method=None, baseline=None, position=None) -> dict:
        """Validate and keep what the attribution panel explains; ValueError names a bad value."""
        opts = dict(self.attribution_options)
        if method is not None:
            if method not in METHODS:
                raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
            opts["method"] = method
        if baseline is not None:
            vocab = session.task.vocab if session.task.input_kind == "tokens" else ()
            if baseline not in ("zero", DEFAULT_BASELINE) and baseline not in vocab:
                raise ValueError(f"baseline must be 'zero' or one of the task's symbols; got {baseline!r}")
            opts["baseline"] = baseline
        if position is not None:
            if isinstance(position, bool) or not isinstance(position, int) or position < 0:
                raise ValueError(f"position must be a whole number >= 0; got {position!r}")
            opts["position"] = position
        self.attribution_options = opts
        return dict(opts)

    def attribution(self, session, trace):
        """Attribution of the shown example's output to its inputs (+ alpha_i and their rank correlation
        for an attention head). Recomputed when anything it depends on changes, at most
        ATTRIBUTION_BUDGET of the time while training."""
        opts, task = self.attribution_options, session.task
        inputs, targets = session.example
        T = inputs.shape[1]
        position = None
        if task.output_kind in ("per_step", "per_step_regression"):
            position = T - 1 if opts["position"] is None else min(opts["position"], T - 1)
        choice = opts["baseline"]
        if task.input_kind != "tokens" or (choice != "zero" and choice not in task.vocab):
            choice = DEFAULT_BASELINE  # real inputs, or a token of an earlier task: the task's default
        baseline, source = resolve_baseline(task, choice)
        model = session.shown_model()
        key = (id(model), session.timeline.step(session.trainer), session.example_key(), opts["method"],
               choice, baseline, position)
        now = time.perf_counter()
        if self._attribution is not None and (key == self._attribution_key or (
                session.state == "training" and now < self._next_attribution)):
            return self._attribution
        a = attribution(model, inputs, targets, opts["method"], baseline=baseline, position=position)
        payload = {
            "method": a.method, "method_title": METHOD_TITLES[a.method], "scores": np.array(a.scores),
            "tokens": list(a.tokens), "explained": a.explained, "position": a.position,
            "output": a.output, "baseline_output": a.baseline_output,
            "baseline": a.baseline if source == "chosen" else f"{a.baseline} ({source})",
            "baseline_short": short_baseline(choice, baseline),
            "baseline_choice": choice, "baseline_default": default_label(task), "steps": a.steps,
            "completeness_error": a.completeness_error, "completeness_gap": a.completeness_gap,
            "step": key[1], "attention": None, "spearman": None,
            "baselines": [DEFAULT_BASELINE, "zero"] + (list(task.vocab) if task.input_kind == "tokens" else []),
        }
        if trace.attention is not None and len(trace.attention) == T and T > 1:
            payload["attention"] = np.array(trace.attention, dtype=np.float64)
            payload["spearman"] = spearman(trace.attention, np.abs(a.scores))
        self._attribution, self._attribution_key = payload, key
        self._next_attribution = now + (time.perf_counter() - now) / ATTRIBUTION_BUDGET
        return payload


def short_baseline(choice, baseline) -> str:
    """The baseline in a few words for a figure's title: "neutral token 'the' (default)", "token 'x'", "zero"."""
    if choice == DEFAULT_BASELINE:
        return f"neutral token {baseline!r} (default)" if baseline is not None else "zero (default: no neutral token)"
    return "zero" if baseline is None else f"token {baseline!r}"


def default_label(task) -> str:
    """What the default baseline is, for the panel's choice: "neutral 'the'" or "zero (no neutral token)"."""
    token, _ = resolve_baseline(task)
    return f"neutral {token!r}" if token is not None else "zero (no neutral token)"


# key (PanelSpec.analysis) -> fn(analyses, session, trace) -> payload of plain values / numpy arrays, or None
ANALYSES = {
    "gate_stats": lambda a, s, trace: gate_statistics(trace.gates) if trace.gates else None,
    "counterfactual": lambda a, s, trace: a.run_counterfactual(s) if a.counterfactual_request is not None else None,
    "spectrum": lambda a, s, trace: a.spectrum(s),
    "attribution": lambda a, s, trace: a.attribution(s, trace),
    "gate_products": lambda a, s, trace: gate_products(s.shown_model(), trace),
    # BPTT's sum over time for layer 1: {param name: {"step", "running", "running_back": (T,), "total"}}
    "bptt": lambda a, s, trace: bptt_summary(s.shown_model(), *s.example),
    "state_space": lambda a, s, trace: a.hidden.state_space(s, trace),
    "units": lambda a, s, trace: a.hidden.units(s, trace),
    "gate_saturation": lambda a, s, trace: a.hidden.gate_saturation(s, trace),
    # the cell view: {"cell", "names", "values"/"grads": {wire: (L, D, T, n)}, "x_size", "loss", "step"}
    "cell_view": lambda a, s, trace: a.cell_wires(s, trace),
}
P.check_analysis_keys(ANALYSES, "engine.analysis.live.ANALYSES")
if set(ANALYSES) != P.ANALYSIS_KEYS:
    raise ValueError(f"analyses declared but not computed: {sorted(P.ANALYSIS_KEYS - set(ANALYSES))}")
