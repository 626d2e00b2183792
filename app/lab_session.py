"""LabSession: the engine side of the app (no Qt): task, model, trainer and the displayed example.

The worker thread owns one LabSession and is the only caller of its methods while the window
runs; the CLI and the tests drive it directly. ``snapshot()`` returns an immutable ``Snapshot``
of numpy data for the panels.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from engine import (
    ModelConfig,
    SessionError,
    TrainConfig,
    Trainer,
    build_model,
    load_session,
    make_task,
    probe,
    save_session,
)
from engine.tasks import preset_configs

from .analyses import Analyses

MAX_CELLS = 2_000_000  # batch * seq_len * hidden * directions * layers: beyond this the UI refuses


@dataclass(frozen=True)
class LabConfig:
    """Everything a user chooses: the task and its parameters, the model and the training."""

    task: str = "adding"
    task_params: dict = field(default_factory=dict)
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()

    def to_dict(self) -> dict:
        return {"task": self.task, "task_params": dict(self.task_params),
                "model": self.model.to_dict(), "train": self.train.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> LabConfig:
        if not isinstance(d, dict):
            raise ValueError("configuration must be a mapping")
        params = d.get("task_params", {})
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            raise ValueError("task_params must be a mapping from parameter names to values")
        cfg = cls(task=str(d.get("task", "adding")), task_params=dict(params),
                  model=ModelConfig.from_dict(d.get("model", {})), train=TrainConfig.from_dict(d.get("train", {})))
        make_task(cfg.task, **cfg.task_params)  # validates task and parameters
        return cfg

    @classmethod
    def for_task(cls, name: str, **params) -> LabConfig:
        """The task's recommended preset."""
        task = make_task(name, **params)
        model, train, _ = preset_configs(task)
        return cls(task=name, task_params=dict(task.params), model=model, train=train)


def check_size(cfg: LabConfig, task) -> None:
    """Refuse configurations that would allocate enough to freeze the machine."""
    # the longest sequence: seq_len, or more when the task adds to it (copy memory: T + 2K)
    sampled = task.sample_batch(1, torch.Generator().manual_seed(0))[0].shape[1]
    T = max(int(task.params.get("seq_len", 0)), sampled)
    m = cfg.model
    cells = cfg.train.batch_size * T * m.hidden_size * m.num_directions * m.num_layers
    if cells > MAX_CELLS:
        raise ValueError(f"batch size x sequence length x hidden size x directions x layers = {cells:,} "
                         f"is above the limit of {MAX_CELLS:,}; make one of them smaller")


@dataclass(frozen=True)
class Snapshot:
    """What the panels draw: the probed example, the training history and labels."""

    trace: object  # engine.Trace
    history: dict  # History.arrays()
    step: int
    loss: float
    metric: float
    steps_per_sec: float
    state: str  # "paused", "training", "diverged"
    config: dict  # LabConfig.to_dict()
    task_info: dict
    example_source: str  # "random" or "typed"
    message: str = ""
    analysis: dict = field(default_factory=dict)  # app.analyses: spectrum, gate_stats, counterfactual


