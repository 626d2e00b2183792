"""Every built-in lesson in presentation mode, audited as the projector walk audits a preset: the first step
of each lesson and every later step that changes which panels are on the stage (the layout; a step that only
changes the model keeps it), each checked by ``check(window, what)`` once the step's model is shown.

``walk_lessons(app, window, check)`` returns the number of steps checked; a step whose dock keeps a tab in
front that does not apply to its model (app.panels.front_tabs) is reported through ``problem(what, text)``.
Used by scripts/shots/projector.py (``--lessons``; tests/app/test_projector_layout.py at 1280x720).
"""
from __future__ import annotations

from app.panels.registry import CENTER, SPECS
from scripts.shots.waiting import wait, wait_for


def layout_key(step) -> frozenset:
    """The panels a step puts on the stage while presenting (the non-central ones it names)."""
    return frozenset(n for n in step.show if SPECS[n].dock != CENTER)


def steps_to_check(lesson) -> list[int]:
    """The first step, and each step whose layout_key differs from the step before it."""
    out, last = [], None
    for step in lesson.steps:
        key = layout_key(step)
        if key != last:
            out.append(step.index)
        last = key
    return out


def _showing(window, step) -> bool:
    shown, want = window.controller.shown, step.config.to_dict()
    return shown is not None and shown.config["task"] == want["task"] and \
        shown.config["model"] == want["model"] and shown.config["task_params"] == want["task_params"]


def walk_lessons(app, window, check, problem, presenting: bool = True) -> int:
    from app.panels.front_tabs import misplaced_fronts

    presentation = window.classroom.presentation.presentation_action
    presentation.setChecked(presenting)
    wait(app, 0.3)
    driver, checked = window.lessons.driver, 0
    for name, lesson in window.lessons.lessons.items():
        if not driver.open(lesson, resume=False):
            problem(f"lesson_{name}", "the lesson did not open")
            continue
        for index in steps_to_check(lesson):
            step = lesson.steps[index]
            driver.show_step(index, apply=True)
            what = f"lesson_{name}_{index + 1}"
            if not wait_for(app, lambda s=step: _showing(window, s) and driver.fronts_for is None, 30):
                problem(what, "the step's model was not shown within 30 s")
                continue
            for dock, front, better in misplaced_fronts(window, window.controller.shown.trace, visible_only=False):
                problem(what, f"{dock} keeps {front} in front, which does not apply to the model ({better} does)")
            check(window, what)
            checked += 1
        driver.close()
    presentation.setChecked(False)
    wait(app, 0.3)
    return checked
