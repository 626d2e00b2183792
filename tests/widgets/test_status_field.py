"""Issue 25 (redraw): a label whose value changes at every snapshot (status bar, time cursor, timeline step)
keeps its size, so a new value repaints the label alone instead of laying the window out again; it is
never narrower than its text. Control: a plain QLabel asks its parent for a new layout at every value."""
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from tests.widgets.event_counts import relayouts
from widgets.chrome.status_field import StatusField


def row_with(qtbot, label):
    parent = QWidget()
    qtbot.addWidget(parent)
    QHBoxLayout(parent).addWidget(label)
    parent.show()
    qtbot.waitExposed(parent)
    return parent


def test_same_width_values_lay_nothing_out_and_a_wider_one_grows_the_label(qtbot):
    field = StatusField("time", "", ())
    parent = row_with(qtbot, field)
    field.setText("t = 10 / 100")
    qtbot.wait(1)
    assert relayouts(qtbot, parent, field, [f"t = {t} / 100" for t in range(11, 40)]) == 0
    width = field.width()
    field.setText("t = 100 / 100")  # a digit more: the label grows to its text
    qtbot.wait(1)
    assert field.width() > width and field.width() >= field.fontMetrics().horizontalAdvance(field.text())
    plain = QLabel("t = 10 / 100")  # control
    parent = row_with(qtbot, plain)
    assert relayouts(qtbot, parent, plain, [f"t = {t} / 100" for t in range(11, 20)]) > 0


def test_a_status_field_is_as_wide_as_its_widest_sample_at_any_font(qtbot):
    field = StatusField("loss", "", ("loss 0.0000",))
    parent = row_with(qtbot, field)
    field.setText("loss 0.9")
    qtbot.wait(1)
    assert relayouts(qtbot, parent, field, ["loss 0.5", "loss 0.2054", "loss 1"]) == 0
    for scale in (1.0, 1.75):
        font = field.font()
        font.setPointSizeF(9 * scale)
        field.setFont(font)
        assert field.width() >= field.fontMetrics().horizontalAdvance("loss 0.0000")
        assert field.height() >= field.fontMetrics().height()