class LabSession:
    def __init__(self, cfg: LabConfig | None = None):
        self.example_seed = 0
        self.typed_text: str | None = None
        self.state = "paused"
        self._rate = (time.perf_counter(), 0)
        self.steps_per_sec = 0.0
        self.analyses = Analyses()
        self.configure(cfg or LabConfig.for_task("adding"))

    # ---- configuration -----------------------------------------------------------------
    def configure(self, cfg: LabConfig) -> str:
        """Apply a configuration; returns "rebuilt" (new model) or "live" (same weights)."""
        task = make_task(cfg.task, **cfg.task_params)
        check_size(cfg, task)
        old = getattr(self, "config", None)
        rebuild = (old is None or old.task != cfg.task or old.task_params != task.params
                   or old.model != cfg.model or old.train.seed != cfg.train.seed
                   or old.train.optimizer != cfg.train.optimizer)
        cfg = replace(cfg, task_params=dict(task.params))
        if rebuild:
            self.task = task
            self.model = build_model(cfg.model, task, seed=cfg.train.seed)
            self.trainer = Trainer(self.model, task, cfg.train)
            if old is None or old.task != cfg.task or old.task_params != task.params:
                self.typed_text = None
            self._refresh_example()
            self.analyses.reset()
        else:
            self.trainer.set_lr(cfg.train.lr)
            self.trainer.set_clip(cfg.train.clip, cfg.train.max_norm)
            self.trainer.config = cfg.train
        self.config = cfg
        return "rebuilt" if rebuild else "live"

    def reset(self) -> None:
        self.trainer.reset()
        self.analyses.reset()
        self.state = "paused"

    # ---- training ----------------------------------------------------------------------
    def step(self):
        stats = self.trainer.step()
        now = time.perf_counter()
        t0, n0 = self._rate
        if now - t0 >= 0.5:
            self.steps_per_sec = (self.trainer.step_count - n0) / (now - t0)
            self._rate = (now, self.trainer.step_count)
        return stats

    def mark_rate(self) -> None:
        self._rate = (time.perf_counter(), self.trainer.step_count)

    # ---- the displayed example -----------------------------------------------------------
    def new_example(self) -> None:
        self.example_seed += 1
        self.typed_text = None
        self._refresh_example()

    def set_typed(self, text: str) -> None:
        """Show a typed sequence; ValueError (naming the problem) leaves the example unchanged."""
        if not self.task.accepts_typed_input:
            raise ValueError(f"{self.task.title} reads real-valued inputs; typed sequences are not possible")
        self.example = self.task.encode_text(text)
        self.typed_text = text
        self.analyses.counterfactual_request = None

    def example_key(self):
        return (self.example_seed, self.typed_text)

    def _refresh_example(self) -> None:
        if hasattr(self, "analyses"):
            self.analyses.counterfactual_request = None
        if self.typed_text is not None:
            try:
                self.example = self.task.encode_text(self.typed_text)
                return
            except ValueError:
                self.typed_text = None
        g = torch.Generator().manual_seed(10_000 + self.example_seed)
        self.example = self.task.sample_batch(1, g)

    def probe(self):
        inputs, targets = self.example
        return probe(self.model, inputs, targets, step=self.trainer.step_count)

    def snapshot(self, message: str = "") -> Snapshot:
        last = self.trainer.last_stats
        info = self.task.info()
        info["typed_hint"] = typed_hint(self.task)
        info["vocab"] = list(self.task.vocab) if self.task.input_kind == "tokens" else None
        info["input_dim"] = self.task.input_dim
        trace = self.probe()
        return Snapshot(
            trace=trace, analysis=self.analyses.compute(self, trace), history=self.trainer.history.arrays(),
            step=self.trainer.step_count,
            loss=float("nan") if last is None else last.loss,
            metric=float("nan") if last is None else last.metric,
            steps_per_sec=self.steps_per_sec if self.state == "training" else 0.0,
            state=self.state, config=self.config.to_dict(), task_info=info,
            example_source="typed" if self.typed_text is not None else "random", message=message)

    # ---- files -------------------------------------------------------------------------
    def save(self, path) -> None:
        save_session(path, self.trainer, extra={"example_seed": self.example_seed,
                                                "typed_text": self.typed_text or ""})

    @classmethod
    def load(cls, path) -> LabSession:
        s = load_session(path)
        self = cls.__new__(cls)
        self.state, self.steps_per_sec = "paused", 0.0
        self.analyses = Analyses()
        self._rate = (time.perf_counter(), s.trainer.step_count)
        self.config = LabConfig(task=s.task_name, task_params=s.task_params, model=s.model_config,
                                train=s.train_config)
        self.task, self.model, self.trainer = s.trainer.task, s.trainer.model, s.trainer
        try:
            check_size(self.config, self.task)
        except ValueError as exc:
            raise SessionError(f"{Path(path).name}: {exc}") from None
        seed = s.extra.get("example_seed", 0)
        ok = isinstance(seed, int) and not isinstance(seed, bool) and abs(seed) < 2**62  # a torch seed
        self.example_seed = seed if ok else 0
        typed = s.extra.get("typed_text", "")
        self.typed_text = typed if isinstance(typed, str) and typed else None
        self._refresh_example()
        return self


def typed_hint(task) -> str:
    if not task.accepts_typed_input:
        return f"{task.title} reads real-valued inputs, which cannot be typed"
    symbols = " ".join(task.vocab) if len(task.vocab) <= 12 else f"{len(task.vocab)} symbols"
    sep = "words separated by spaces" if any(len(s) > 1 for s in task.vocab) else "characters"
    return f"type {sep} ({symbols}), up to {task.max_typed_length}, then Enter"


__all__ = ["LabConfig", "LabSession", "Snapshot", "SessionError", "check_size", "typed_hint"]
