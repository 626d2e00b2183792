"""Lecture > Slides in the window: every slide of the deck opens a view that is visible and not
empty; Page Down / Page Up step through them in presentation mode only."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from tests.app.test_main_window import make_window, wait_shown


def in_view(widget) -> bool:
    return widget is not None and widget.isVisible() and not widget.visibleRegion().isEmpty() \
        and widget.width() > 50 and widget.height() > 50


def colours(widget) -> int:
    """Distinct colours in the widget as drawn (a blank or half-built view has a handful)."""
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB32)
    ptr = image.constBits()
    a = np.frombuffer(ptr, dtype=np.uint32, count=image.width() * image.height())
    return len(np.unique(a[::7]))


def wanted_config(window, slide):
    cfg = window.lecture.presets[[p.id for p in window.lecture.presets].index(slide.preset)].config
    return replace(cfg, model=replace(cfg.model, cell=slide.cell)) if slide.cell else cfg


@pytest.mark.slow
def test_every_slide_opens_a_view_that_is_visible_and_not_empty(qtbot):
    window = make_window(qtbot, "parity")
    window.resize(1600, 1000)
    walker = window.slides
    assert len(walker.slide_actions) == len(walker.slides) == 35
    assert window.findChild(QMenu, "slidesMenu") is not None
    for slide in walker.slides:
        walker.slide_actions[slide.number - 1].trigger()  # one click in Lecture > Slides
        assert walker.current == slide.number
        if slide.preset:
            want = wanted_config(window, slide)
            wait_shown(qtbot, window, lambda s, c=want: s.config["task"] == c.task
                       and s.config["model"] == c.model.to_dict(), timeout=20000)
        qtbot.wait(60)
        note = window.lecture_note
        assert note.isVisible() and f"Slide {slide.number}/35" in note.text(), slide.line()
        if slide.not_shown:
            assert "not shown in the app" in note.text()
            continue
        targets = []
        if slide.panel:
            targets.append(window.panels[slide.panel])
        if slide.preset and not slide.panel and not slide.view:
            preset = walker.presets[slide.preset]
            targets.append(window.panels[preset.panels[0]])
        for widget in targets:
            try:
                qtbot.waitUntil(lambda w=widget: in_view(w) and colours(w) > 12, timeout=10000)
            except Exception:  # noqa: BLE001 (say which slide)
                pytest.fail(f"{slide.line()}: {widget.objectName()} in view {in_view(widget)}, "
                            f"{colours(widget)} colours")
        if slide.view in ("folded", "unrolled"):
            unrolled = window.unrolled
            assert unrolled.folded() == (slide.view == "folded")
            qtbot.waitUntil(lambda u=unrolled: u.fold.progress == (1.0 if u.folded() else 0.0), timeout=3000)
            qtbot.waitUntil(lambda u=unrolled: in_view(u) and colours(u) > 12, timeout=10000)
        if slide.result:
            results = window.results.dialog
            qtbot.waitUntil(lambda r=results, n=slide.result: r.selected() is not None and r.selected()["name"] == n,
                            timeout=10000)
            assert in_view(results) and slide.result.replace("_", " ") not in results.about.text()
            assert results.about.text().startswith("<b>")
            results.close()
        if slide.help:
            dialog = window.classroom.help.dialog
            assert dialog.isVisible() and len(dialog.browser.toPlainText()) > 200, slide.line()
            dialog.close()
        if slide.view == "compare":
            compare = window.compare_action.guard.compare
            qtbot.waitUntil(lambda c=compare: c.shown is not None, timeout=30000)
            assert in_view(compare.panels) and compare.setup.spec()[0] == slide.compare
            assert len(compare.shown.labels) == len(slide.compare.split(","))
            compare.close()
    assert window.slides.label.text() == "slide 35/35"


def test_page_down_steps_slides_only_in_presentation_mode(qtbot):
    window = make_window(qtbot, "parity")
    walker = window.slides
    walker.open(5)  # a panel slide (no preset: nothing is reset)
    assert walker.current == 5
    assert walker.next_action.shortcut().isEmpty()  # not presenting: Page Down stays with scroll areas
    window.classroom.presentation.presentation_action.setChecked(True)
    try:
        assert walker.next_action.shortcut().matches(Qt.Key_PageDown)
        assert walker.prev_action.shortcut().matches(Qt.Key_PageUp)
        walker.next_action.trigger()
        assert walker.current == 6 and "Slide 6/35 · Recurrent Neural Network model" in window.lecture_note.text()
        walker.prev_action.trigger()
        walker.prev_action.trigger()
        assert walker.current == 4
    finally:
        window.classroom.presentation.presentation_action.setChecked(False)
    assert walker.next_action.shortcut().isEmpty()


def test_consecutive_slides_of_one_preset_keep_the_trained_model(qtbot):
    window = make_window(qtbot, "parity")
    walker = window.slides
    assert walker.open(27)  # Gating: the preset
    want = walker.presets["gating"].config
    wait_shown(qtbot, window, lambda s: s.config["task"] == want.task)
    window.controller.step_once()
    shown = wait_shown(qtbot, window, lambda s: s.step >= 1)
    assert walker.open(28)  # What is a gate?: the same preset, not applied again
    qtbot.wait(300)
    assert window.controller.shown.step >= shown.step and window.controller.shown.step >= 1
    assert walker.open(30)  # GRU: the cell the note suggests, a new model but the note follows it
    wait_shown(qtbot, window, lambda s: s.config["model"]["cell"] == "gru")
    assert "as suggested" in window.lecture_note.text() and "Slide 30/35" in window.lecture_note.text()
