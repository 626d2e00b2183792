"""Lessons in the window: every lesson's steps walked through (named panels in view and outlined,
veiled until the question is answered, the reveal filled in from the run), progress remembered,
Restart, a bad lesson file refused in a dialog, the handout, and the first-start greeting."""
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.lessons import progress as store
from app.lessons.handout import export_handout
from app.panels.front_tabs import misplaced_fronts
from tests.app.test_lecture_walkthrough import in_view
from tests.app.test_main_window import make_window, wait_shown
from widgets.chrome.panel_mark import PanelMark


def mark_on(window, name):
    marks = [m for m in window.panels[name].findChildren(PanelMark) if m.isVisible()]
    return marks[0] if marks else None


def reach(qtbot, window, step):
    """The engine runs the step's configuration and the window shows it."""
    want = step.config.to_dict()
    wait_shown(qtbot, window, lambda s: s.config["model"] == want["model"] and s.config["task"] == want["task"]
               and s.config["task_params"] == want["task_params"], timeout=30000)


def revealed(driver):
    return "reveal" in driver.state(driver.index)


def walk(qtbot, window, lesson, answer_right: bool):
    driver = window.lessons.driver
    assert driver.open(lesson, resume=False)
    pane = driver.pane
    for step in lesson.steps:
        assert driver.index == step.index
        reach(qtbot, window, step)
        qtbot.wait(30)
        assert in_view(driver.dock) and step.text.split()[0] in pane.text.text()
        qtbot.waitUntil(lambda: driver.fronts_for is None, timeout=5000)  # no tab in front that does not apply
        trace = window.controller.shown.trace
        assert misplaced_fronts(window, trace, visible_only=False) == [], (lesson.name, step.index)
        for name in step.show:  # brought forward, outlined; veiled while the question is open
            mark = mark_on(window, name)
            assert in_view(window.panels[name]), (lesson.name, step.index, name)
            assert mark is not None and mark.geometry() == window.panels[name].rect(), (lesson.name, name)
            assert mark.veiled == step.is_question, (lesson.name, name)
            panel = window.panels[name]  # the veil on top: no page of the panel raised over it
            assert not mark.veiled or panel.childAt(panel.rect().center()) is mark, (lesson.name, name)
        if step.is_question:
            assert not pane.primary.isEnabled()  # predict first
            choice = step.answer if answer_right else (step.answer + 1) % len(step.choices)
            qtbot.mouseClick(pane.choices[choice].label, Qt.MouseButton.LeftButton)  # the text chooses too
            assert pane.primary.isEnabled()
        if step.runs:
            pane.primary.click()
            qtbot.waitUntil(lambda: revealed(driver), timeout=60000)
            text = pane.reveal.text()
            assert "{" not in text and pane.reveal_box.isVisible()
            assert all(not mark_on(window, n).veiled for n in step.show)
            if step.is_question:
                assert ("✓ Right" in text) == answer_right and ("Not quite" in text) != answer_right
        pane.primary.click()
    return driver


@pytest.mark.slow
def test_every_lesson_walks_through_in_the_window(qtbot):
    """Each lesson, each step (runs scaled down to a few training steps: the suite and
    scripts/test.sh --lessons check the full runs' claims headless)."""
    window = make_window(qtbot, "parity")
    window.resize(1600, 1000)
    lessons = list(window.lessons.lessons.values())
    assert len(lessons) >= 9
    for k, lesson in enumerate(lessons):
        short = replace(lesson, steps=tuple(replace(s, run_steps=min(s.run_steps, 3)) for s in lesson.steps))
        driver = walk(qtbot, window, short, answer_right=k % 2 == 0)
        assert store.load(lesson.name)["done"]
        assert not pane_enabled(driver)


def pane_enabled(driver):
    return driver.pane.primary.isEnabled()


def test_a_real_lesson_reveals_measured_numbers_remembers_progress_and_restarts(qtbot, tmp_path):
    window = make_window(qtbot, "adding")
    lesson = window.lessons.lessons["pytorch"]  # no training: the slide's code, measured in the engine
    driver = walk(qtbot, window, replace(lesson, steps=lesson.steps[:1]), answer_right=True)
    record = store.load("pytorch")
    assert record["steps"]["0"]["answer"] == 0 and "(5, 3, 20)" in record["steps"]["0"]["reveal"]
    assert record["steps"]["0"]["checks"] == [["output_shape (5, 3, 20) == (5, 3, 20)", True]]
    # the full lesson again: it resumes where the student was, with the answer and reveal remembered
    record["step"] = 1
    store.save("pytorch", record)
    driver.open(lesson)
    assert driver.index == 1 and driver.pane.back.isEnabled()
    driver.pane.back.click()
    assert driver.index == 0 and driver.pane.reveal_box.isVisible() and "(5, 3, 20)" in driver.pane.reveal.text()
    assert driver.pane.choices[0].button.isChecked() and not driver.pane.choices[0].button.isEnabled()
    # the handout: one page, the answer marked, the measured numbers, the step's figure inside it
    path = export_handout(tmp_path / "handout.html", driver)
    page = path.read_text(encoding="utf-8")
    assert "← my answer" in page and "output has the shape (5, 3, 20)" in page
    assert "data:image/png;base64," in page and "src='http" not in page and "1 of 1 predictions right" in page
    driver.pane.restart.click()
    assert driver.index == 0 and store.load("pytorch")["steps"] == {} and not driver.pane.reveal_box.isVisible()


