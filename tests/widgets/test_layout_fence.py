"""A label in a LayoutFence: a new text of the same size repaints it and lays nothing out; a text that needs a
line more, a new font or hiding it reaches the layout as without the fence."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from tests.widgets.event_counts import relayouts
from widgets.parts.layout_fence import LayoutFence


def column_with(qtbot, label, fenced: bool) -> QWidget:
    outer = QWidget()
    qtbot.addWidget(outer)
    column = QVBoxLayout(outer)
    row = QHBoxLayout()
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    row.addWidget(LayoutFence(label) if fenced else label, 1)
    row.addWidget(QLabel("smooth"))
    column.addLayout(row)
    column.addWidget(QLabel("below"))
    column.addStretch(1)  # (the row gets the height it asks for, no more)
    outer.resize(420, 240)
    outer.show()
    qtbot.waitExposed(outer)
    return outer


def figures(n: int) -> list[str]:
    return [f"step {k:4d} · loss {0.5 / k:.4f} · acc. {1 - 0.5 / k:.4f}" for k in range(10, 10 + n)]


def test_new_figures_of_the_same_size_lay_nothing_out(qtbot):
    label = QLabel(figures(1)[0])
    outer = column_with(qtbot, label, fenced=True)
    relayouts(qtbot, outer, label, figures(2))  # (the first text after the window showed settles the hints)
    assert relayouts(qtbot, outer, label, figures(20)) == 0
    assert label.text() == figures(20)[-1] and label.width() > 300  # shown, in the room the row leaves
    plain = QLabel(figures(1)[0])  # control: the same label without a fence lays the window out every time
    outer = column_with(qtbot, plain, fenced=False)
    assert relayouts(qtbot, outer, plain, figures(10)) >= 5


def test_a_text_that_needs_another_line_gets_it(qtbot):
    label = QLabel("one line")
    outer = column_with(qtbot, label, fenced=True)
    height = label.height()
    long = " ".join(["a sentence that wraps"] * 8)
    assert relayouts(qtbot, outer, label, [long]) >= 1
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()) > height)
    tall = label.height()
    assert relayouts(qtbot, outer, label, ["one line again"]) >= 1 and tall > height  # less room: given back
    qtbot.waitUntil(lambda: label.height() == height, timeout=2000)
    font = label.font()  # a larger font (presentation mode) too
    font.setPointSizeF(font.pointSizeF() * 1.75)
    before = label.height()
    label.setFont(font)
    qtbot.waitUntil(lambda: label.height() > before)


def test_hiding_the_label_gives_its_room_back(qtbot):
    label = QLabel("shown")
    label.setWordWrap(True)
    outer = QWidget()
    qtbot.addWidget(outer)
    column = QVBoxLayout(outer)
    column.addWidget(LayoutFence(label))
    below = QLabel("below")
    column.addWidget(below)
    column.addStretch(1)
    outer.resize(300, 200)
    outer.show()
    qtbot.waitExposed(outer)
    fence, y = label.parentWidget(), below.y()
    assert isinstance(fence, LayoutFence) and fence.isVisible()
    label.setVisible(False)
    assert not fence.isVisible()
    qtbot.waitUntil(lambda: below.y() < y)  # its room is given back
    label.setVisible(True)
    assert fence.isVisible() and label.isVisible()
    qtbot.waitUntil(lambda: below.y() == y)
