"""The controls column scrolls up and down and never cuts its content at the side (app.window.sizing.UprightScroll):
a plain scroll area of 300 px with its vertical bar shown cut the controls' right 6 px at 1280x720. (The layout
audit's check of the same, run on every preset at 1280x720 under Xvfb by test_projector_layout.py, also caught
the task description that then ran off: it kept a QFormLayout row's old height after a preset.)"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from app.window.sizing import UprightScroll
from scripts.shots.layout_audit import _upright_scroll_problem


def tall_content(width: int) -> QWidget:
    content = QWidget()
    inner = QWidget()
    inner.setObjectName("inner")
    inner.setMinimumSize(width, 900)  # taller than the area: the vertical bar shows
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(inner)
    return content


def shown_in(qtbot, area: QScrollArea, height: int = 400) -> QWidget:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(area)
    holder.resize(10, height)  # as narrow as the area lets it be (a dock squeezed by the panels)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(50)
    return holder


def test_the_area_is_as_wide_as_its_content_and_its_scroll_bar(qtbot):
    content = tall_content(290)
    area = UprightScroll(content, least=300)
    _holder = shown_in(qtbot, area)  # noqa: F841 (kept alive: its area and content live in it)
    assert area.verticalScrollBar().isVisible()
    assert content.width() <= area.viewport().width()
    assert _upright_scroll_problem(area) is None
    content.findChild(QWidget, "inner").setMinimumWidth(340)  # e.g. presentation mode's larger font: it follows
    qtbot.waitUntil(lambda: content.width() <= area.viewport().width() and area.viewport().width() >= 340, timeout=2000)


def test_a_plain_area_of_300_px_cuts_the_same_content_and_the_audit_says_so(qtbot):
    content = tall_content(290)
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    area.setMinimumWidth(300)
    _holder = shown_in(qtbot, area)  # noqa: F841 (kept alive: its area and content live in it)
    assert content.width() > area.viewport().width()
    assert "wider than its viewport" in _upright_scroll_problem(area)
