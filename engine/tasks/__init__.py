"""Task registry: ``list_tasks()``, ``make_task(name, **params)`` and ``preset_configs(task)``."""
from __future__ import annotations

from dataclasses import fields

from engine.tasks.adding import AddingTask
from engine.tasks.base import IGNORE, INPUT_KINDS, OUTPUT_KINDS, REGRESSION_KINDS, Param, Preset, Task
from engine.tasks.charlm import CharLMTask
from engine.tasks.copy_memory import CopyMemoryTask
from engine.tasks.data.data_tasks import LabelledFileTask, TaggedFileTask, TextFileTask
from engine.tasks.dna_motif import DNAMotifTask
from engine.tasks.dyck1 import Dyck1Task
from engine.tasks.flipflop import FlipFlopTask
from engine.tasks.parity import ParityTask
from engine.tasks.sentiment import SentimentTask
from engine.tasks.tagging import TaggingTask
from engine.tasks.temporal_order import TemporalOrderTask

# menu order follows the lecture: tagging, language modelling, acceptors, attention, gradients
_REGISTRY: dict[str, type[Task]] = {cls.name: cls for cls in (
    TaggingTask, CharLMTask, ParityTask, Dyck1Task, SentimentTask, DNAMotifTask,
    AddingTask, CopyMemoryTask, TemporalOrderTask, FlipFlopTask)}


# tasks on a file the user opens (File > Open data, --data): not in the menu, they need the file
_DATA_REGISTRY: dict[str, type[Task]] = {cls.name: cls for cls in (
    TextFileTask, LabelledFileTask, TaggedFileTask)}


def list_tasks() -> list[str]:
    """Built-in task names in menu order (the data-file tasks need a file and are not listed)."""
    return list(_REGISTRY)


def task_class(name: str) -> type[Task]:
    if name in _DATA_REGISTRY:
        return _DATA_REGISTRY[name]
    if name not in _REGISTRY:
        raise ValueError(f"unknown task {name!r}; choose from {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def is_data_task(name: str) -> bool:
    return name in _DATA_REGISTRY


def make_task(name: str, **params) -> Task:
    """Build a task by name; raises ValueError for an unknown name or bad parameter."""
    return task_class(name)(**params)


def preset_configs(task: Task):
    """The task's recommended (ModelConfig, TrainConfig, steps), ``extra`` split by field name."""
    from engine.config import ModelConfig, TrainConfig  # engine.config never imports tasks

    p = task.preset
    model_fields = {f.name for f in fields(ModelConfig)}
    train_fields = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(p.extra) - model_fields - train_fields)
    if unknown:
        raise ValueError(f"preset of task {task.name!r} has unknown field {', '.join(unknown)}")
    model = ModelConfig(cell=p.cell, hidden_size=p.hidden_size, num_layers=p.num_layers,
                        bidirectional=p.bidirectional, embedding_dim=p.embedding_dim,
                        **{k: v for k, v in p.extra.items() if k in model_fields})
    train = TrainConfig(lr=p.lr, batch_size=p.batch_size,
                        **{k: v for k, v in p.extra.items() if k in train_fields})
    return model, train, p.steps


__all__ = ["IGNORE", "INPUT_KINDS", "OUTPUT_KINDS", "REGRESSION_KINDS", "Param", "Preset", "Task",
           "is_data_task", "list_tasks", "make_task", "preset_configs", "task_class"]
