"""CompareSession: two to four LabSessions that differ only in the model, trained side by side
(see engine.lab.compare_config for the variants). It has the interface the engine loop drives (``step``,
``snapshot``, ``state``, ``mark_rate``, ``steps_per_sec``)."""
from __future__ import annotations

import time
from dataclasses import replace

from engine.lab.compare_config import CompareSnapshot, plan_runs
from engine.lab.config import LabConfig
from engine.lab.session import LabSession, Snapshot


class CompareSession:
    def __init__(self, cfg: LabConfig, variants):
        self.base = cfg
        plan = plan_runs(cfg, variants)
        self.variants, self.labels, models = plan.variants, plan.labels, plan.models
        self.sessions = [LabSession(replace(cfg, model=m)) for m in models]
        self._state = "paused"
        self.params = tuple((sum(p.numel() for p in s.model.encoder.parameters()),
                             sum(p.numel() for p in s.model.parameters())) for s in self.sessions)
        self._step_seconds = [0.0] * len(self.sessions)  # per run: moving average of one step's time

    # ---- what the worker uses ------------------------------------------------------------
    @property
    def task(self):
        """The shared task (every run has an equal one)."""
        return self.sessions[0].task

    @property
    def configs(self) -> list[LabConfig]:
        return [s.config for s in self.sessions]

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        self._state = value
        for s in self.sessions:
            s.state = value

    @property
    def step_count(self) -> int:
        return self.sessions[0].trainer.step_count

    @property
    def steps_per_sec(self) -> float:
        return self.sessions[0].steps_per_sec  # the runs step in lockstep

    def mark_rate(self) -> None:
        for s in self.sessions:
            s.mark_rate()

    def step(self):
        """One training step of every run, in turn; the stats of the first that diverged, else the last."""
        results = []
        for i, s in enumerate(self.sessions):
            start = time.perf_counter()
            results.append(s.step())
            dt = time.perf_counter() - start  # this run alone: GRU vs LSTM speed in practice
            self._step_seconds[i] = dt if not self._step_seconds[i] else 0.95 * self._step_seconds[i] + 0.05 * dt
        return next((r for r in results if r.diverged), results[-1])

    def run_steps_per_sec(self) -> tuple[float, ...]:
        return tuple(1.0 / t if t > 0 else 0.0 for t in self._step_seconds)

    def reset(self) -> None:
        for s in self.sessions:
            s.reset()
        self.state = "paused"

    def new_example(self) -> None:
        for s in self.sessions:
            s.new_example()

    # ---- requests from the compare window (engine.process.loop) ----------------------------------
    def request_reset(self) -> None:
        self.reset()

    def request_new_example(self) -> None:
        self.new_example()

    def snapshot(self, message: str = "") -> CompareSnapshot:
        runs: tuple[Snapshot, ...] = tuple(s.snapshot() for s in self.sessions)
        return CompareSnapshot(
            runs=runs, labels=self.labels, variants=tuple(dict(v) for v in self.variants),
            step=self.step_count, state=self.state,
            steps_per_sec=self.steps_per_sec if self.state == "training" else 0.0,
            diverged=tuple(bool(s.trainer.last_stats and s.trainer.last_stats.diverged)
                           for s in self.sessions),
            message=message, params=self.params, run_steps_per_sec=self.run_steps_per_sec())


__all__ = ["CompareSession"]
