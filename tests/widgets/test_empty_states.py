"""Issue 25: before the first snapshot a panel shows no invented axes but says what will appear."""
from tests.widgets.test_widgets_a import trace_for
from widgets.network.hidden_heatmap import HiddenHeatmap


def test_hidden_heatmap_says_what_will_appear_until_the_first_trace_then_shows_its_axes(qtbot):
    panel = HiddenHeatmap()
    qtbot.addWidget(panel)
    item = panel.plot.getPlotItem()
    assert panel.empty.isVisible() and "first example" in panel.empty.textItem.toPlainText()
    assert not item.getAxis("left").style["showValues"] and not panel.cursor.isVisible()  # no "±400 x0.001"
    panel.set_trace(trace_for("gru", T=7))
    assert not panel.empty.isVisible() and item.getAxis("left").style["showValues"] and panel.cursor.isVisible()
    (x0, x1), (y0, y1) = item.viewRange()
    assert x1 - x0 >= 6 and y1 - y0 >= 5  # the units x steps image, not the empty placeholder's range
