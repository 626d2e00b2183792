"""Run a lesson without a window, step by step, as the window would, and check every ``expect``.

The session starts from the lesson's first configuration (its preset plus the first step's
settings); each step applies its configuration (a new model when the architecture changes, the same
weights when only training settings do), resets if it says so, trains ``run_steps`` steps (stopping
at a step that was not finite, as the window pauses there), measures, and judges.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from engine.lab.session import LabSession
from engine.lessons.measures import measure
from engine.lessons.outcome import Outcome, judge, namespace
from engine.lessons.schema import with_seed


@dataclass(frozen=True)
class StepResult:
    index: int
    values: dict
    outcome: Outcome | None  # None: nothing to check in this step
    trained: int  # training steps actually run
    seconds: float

    @property
    def ok(self) -> bool:
        return self.outcome is None or self.outcome.ok


def run_lesson(lesson, seed: int | None = None, report=None) -> list[StepResult]:
    """Every step of ``lesson`` (``seed`` replaces the seed of every step's configuration);
    ``report(result)`` after each step."""
    session = LabSession(with_seed(lesson.steps[0].config, seed))
    measured: dict = {}
    results = []
    for step in lesson.steps:
        start = time.perf_counter()
        session.configure(with_seed(step.config, seed))
        if step.reset:
            session.reset()
        trained = 0
        for _ in range(step.run_steps):
            trained += 1
            if session.step().diverged:
                break
        values = measure(session, step.measures)
        measured[step.index] = values
        outcome = judge(step, namespace(lesson, measured, step.index)) if step.expect else None
        result = StepResult(step.index, values, outcome, trained, time.perf_counter() - start)
        results.append(result)
        if report is not None:
            report(result)
    return results
