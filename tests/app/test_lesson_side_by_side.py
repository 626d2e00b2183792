"""A lesson step's panels are read together: outside presentation mode, two that would be tabs of one dock (a
compact window's one column) stand side by side in one dock, as a preset's do; panels already in docks of their
own stay there (the stage would only squeeze them)."""
from __future__ import annotations

from app.window.main_window import MainWindow
from tests.app.test_main_window import wait_shown


def seen(panel) -> bool:
    return panel.isVisible() and not panel.visibleRegion().isEmpty()


def open_step(qtbot, window, lesson_name: str, show: list[str]):
    driver = window.lessons.driver
    lesson = window.lessons.lessons[lesson_name]
    assert driver.open(lesson, resume=False)
    index = next(s.index for s in lesson.steps if list(s.show) == show)
    driver.show_step(index, apply=True)
    want = lesson.steps[index].config.to_dict()
    wait_shown(qtbot, window, lambda s: s.config["model"] == want["model"] and s.config["task"] == want["task"])
    qtbot.wait(300)
    return driver


def test_a_steps_two_panels_in_one_column_stand_side_by_side_in_a_compact_window(qtbot):
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)  # a projector's size: every panel dock a tab of one column
    window.show()
    wait_shown(qtbot, window, lambda s: True)
    window.reset_layout()
    assert window.compact()
    gradient, curves = window.panels["gradientPanel"], window.panels["curvesPanel"]
    driver = open_step(qtbot, window, "vanishing", ["gradientPanel", "curvesPanel"])
    qtbot.waitUntil(lambda: seen(gradient) and seen(curves), timeout=5000)  # both, not one tab in front
    stage = window.classroom.stage
    assert stage.names == ("gradientPanel", "curvesPanel") and stage.dock.isVisible()
    driver.close()


def test_panels_in_docks_of_their_own_stay_there(qtbot):
    window = MainWindow(remember=False)  # offscreen: 1600x1000, every panel dock in its place
    qtbot.addWidget(window)
    window.show()
    wait_shown(qtbot, window, lambda s: True)
    assert not window.compact()
    driver = open_step(qtbot, window, "acceptor", ["hiddenHeatmap", "curvesPanel"])
    heatmap, curves = window.panels["hiddenHeatmap"], window.panels["curvesPanel"]
    qtbot.waitUntil(lambda: seen(heatmap) and seen(curves), timeout=5000)
    assert window.classroom.stage.names == ()  # not moved onto a stage
    driver.close()
