"""A window that a layout grew past its screen gets the room back (app.window.sizing.ScreenKeeper): Qt enlarges a
window to its layout's new minimum and never shrinks it, so a minimum that was too large for a moment (a
lesson's pane being filled in on a loaded machine) left the main window 1319 px wide on a 1280x720 projector."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.window.sizing import ScreenKeeper

SCREEN = QRect(0, 0, 800, 600)


def window_with_content(qtbot, keeper: bool):
    window = QWidget()
    qtbot.addWidget(window)
    content = QWidget()
    QVBoxLayout(window).addWidget(content)
    if keeper:
        window.keeper = ScreenKeeper(window, area=lambda: SCREEN)
    window.resize(700, 500)
    window.show()
    qtbot.waitExposed(window)
    return window, content


def grow_for_a_moment(qtbot, window, content):
    content.setMinimumWidth(1000)  # e.g. a pane filled in before its text wraps
    qtbot.waitUntil(lambda: window.width() >= 1000, timeout=2000)  # Qt grows the window to the minimum ...
    content.setMinimumWidth(300)  # ... which is small again a moment later
    qtbot.wait(1500)


def test_a_window_grown_past_its_screen_for_a_moment_fits_it_again(qtbot):
    window, content = window_with_content(qtbot, keeper=True)
    grow_for_a_moment(qtbot, window, content)
    assert window.frameGeometry().width() <= SCREEN.width() and window.height() >= 500


def test_without_the_keeper_the_window_stays_larger_than_the_screen(qtbot):
    """Negative control: Qt alone keeps the larger size."""
    window, content = window_with_content(qtbot, keeper=False)
    grow_for_a_moment(qtbot, window, content)
    assert window.width() >= 1000


def test_a_minimum_that_really_needs_more_room_is_kept(qtbot):
    """The keeper does not squeeze a window below its minimum (the projector walk reports such a window)."""
    window, content = window_with_content(qtbot, keeper=True)
    content.setMinimumWidth(1000)
    qtbot.wait(1500)
    assert window.width() >= 1000


def test_a_window_the_user_makes_larger_than_the_screen_stays_so(qtbot):
    """E.g. stretched over two screens: the keeper undoes only what a layout did."""
    window, _content = window_with_content(qtbot, keeper=True)
    window.resize(1400, 500)
    qtbot.wait(1500)
    assert window.width() == 1400
