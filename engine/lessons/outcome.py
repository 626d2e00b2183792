"""What a step's run showed: its ``expect`` checked and its reveal filled in, from measured values.

Torch-free: the window judges the numbers the engine measured with the same code as ``--verify``.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.lessons.conditions import fill


@dataclass(frozen=True)
class Outcome:
    checks: tuple[tuple[str, bool], ...]  # ("grad_ratio 3.1e-07 < 0.01", True) per condition
    reveal: str  # the reveal with the measured numbers
    why: str

    @property
    def ok(self) -> bool:
        return all(held for _, held in self.checks)


def namespace(lesson, measured: dict, index: int) -> dict:
    """The values step ``index`` may use: its own ({name: value}) and every earlier step's with an id
    ({"rnn.metric": value}). ``measured``: {step index: {name: value}}."""
    out = {}
    for step in lesson.steps[:index]:
        if step.id and step.index in measured:
            out.update({f"{step.id}.{k}": v for k, v in measured[step.index].items()})
    out.update(measured.get(index, {}))
    return out


def judge(step, values: dict) -> Outcome:
    checks = []
    for cond in step.expect:
        try:
            held = cond.holds(values)
        except KeyError:
            held = False
        checks.append((cond.describe(values), held))
    return Outcome(tuple(checks), fill(step.reveal, values), fill(step.why, values))
