"""Issue 25: before the first snapshot a panel shows no invented axes but says what will appear.

The walk covers every panel of the registry (a panel added later is covered without naming it here):
created without data, it must show its empty-state sentence centred, and no axis of it may number
anything. The negative controls: a panel with a plot and no empty state fails the same check, and
a panel given data drops its sentence and numbers its axes again.
"""
import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter

from app.panels.registry import PANELS
from tests.widgets.test_widgets_a import trace_for
from widgets.gates.gates_panel import GatesPanel
from widgets.network.hidden_heatmap import HiddenHeatmap
from widgets.parts.base import Panel
from widgets.readout.attention_panel import AttentionPanel

NUMBER = re.compile(r"\d")


def axis_texts(panel) -> list[str]:
    """The tick labels every visible axis of the panel would draw now."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    texts = []
    try:
        for view in panel.findChildren(pg.GraphicsView):
            if not view.isVisible():
                continue
            for item in view.scene().items():
                shown = item.isVisible() and item.effectiveOpacity() > 0  # (an empty state fades items out)
                if isinstance(item, pg.AxisItem) and shown and item.linkedView() is not None:
                    specs = item.generateDrawSpecs(painter)
                    texts += [text for _rect, _flags, text in (specs[2] if specs else [])]
                    if item.label.isVisible():  # the scale of the numbers in its name: "unit (x0.001)"
                        texts += re.findall(r"\(x[^)]*\)", item.labelString())
    finally:
        painter.end()
    return texts


def empty_state_problems(panel) -> list[str]:
    problems = []
    if not panel.empty_text():
        problems.append("says nothing about what will appear")
    for state in getattr(panel, "empty_states", []):
        if not state.shown():
            continue
        if state.note is not None:
            box, note = state.box.sceneBoundingRect(), state.note.sceneBoundingRect()
            if not state.note.isVisible() or (note.center() - box.center()).manhattanLength() > 4:
                problems.append(f"{state.text!r} is not shown centred in its plot")
        elif not state.label.isVisible() or state.label.geometry().center() != state.widget.rect().center():
            problems.append(f"{state.text!r} is not shown centred over its widget")
    numbers = [t for t in axis_texts(panel) if NUMBER.search(t)]
    if numbers:
        problems.append(f"axes number what is not there: {numbers[:6]}")
    return problems


def shown(qtbot, panel, size=(520, 360)):
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.mark.parametrize("spec", PANELS, ids=[s.name for s in PANELS])
def test_every_registered_panel_without_data_says_what_will_appear_and_numbers_no_axis(qtbot, spec):
    panel = shown(qtbot, spec.cls())
    assert empty_state_problems(panel) == []
    text = panel.empty_text()
    assert all(len(s.text) <= 110 for s in panel.empty_states), text  # a short line (or two) each, not a page
    panel.set_theme(True)  # the export theme keeps it
    assert panel.empty_text() == text and empty_state_problems(panel) == []


class BarePlotPanel(Panel):
    """What a panel without an empty state looks like: a plot numbering an invented range."""

    def __init__(self):
        super().__init__("barePlot")
        self.plot = pg.PlotWidget()
        self._layout.addWidget(self.plot)


def test_negative_control_a_plot_without_an_empty_state_fails_the_check(qtbot):
    problems = empty_state_problems(shown(qtbot, BarePlotPanel()))
    assert any("says nothing" in p for p in problems) and any("axes number" in p for p in problems)


@pytest.mark.parametrize("cls", [HiddenHeatmap, GatesPanel])
def test_with_data_the_sentence_goes_and_the_axes_number_the_data(qtbot, cls):
    panel = shown(qtbot, cls())
    panel.set_trace(trace_for("gru", T=7))
    qtbot.wait(10)
    assert panel.empty_text() == ""
    assert not any(state.note is not None and state.note.isVisible() for state in panel.empty_states)
    assert any(NUMBER.search(t) for t in axis_texts(panel))


def test_with_data_the_axes_number_the_data_itself_not_a_rescaled_copy(qtbot):
    """Regression: restoring an axis after the empty state must not leave it numbering α_i x1000."""
    panel = shown(qtbot, AttentionPanel())
    qtbot.wait(50)  # laid out and drawn empty, as in the window before its first snapshot
    trace = trace_for("gru", head="attention", T=9)
    panel.set_trace(trace)
    qtbot.wait(10)
    ticks = [float(t.replace("−", "-")) for t in axis_texts(panel) if re.fullmatch(r"[−\d.]+", t)]
    top = float(np.max(trace.attention))
    assert ticks and max(ticks) <= 1.0 and max(ticks) >= 0.5 * top  # weights in [0, 1], as drawn


def test_hidden_heatmap_says_what_will_appear_until_the_first_trace_then_shows_its_axes(qtbot):
    panel = HiddenHeatmap()
    qtbot.addWidget(panel)
    item = panel.plot.getPlotItem()
    assert "first example" in panel.empty_text()
    assert not item.getAxis("left").style["showValues"] and panel.cursor.opacity() == 0  # no "±400 x0.001"
    panel.set_trace(trace_for("gru", T=7))
    assert panel.empty_text() == "" and item.getAxis("left").style["showValues"] and panel.cursor.opacity() == 1
    (x0, x1), (y0, y1) = item.viewRange()
    assert x1 - x0 >= 6 and y1 - y0 >= 5  # the units x steps image, not the empty placeholder's range
