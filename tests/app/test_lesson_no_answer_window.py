"""Predict first: while a lesson's question is open, no window shows its answer. The PyTorch lesson opened its
preset, whose PyTorch example window came up over the lesson listing "output (5, 3, 20)", "hn (2, 3, 20)" and
both implementations' numbers: the answers to the three questions the lesson then asked. Walks every built-in
lesson whose preset opens a window, and checks that no top-level window other than the main one is visible at
its first question (also when the example window was open before the lesson); control: the same preset from the
Lecture menu opens it."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.lessons.files import builtin_lessons
from tests.app.test_main_window import make_window, wait_shown


def other_windows(window) -> list[str]:
    return [f"{type(w).__name__}: {w.windowTitle()}" for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not window and w.isWindow() and w.windowTitle()]


def test_no_window_answers_an_open_question(qtbot):
    window = make_window(qtbot)
    presets = {p.id: p for p in window.lecture.presets}
    lessons = [lesson for lesson in builtin_lessons() if presets[lesson.preset].request]
    assert lessons  # (the pytorch lesson)
    for lesson in lessons:
        preset = presets[lesson.preset]
        window.lecture.apply(preset)  # control: from the Lecture menu the preset opens its window
        qtbot.waitUntil(lambda: bool(other_windows(window)), timeout=30000)
        assert window.lessons.driver.open(lesson, resume=False)
        want = lesson.steps[0].config.to_dict()
        wait_shown(qtbot, window, lambda s, want=want: s.config["model"] == want["model"] and s.step == 0)
        qtbot.wait(1500)  # (a request's window would arrive after the engine's answer)
        first = next(step for step in lesson.steps if step.is_question)
        assert window.lessons.driver.index == first.index
        assert not other_windows(window), (lesson.name, other_windows(window))
        window.lessons.driver.close()
    window.controller.dirty_since_save = False
