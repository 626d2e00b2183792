"""A panel on a narrow stage (a lesson beside the network while presenting, issue 25): a combo box keeps room for
its text after the font grows, a controls row's caption goes under the row instead of wrapping one letter a
line, and the sequence strip asks a splitter for the height its wrapped answer line needs. The Xvfb walk
(tests/app/test_projector_layout.py with scripts/shots/lessons.py) checks the whole window; these pin the parts."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from tests.widgets.test_sequence_strip import per_step_trace
from widgets.network.sequence_strip import SequenceStrip
from widgets.parts.panel_parts import CaptionBelow, FittedCombo


def test_a_fitted_combo_keeps_its_texts_width_as_its_minimum_after_the_font_grows(qtbot):
    plain, fitted = QComboBox(), FittedCombo()
    for combo in (plain, fitted):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem("forward  h→")
        qtbot.addWidget(combo)
        combo.minimumSizeHint()  # (computed once at the first font, as a shown panel does)
        font = combo.font()
        font.setPointSizeF(font.pointSizeF() * 1.75)  # presentation mode
        combo.setFont(font)
    need = fitted.fontMetrics().horizontalAdvance("forward  h→")
    assert fitted.minimumSizeHint().width() > need
    assert plain.minimumSizeHint().width() < need  # negative control: QComboBox's own minimum stays stale


def test_a_rows_caption_goes_under_the_controls_when_the_row_leaves_it_no_room(qtbot):
    panel = QWidget()
    column = QVBoxLayout(panel)
    row = QHBoxLayout()
    combo = QComboBox()
    combo.addItem("a long combo item text")
    caption = QLabel("every unit of LSTM layer 1", wordWrap=True)
    caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    row.addWidget(combo)
    row.addWidget(caption, 1)
    column.addLayout(row)
    column.addWidget(QWidget(), 1)
    place = CaptionBelow(panel, row, caption, column)
    qtbot.addWidget(panel)
    panel.resize(800, 300)
    panel.show()
    qtbot.waitExposed(panel)
    assert not place.below and row.indexOf(caption) == 1  # room: beside the combo
    panel.resize(combo.sizeHint().width() + 40, 300)
    qtbot.waitUntil(lambda: place.below)
    qtbot.wait(20)
    assert row.indexOf(caption) == -1 and column.indexOf(caption) == 1
    assert caption.height() < 3 * caption.fontMetrics().height()  # whole words, not a letter a line
    panel.resize(800, 300)
    qtbot.waitUntil(lambda: not place.below)
    assert row.indexOf(caption) == 1


def test_the_sequence_strip_gets_the_height_its_wrapped_answer_needs_in_a_splitter(qtbot):
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setChildrenCollapsible(False)
    strip = SequenceStrip()
    splitter.addWidget(strip)
    splitter.addWidget(QWidget())
    qtbot.addWidget(splitter)
    splitter.resize(900, 700)
    splitter.show()
    qtbot.waitExposed(splitter)
    strip.set_trace(per_step_trace())
    font = strip.answer.font()
    font.setPointSizeF(font.pointSizeF() * 1.75)
    strip.answer.setFont(font)
    qtbot.wait(20)
    splitter.setSizes([strip.sizeHint().height(), 700])  # as tall as it asks while its answer is one line
    splitter.resize(240, 700)  # a narrow column: the answer wraps
    qtbot.wait(50)

    def answer_clear():
        return strip.answer.geometry().bottom() < strip.input.geometry().top() and \
            strip.answer.height() >= strip.answer.heightForWidth(strip.answer.width())

    qtbot.waitUntil(answer_clear, timeout=2000)
    assert strip.height() >= strip._layout.totalHeightForWidth(strip.width())


def test_a_previous_runs_label_on_the_curves_shows_in_full_in_a_narrow_dock(qtbot):
    """The ghost's label has a row of its own under the header and wraps (beside the header it had a third of
    a 400 px dock: 'previous run: simple' at 1920x1080). Control: the same label kept on one line is cut."""
    from scripts.shots.layout_audit import audit
    from widgets.training.curves_panel import CurvesPanel

    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 420)
    panel.show()
    qtbot.waitExposed(panel)
    label = "previous run: simple RNN (tanh), lr 0.01, clipping off, T 100 (600 steps)"
    panel.ghost.set_run(label, [1, 2, 3], [1.0, 0.5, 0.3], [0.1, 0.2, 0.3])
    qtbot.wait(50)
    ghost = panel.ghost.label
    assert ghost.isVisible() and ghost.width() < ghost.fontMetrics().horizontalAdvance(label)  # it has to wrap
    assert not [p for p in audit(panel) if "curvesGhost" in p]
    ghost.setWordWrap(False)  # negative control: on one line it is cut, and the audit says so
    qtbot.wait(50)
    assert [p for p in audit(panel) if "curvesGhostLabel" in p and "cut" in p]
