"""Lecture presets: one per section of the lecture, from assets/presets/lecture.json."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.util.assets import asset

PRESETS_FILE = asset("presets/lecture.json")


@dataclass(frozen=True)
class LecturePreset:
    id: str
    title: str
    slide: str
    note: str  # what to watch, two sentences
    panels: tuple[str, ...]  # panels to bring into view
    config: LabConfig
    request: str | None = None  # a LabSession.request_<kind> to run after applying (its result is shown)
    # the contrast the note claims, checked by benchmarks/tasks.py --vanishing: {"steps": the longest run,
    # "sides": [{"label", "model": {...}, "train": {...} overrides, "expect": pass | fail | stable | diverge}]}
    contrast: dict | None = None


def load_presets(path=PRESETS_FILE) -> list[LecturePreset]:
    """Every preset, its configuration built from the task's own preset plus the overrides."""
    presets = []
    for item in json.loads((Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")):
        base = LabConfig.for_task(item["task"], **item.get("task_params", {}))
        cfg = LabConfig(base.task, base.task_params,
                        ModelConfig(**{**base.model.to_dict(), **item.get("model", {})}),
                        TrainConfig(**{**base.train.to_dict(), **item.get("train", {})}))
        presets.append(LecturePreset(item["id"], item["title"], item["slide"], item["note"],
                                     tuple(item.get("panels", ())), cfg, item.get("request"),
                                     item.get("contrast")))
    return presets


def contrast_sides(preset: LecturePreset) -> list[tuple[str, str, LabConfig]]:
    """(label, expected outcome, configuration) of each side of a preset's contrast ([] if none)."""
    cfg, out = preset.config, []
    for side in (preset.contrast or {}).get("sides", ()):
        model = ModelConfig(**{**cfg.model.to_dict(), **side.get("model", {})})
        train = TrainConfig(**{**cfg.train.to_dict(), **side.get("train", {})})
        out.append((side["label"], side["expect"], LabConfig(cfg.task, cfg.task_params, model, train)))
    return out
