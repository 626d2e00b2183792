"""CompareSession: two to four LabSessions that differ only in the model, trained side by side
(see engine.lab.compare_config for the variants). It has the interface the engine loop drives (``step``,
``snapshot``, ``state``, ``mark_rate``, ``steps_per_sec``)."""
from __future__ import annotations

import time
from dataclasses import replace

from engine.lab.compare_config import CompareSnapshot, check_seeds, plan_runs
from engine.lab.config import LabConfig
from engine.lab.session import LabSession, Snapshot

SEED_FIELDS = ("step", "loss", "metric")


class CompareSession:
    def __init__(self, cfg: LabConfig, variants, seeds: int = 1):
        """``seeds`` > 1: every configuration is also trained with the seeds after cfg's (weights and batches),
        and the snapshot carries every seed's curve; ``sessions`` are the first seed's runs (those shown)."""
        self.base = cfg
        plan = plan_runs(cfg, variants)
        self.variants, self.labels, models = plan.variants, plan.labels, plan.models
        self.seeds = tuple(cfg.train.seed + k for k in range(check_seeds(seeds)))
        self.groups = [[LabSession(replace(cfg, model=m, train=replace(cfg.train, seed=s))) for s in self.seeds]
                       for m in models]  # per configuration, per seed
        self.sessions = [group[0] for group in self.groups]
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
        for group in self.groups:
            for s in group:
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
        """One training step of every run (every seed), in turn; the stats of the first that diverged, else
        the last. A run's speed is its first seed's."""
        results = []
        for i, group in enumerate(self.groups):
            for s in group[1:]:
                results.append(s.step())
            s = group[0]
            start = time.perf_counter()
            results.append(s.step())
            dt = time.perf_counter() - start  # this run alone: GRU vs LSTM speed in practice
            self._step_seconds[i] = dt if not self._step_seconds[i] else 0.95 * self._step_seconds[i] + 0.05 * dt
        return next((r for r in results if r.diverged), results[-1])

    def run_steps_per_sec(self) -> tuple[float, ...]:
        return tuple(1.0 / t if t > 0 else 0.0 for t in self._step_seconds)

    def reset(self) -> None:
        for group in self.groups:
            for s in group:
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
            message=message, params=self.params, run_steps_per_sec=self.run_steps_per_sec(),
            seeds=self.seeds, seed_histories=self.seed_histories() if len(self.seeds) > 1 else ())

    def seed_histories(self) -> tuple:
        """Per run, per seed: its step, loss and metric arrays."""
        return tuple(tuple({k: v for k, v in s.trainer.history.arrays().items() if k in SEED_FIELDS} for s in group)
                     for group in self.groups)


__all__ = ["CompareSession"]
