"""The built-in lessons (``assets/lessons/*.toml``) and lesson files a user names, loaded against the
app's Lecture presets and panels. Torch-free."""
from __future__ import annotations

from pathlib import Path

from engine.lessons.schema import Lesson, LessonError, load_lesson
from engine.util.assets import asset


def lesson_folder() -> Path:
    return Path(str(asset("lessons")))


def presets_and_panels() -> tuple[dict, set]:
    from app.lecture.presets import load_presets
    from app.panels.registry import SPECS

    return {p.id: p.config for p in load_presets()}, set(SPECS)


def resolve(name_or_file: str) -> Path:
    """A built-in lesson's name (``vanishing``) or a path to a .toml file."""
    if name_or_file.endswith(".toml") or "/" in name_or_file or "\\" in name_or_file:
        return Path(name_or_file)
    path = lesson_folder() / f"{name_or_file}.toml"
    if not path.is_file():
        names = ", ".join(p.stem for p in sorted(lesson_folder().glob("*.toml")))
        raise LessonError(f"no lesson named {name_or_file!r} (built in: {names})")
    return path


def load(name_or_file: str) -> Lesson:
    presets, panels = presets_and_panels()
    return load_lesson(resolve(name_or_file), presets, panels)


def builtin_lessons() -> list[Lesson]:
    """Every built-in lesson in menu order (a broken file raises LessonError naming it)."""
    presets, panels = presets_and_panels()
    lessons = [load_lesson(p, presets, panels) for p in lesson_folder().glob("*.toml")]
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.name))
