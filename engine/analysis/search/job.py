"""A fixed-point search run by the engine loop in slices, with its settings, progress and Cancel.

The window starts it (``LabSession.request_fixed_points``), asks for the next slice of ``FP_SLICE``
seconds until the status is no longer "running" (training goes on in between), and may cancel it.
A model change (rebuilt, reset, opened) stops it and the status says so. The settings of the last
search are kept (``settings``) so that a session file can store them with its result.
"""
from __future__ import annotations

import re
import time

import numpy as np

from engine.analysis.fixed_points import DEFAULTS, search_fixed_points
from engine.analysis.states import ZERO_INPUT

FP_SLICE = 0.15  # seconds of fixed-point search per request
IDLE = {"state": "idle", "fraction": 0.0, "text": ""}


def parse_x_star(task, x_const):
    """What the window sends as x* -> what ``search_fixed_points`` takes (ValueError says what is allowed).

    None: the task's default; "zero input..." (the choice's label): ``ZERO_INPUT``; a token; for
    real-valued tasks also a list of ``input_dim`` numbers or a text of them ("0.5, 1").
    """
    if x_const is None:
        return None
    if isinstance(x_const, str) and x_const.strip().lower().startswith(("zero input", "all-zero input")):
        return ZERO_INPUT
    if task.input_kind == "real":
        if isinstance(x_const, str):
            parts = [p for p in re.split(r"[,;\s\[\]]+", x_const.strip()) if p]
            try:
                x_const = [float(p) for p in parts]
            except ValueError:
                raise ValueError(f"x* must be {task.input_dim} numbers separated by commas (e.g. "
                                 f"{', '.join(['0'] * task.input_dim)}); got {x_const!r}") from None
        if not isinstance(x_const, (list, tuple, np.ndarray)):
            raise ValueError(f"x* must be {task.input_dim} numbers; got {x_const!r}")
        return [float(v) for v in x_const]
    if not isinstance(x_const, str):
        raise ValueError("x* must be a token of the task or 'zero input'")
    return x_const


class FixedPointJob:
    def __init__(self):
        self.gen = None
        self.result: dict | None = None
        self.status = dict(IDLE)
        self.settings: dict = {}
        self._step = 0

    def start(self, model, task, step: int, x_const=None, period: int = 1, n_starts: int = DEFAULTS["n_starts"],
              budget_s: float = DEFAULTS["budget_s"], q_tol: float = DEFAULTS["q_tol"],
              slow_tol: float = DEFAULTS["slow_tol"], iterate_steps: int = DEFAULTS["iterate_steps"]) -> dict:
        """Start a search of ``model`` (the one on screen) and run its first slice; returns the status."""
        x = parse_x_star(task, x_const)
        settings = {"x_const": x, "period": int(period), "n_starts": int(n_starts), "budget_s": float(budget_s),
                    "q_tol": float(q_tol), "slow_tol": float(slow_tol), "iterate_steps": int(iterate_steps)}
        self.gen = search_fixed_points(model, x, settings["n_starts"], seed=int(step), period=settings["period"],
                                       budget_s=settings["budget_s"], q_tol=settings["q_tol"],
                                       slow_tol=settings["slow_tol"], iterate_steps=settings["iterate_steps"])
        self._step, self.settings = int(step), settings
        self.status = {"state": "running", "fraction": 0.0, "text": "starting"}
        try:
            return self.advance()
        except ValueError:
            self.gen, self.status = None, dict(IDLE)
            raise

    def advance(self, slice_s: float = FP_SLICE) -> dict:
        """Run the search for about ``slice_s`` seconds; returns its status (running/done/idle/...)."""
        if self.gen is None:
            return dict(self.status)
        end = time.perf_counter() + slice_s
        try:
            while time.perf_counter() < end:
                fraction, text = next(self.gen)
                self.status = {"state": "running", "fraction": fraction, "text": text}
        except StopIteration as done:
            self.gen = None
            self.result = dict(done.value, step=self._step, settings=dict(self.settings))
            self.status = {"state": "done", "fraction": 1.0, "text": done.value["summary"]}
        return dict(self.status)

    def cancel(self) -> dict:
        if self.gen is not None:
            self.gen.close()
            self.gen = None
            self.status = {"state": "cancelled", "fraction": 0.0,
                           "text": "Search cancelled: nothing from it is shown. Press Find to search again."}
        return dict(self.status)

    def model_changed(self) -> None:
        """The model was rebuilt, reset or opened: a running search stops and says why; results go."""
        running = self.gen is not None
        if running:
            self.gen.close()
        self.gen, self.result = None, None
        self.status = ({"state": "stopped", "fraction": 0.0,
                        "text": "The search stopped: the model changed (new model, reset or opened session) "
                                "before it finished. Press Find to search the new one."}
                       if running else dict(IDLE))
