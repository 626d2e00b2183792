"""LabConfig: everything a user chooses (task, model, training), and the size guard. Torch-free:
the window's process builds and validates configurations without loading torch."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.config import ModelConfig, TrainConfig
from engine.tasks import make_task, preset_configs

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


def config_from_dict(d: dict) -> LabConfig:
    """A configuration the engine already validated, without building its task again: the window
    cannot build a task on a data file, which only the engine holds (engine.tasks.data.data_files)."""
    return LabConfig(task=d["task"], task_params=dict(d["task_params"]), model=ModelConfig.from_dict(d["model"]),
                     train=TrainConfig.from_dict(d["train"]))


def check_size(cfg: LabConfig, task=None) -> None:
    """Refuse configurations that would allocate enough to freeze the machine."""
    task = task if task is not None else make_task(cfg.task, **cfg.task_params)
    T = task.max_length()  # the longest sequence (copy memory: T + 2K)
    m = cfg.model
    cells = cfg.train.batch_size * T * m.hidden_size * m.num_directions * m.num_layers
    if cells > MAX_CELLS:
        raise ValueError(f"batch size x sequence length x hidden size x directions x layers = {cells:,} "
                         f"is above the limit of {MAX_CELLS:,}; make one of them smaller")


def typed_hint(task) -> str:
    if not task.accepts_typed_input:
        return f"{task.title} reads real-valued inputs, which cannot be typed"
    symbols = " ".join(task.vocab) if len(task.vocab) <= 12 else f"{len(task.vocab)} symbols"
    sep = "words separated by spaces" if any(len(s) > 1 for s in task.vocab) else "characters"
    return f"type {sep} ({symbols}), up to {task.max_typed_length}, then Enter"


def data_task_view(config: LabConfig, task) -> dict:
    """Plain data the window needs about a task on a data file (it cannot build that task itself:
    the file lives in the engine)."""
    spec = {p.name: (p.lo, p.hi) for p in task.params_spec}
    return {"config": config.to_dict(), "title": task.title, "description": task.description,
            "seq_len_range": spec.get("seq_len"), "data": task.data_info()}


__all__ = ["MAX_CELLS", "LabConfig", "check_size", "config_from_dict", "data_task_view", "typed_hint"]
