"""PanelMark: a lesson's veil stays over its whole panel, also when the panel raises one of its own children
(a QStackedLayout raises the page it switches to: the gates panel's plots covered the veil once the step's LSTM
arrived, showing the gates before the student predicted)."""
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget

from widgets.chrome.panel_mark import PanelMark


def test_the_veil_stays_on_top_when_the_panel_switches_its_page(qtbot):
    panel = QWidget()
    stack = QStackedLayout()
    QVBoxLayout(panel).addLayout(stack)
    message, plots = QLabel("A simple RNN has no gates"), QLabel("the gates")
    stack.addWidget(plots)
    stack.addWidget(message)
    stack.setCurrentIndex(1)
    qtbot.addWidget(panel)
    panel.resize(300, 200)
    panel.show()
    qtbot.waitExposed(panel)
    mark = PanelMark(panel, "Predict first")
    assert panel.childAt(panel.rect().center()) is mark
    stack.setCurrentIndex(0)  # the model now has gates: the plots' page comes forward (raised)
    assert plots.isVisible()
    assert panel.childAt(panel.rect().center()) is mark  # still veiled
    late = QLabel("added later", panel)  # a child added and shown later is covered too
    late.show()
    assert panel.childAt(late.geometry().center()) is mark
