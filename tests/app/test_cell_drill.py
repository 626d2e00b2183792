"""Drill-down in the window: double-click a column of the unrolled network -> the cell view at that step
(animated, ≤ 300 ms), its wires the engine's; Esc returns. Hovering a number outlines its sources."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from tests.app.test_main_window import make_window, wait_shown

pytestmark = pytest.mark.qt_log_ignore("does not support raise")


def test_double_click_opens_the_cell_and_esc_returns(qtbot):
    window = make_window(qtbot, "adding", cell="gru")
    unrolled, cell = window.panels["unrolledView"], window.panels["cellView"]
    tabs, index = window.tabs["cellView"]
    before = tabs.currentIndex()
    assert before != index
    box = unrolled.cell_items[(0, 0, 3)].sceneBoundingRect().center()
    unrolled.view.centerOn(box)
    qtbot.mouseDClick(unrolled.view.viewport(), Qt.MouseButton.LeftButton, pos=unrolled.view.mapFromScene(box))
    assert window.transport.time() == 3 and tabs.currentIndex() == index
    assert cell.transition() is not None  # the change of level is animated, not a jump
    assert cell._zoom.duration() <= 300  # (wall-clock figures: benchmarks/gui.py)
    qtbot.waitUntil(lambda: cell.transition() is None, timeout=1000)
    qtbot.waitUntil(cell.ready, timeout=30000)  # the engine computes the wires once the view is in sight
    snap = window.controller.shown
    np.testing.assert_allclose(cell.wire_vector("h"), snap.trace.hidden[0, 0, 3], atol=1e-5)
    assert "t = 4" in cell.caption.text()
    cell.unit_clicked.emit(3)  # a unit clicked in the cell view is outlined in the heatmap too
    ys = window.panels["hiddenHeatmap"].unit_mark.yData
    assert ys is not None and min(ys) == 2.5 and max(ys) == 3.5
    gates = window.panels["gatesPanel"]
    ys = gates.unit_marks.yData  # ... and in every gate's heatmap
    expect = {r["base"] + 3 + s for r in gates.rows for s in (-0.5, 0.5)}
    assert {round(float(y), 1) for y in ys[np.isfinite(ys)]} == expect
    qtbot.keyClick(cell.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tabs.currentIndex() == before, timeout=1000)


def test_hover_outlines_sources_in_other_panels(qtbot):
    window = make_window(qtbot, "adding", cell="rnn_tanh")
    snap = wait_shown(qtbot, window, lambda s: True)
    heatmap, unrolled = window.panels["hiddenHeatmap"], window.panels["unrolledView"]
    window.show_panel("hiddenHeatmap")
    item = heatmap.plot.getPlotItem()
    pos = heatmap.plot.mapFromScene(item.getViewBox().mapViewToScene(QPointF(4, 2)))  # t = 5, unit 2
    heatmap.hover.hover(pos, heatmap.plot.mapToGlobal(pos))
    marks = [m for m in unrolled._source_marks[1] if m.isVisible()]
    boxes = {k: unrolled.cell_items[k].sceneBoundingRect() for k in ((0, 0, 4), (0, 0, 3))}
    for key, rect in boxes.items():  # h_5 itself and h_4, which it read
        assert any(m.rect().contains(rect.center()) for m in marks), key
    assert len(marks) == 3  # + the input x_5
    heatmap.hover.hover(None, None)
    assert not any(m.isVisible() for m in unrolled._source_marks[1])
    assert snap.trace.hidden.shape[2] > 5
