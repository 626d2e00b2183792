"""Task registry: ``list_tasks()`` and ``make_task(name, **params)``."""
from __future__ import annotations

from .adding import AddingTask
from .base import IGNORE, INPUT_KINDS, OUTPUT_KINDS, Param, Preset, Task
from .parity import ParityTask

_REGISTRY: dict[str, type[Task]] = {cls.name: cls for cls in (ParityTask, AddingTask)}


def list_tasks() -> list[str]:
    """Task names in menu order."""
    return list(_REGISTRY)


def task_class(name: str) -> type[Task]:
    if name not in _REGISTRY:
        raise ValueError(f"unknown task {name!r}; choose from {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def make_task(name: str, **params) -> Task:
    """Build a task by name; raises ValueError for an unknown name or bad parameter."""
    return task_class(name)(**params)


__all__ = ["IGNORE", "INPUT_KINDS", "OUTPUT_KINDS", "Param", "Preset", "Task",
           "list_tasks", "make_task", "task_class"]
