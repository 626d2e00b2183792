"""Issue 25 (redraw): while training at the present, each new checkpoint (every step early in a run) changes the
timeline slider's range but not its picture (the handle stays at the right end), so the slider is not repainted;
a step viewed in the past moves the handle and repaints it (control), and the range is right either way."""
from PySide6.QtCore import QEvent

from tests.widgets.event_counts import EventCount
from tests.widgets.test_widgets_a import shown
from widgets.chrome.timeline_bar import TimelineBar


def test_new_checkpoints_at_the_present_do_not_repaint_the_slider(qtbot):
    bar = shown(qtbot, TimelineBar, (800, 30))
    bar.set_timeline({"steps": [0], "present": 1, "viewing": None, "label": "step 1 (now)"})
    qtbot.wait(20)
    paints = EventCount(bar.slider, QEvent.Type.Paint)
    for n in range(2, 9):
        bar.set_timeline({"steps": list(range(n)), "present": n, "viewing": None, "label": f"step {n} (now)"})
        qtbot.wait(5)
    assert paints.count == 0
    assert (bar.slider.maximum(), bar.slider.value()) == (8, 8)  # the range follows all the same
    bar.set_timeline({"steps": list(range(9)), "present": 9, "viewing": 3, "label": "viewing step 3 of 9"})
    qtbot.waitUntil(lambda: paints.count > 0, timeout=2000)  # control: the handle moved, the slider repaints
    assert bar.slider.value() == 3
