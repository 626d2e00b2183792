"""The windows a lecturer opens besides the main one, audited as the projector walk audits the main window
(scripts/shots/layout_audit.py: nothing cut; scripts/shots/overlap_audit.py: nothing on top of anything).

``walk_dialogs(app, window, check)`` opens each in turn on the running main window and calls
``check(top_level, what)`` once it is laid out: the compare window (trained a moment, so its curves header
carries numbers), the first lesson's pane, a spread of Lecture > Slides and every panel a slide puts on the
stage (presentation mode), Help > Classic results, the help pages, About, Run > Generate text and the
PyTorch example of the pytorch preset. Used by scripts/shots/projector.py (``--dialogs``).
"""
from __future__ import annotations

from scripts.shots.waiting import wait, wait_for

SLIDES = (1, 5, 12, 20, 30)  # a spread of the deck's kinds of slide (preset, panel, view, result, help)


def slides_to_check(slides) -> list[int]:
    """The spread, and the first slide that puts each panel on the stage (the Input to NLP slides cut their
    captions at 1280x720 while no slide of the spread showed that panel)."""
    first = {}
    for slide in slides:
        if slide.panel:
            first.setdefault(slide.panel, slide.number)
    return sorted({n for n in SLIDES if n <= len(slides)} | set(first.values()))


def _compare(app, window, check) -> None:
    window.compare_action.trigger()
    guard = window.compare_action.guard
    if not wait_for(app, lambda: guard.compare is not None and guard.compare.shown is not None, 60):
        check(None, "compare: no snapshot within 60 s")
        return
    cw = guard.compare
    cw.transport.train_button.setChecked(True)
    wait(app, 2.0)
    cw.transport.train_button.setChecked(False)
    wait_for(app, lambda: "no training steps" not in cw.panels.curves.summary.text(), 10)
    check(cw, "compare")
    cw.close()
    wait(app, 0.3)


def _showing(window, preset) -> bool:
    """The window shows a fresh model of ``preset``'s configuration."""
    shown = window.controller.shown
    return shown is not None and shown.config["task"] == preset.config.task and shown.step == 0 and \
        shown.config["model"] == preset.config.model.to_dict()


def _lesson(app, window, check) -> None:
    lessons = window.lessons
    lesson = lessons.first_lesson()
    if lesson is None or not lessons.driver.open(lesson, resume=False):
        check(None, "lesson: the first lesson did not open")
        return
    preset = next(p for p in window.lecture.presets if p.id == lesson.preset)
    wait_for(app, lambda: _showing(window, preset), 30)
    wait(app, 0.3)
    check(window, f"lesson_{lesson.name}")
    lessons.driver.close()


def _slides(app, window, check) -> None:
    presentation = window.classroom.presentation.presentation_action
    presentation.setChecked(True)
    wait(app, 0.3)
    presets = {p.id: p for p in window.lecture.presets}
    for number in slides_to_check(window.slides.slides):
        slide = window.slides.slides[number - 1]
        if slide is not None and window.slides.open(number):
            task = presets[slide.preset].config.task if slide.preset in presets else None
            wait_for(app, lambda t=task: t is None or (window.controller.shown is not None and
                                                       window.controller.shown.config["task"] == t), 30)
            wait(app, 0.5)
            check(window, f"slide_{number:02d}")
    presentation.setChecked(False)
    wait(app, 0.3)


def _dialog(app, opened, what, check) -> None:
    dialog = opened()
    wait(app, 0.4)
    check(dialog, what)
    dialog.close()


def walk_dialogs(app, window, check) -> None:
    """Every window besides the main one a lecturer opens, each passed to ``check`` (see the docstring)."""
    _compare(app, window, check)
    _lesson(app, window, check)
    _slides(app, window, check)
    _dialog(app, window.results.open, "classic_results", check)
    help_ui = window.classroom.help
    _dialog(app, lambda: (help_ui.show_page("attentionPanel"), help_ui.dialog)[1], "help_page", check)
    _dialog(app, window.classroom.about, "about", check)
    lecture = window.lecture
    pytorch = next((p for p in lecture.presets if p.request == "pytorch_example"), None)
    if pytorch is not None:
        lecture.actions[pytorch.id].trigger()
        if wait_for(app, lambda: getattr(lecture, "pytorch_example", None) is not None
                    and lecture.pytorch_example.isVisible(), 30):
            wait(app, 0.4)
            check(lecture.pytorch_example, "pytorch_example")
            lecture.pytorch_example.close()
    charlm = next((p for p in lecture.presets if p.config.task == "charlm"), None)
    if charlm is not None:
        lecture.actions[charlm.id].trigger()
        wait_for(app, lambda: _showing(window, charlm), 30)
        _dialog(app, lambda: (lecture.generate_dialog(), lecture.dialog)[1], "generate_text", check)