def test_a_bad_lesson_file_is_refused_in_a_dialog(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, "adding")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "mine.toml"
    bad.write_text('title = "Mine"\nslide = "x"\npreset = "vanishing"\n[[step]]\ntext = "Look"\n'
                   'show = ["spectrumPanel"]\n', encoding="utf-8")
    window.lessons.open_file(str(bad))
    assert shown == ["mine.toml: step 1: show: unknown panel 'spectrumPanel'"]
    assert window.lessons.driver.lesson is None and window.lessons.driver.dock.isHidden()


def test_first_start_greets_once_and_help_brings_it_back(qtbot, tmp_path, monkeypatch):
    from app.window.main_window import MainWindow

    monkeypatch.setenv("RNNLAB_SETTINGS_DIR", str(tmp_path))
    window = MainWindow(remember=True)
    qtbot.addWidget(window)
    window.show()
    card = window.lessons.greeting
    qtbot.waitUntil(card.isVisible, timeout=5000)
    assert set(card.buttons) == {"lesson", "preset", "data"} and in_view(card)
    card.findChild(type(card.buttons["lesson"]), "greetingCloseButton").click()
    assert not card.isVisible()
    window.close()
    again = MainWindow(remember=True)  # settings now exist: no greeting
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(200)
    assert not again.lessons.greeting.isVisible()
    welcome = [a for a in again.findChildren(type(again.lessons.handout_action)) if a.objectName() == "welcomeAction"]
    welcome[0].trigger()
    assert again.lessons.greeting.isVisible()
    again.lessons.greeting.buttons["lesson"].click()  # the first lesson starts
    assert again.lessons.driver.lesson is not None and in_view(again.lessons.driver.dock)
    again.close()


def test_no_greeting_over_a_question_asked_at_start(qtbot, tmp_path, monkeypatch):
    """The recovery offer is a modal question at start; the welcome card appeared beside it (first start of a
    settings folder with a recovery point left): a question is answered alone."""
    from app.window.main_window import MainWindow

    monkeypatch.setenv("RNNLAB_SETTINGS_DIR", str(tmp_path))
    window = MainWindow(remember=True)
    qtbot.addWidget(window)
    question = QMessageBox(QMessageBox.Icon.Question, "RNN Lab", "Restore it?", parent=window)
    question.open()  # modal, as the recovery offer is while the window comes up
    window.show()
    wait_shown(qtbot, window, lambda s: True)  # the first snapshot drawn: the start's queued calls have run
    assert not window.lessons.greeting.isVisible()
    question.close()
    window.close()
    fresh = tmp_path / "again"  # control: the same first start without a question greets
    monkeypatch.setenv("RNNLAB_SETTINGS_DIR", str(fresh))
    greeted = MainWindow(remember=True)
    qtbot.addWidget(greeted)
    greeted.show()
    qtbot.waitUntil(greeted.lessons.greeting.isVisible, timeout=5000)
    greeted.close()


def test_a_run_shows_progress_and_cancel_stops_training(qtbot):
    window = make_window(qtbot, "adding")
    lesson = window.lessons.lessons["tagging"]
    long = replace(lesson, steps=tuple(replace(s, run_steps=20000 if s.runs else 0) for s in lesson.steps))
    driver = window.lessons.driver
    driver.open(long, resume=False)
    driver.pane.primary.click()  # past the introduction
    reach(qtbot, window, long.steps[1])
    driver.pane.choices[1].button.click()
    driver.pane.primary.click()
    qtbot.waitUntil(lambda: driver.pane.progress.value() > 20 and driver.pane.run_row.isVisible(), timeout=30000)
    assert "training step" in driver.pane.progress.format() and not driver.pane.primary.isEnabled()
    driver.pane.cancel.click()
    assert driver.run is None and not driver.pane.run_row.isVisible() and "Cancelled" in driver.pane.status.text()
    assert driver.pane.primary.isEnabled() and "Run 20000 steps" in driver.pane.primary.text()
    qtbot.wait(500)
    step = window.controller.call("weights")["step"]
    qtbot.wait(500)
    assert window.controller.call("weights")["step"] == step < 20000  # training stopped
    assert "reveal" not in driver.state(driver.index)
