"""Remembered lesson progress (QSettings through app.window.settings): per lesson, the step reached,
the student's answers and each revealed step's measured values, outcome and text."""
from __future__ import annotations

from app.window import settings as app_settings

KEY = "lessons/{name}"


def load(name: str) -> dict:
    """{"step": index, "done": bool, "steps": {str(index): {"answer", "values", "checks", "reveal", "why"}}}"""
    data = app_settings.load_json(KEY.format(name=name), None)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), dict):
        return {"step": 0, "done": False, "steps": {}}
    step = data.get("step", 0)
    return {"step": step if isinstance(step, int) and step >= 0 else 0, "done": bool(data.get("done")),
            "steps": {k: v for k, v in data["steps"].items() if isinstance(v, dict)}}


def save(name: str, progress: dict) -> None:
    app_settings.save_json(KEY.format(name=name), progress)


def forget(name: str) -> None:
    save(name, {"step": 0, "done": False, "steps": {}})
