"""SequenceStrip: tokens, right/wrong outputs, the time cursor and typed input."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from engine import make_task
from tests.widgets.test_widgets_b import ToyTagger, trace_of, trained
from widgets.network.sequence_strip import SequenceStrip
from widgets.parts.base import LIGHT


@pytest.fixture
def strip(qtbot):
    s = SequenceStrip()
    qtbot.addWidget(s)
    s.resize(500, 250)
    s.show()
    qtbot.waitExposed(s)
    return s


def per_step_trace():
    """A tagging trace from an untrained model with some positions right and some wrong."""
    task = ToyTagger(7)
    model, _ = trained(task, 0, cell="gru")
    for seed in range(50):
        trace = trace_of(model, task, seed=seed)
        if 0 < sum(trace.correct) < len(trace.correct):
            return trace
    raise AssertionError("no mixed example")


def cell_colour(s, t, row):
    image = s.tokens.grab().toImage()
    r = s.tokens.cell_rect(t, row)
    return image.pixelColor(r.left() + 2, r.top() + 2)


def test_per_step_outputs_are_green_where_right_and_red_where_wrong(strip):
    trace = per_step_trace()
    strip.set_trace(trace)
    assert strip.per_step
    for t, ok in enumerate(trace.correct):
        c = cell_colour(strip, t, 2)
        assert (c.green() > c.red()) if ok else (c.red() > c.green()), (t, ok, c.name())
    tip = strip.token_tooltip(2)
    assert f"p = {trace.outputs[2].max():.2f}" in tip and trace.targets[2] in tip
    assert f"right at {sum(trace.correct)} of 7" in strip.answer.text()
    header, rows = strip.data_table()
    assert header == ["t", "token", "target", "prediction", "correct"]
    assert [r[4] for r in rows] == list(trace.correct)
    assert [r[1] for r in rows] == list(trace.tokens)


def test_cursor_token_is_highlighted_and_a_click_moves_time(strip, qtbot):
    trace = per_step_trace()
    strip.set_trace(trace)
    strip.set_time(3)
    assert cell_colour(strip, 3, 0).red() > cell_colour(strip, 2, 0).red() + 40  # warm highlight
    assert cell_colour(strip, 2, 0) == cell_colour(strip, 4, 0)
    strip.set_time(4)
    assert cell_colour(strip, 4, 0).red() > cell_colour(strip, 3, 0).red() + 40
    with qtbot.waitSignal(strip.time_clicked) as blocker:
        qtbot.mouseClick(strip.tokens, Qt.MouseButton.LeftButton, pos=strip.tokens.cell_rect(5).center())
    assert blocker.args == [5]


def test_enter_submits_the_typed_sequence_and_errors_show_in_red(strip, qtbot):
    field = strip.findChild(type(strip.input), "sequenceInput")
    qtbot.keyClicks(field, "0110")
    with qtbot.waitSignal(strip.sequence_submitted) as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert blocker.args == ["0110"]
    with qtbot.waitSignal(strip.sequence_submitted) as blocker:
        qtbot.mouseClick(strip.use_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["0110"]
    strip.show_input_error("unknown symbol 'x' at position 5; allowed: 0 1")
    error = strip.findChild(type(strip.answer), "sequenceInputError")
    assert error.isVisible() and "unknown symbol 'x'" in error.text()
    image = error.grab().toImage()
    bad = QColor(strip.theme["bad"])
    reddish = [(x, y) for x in range(0, image.width(), 2) for y in range(image.height())
               if abs(image.pixelColor(x, y).red() - bad.red()) < 40 and image.pixelColor(x, y).green() < 130]
    assert len(reddish) > 20  # the message is drawn in the theme's red
    assert field.text() == "0110"  # the user can fix it
    strip.clear_input_error()
    assert not error.isVisible()


def test_disabled_input_explains_why_and_new_example_button(strip, qtbot):
    strip.set_input_enabled(False, "Adding problem reads real-valued inputs, which cannot be typed")
    assert not strip.input.isEnabled() and not strip.use_button.isEnabled()
    assert not strip.input.isVisible() and "cannot be typed" not in strip.input.placeholderText()
    note = strip.findChild(type(strip.answer), "sequenceInputNote")
    assert note.isVisible() and "cannot be typed" in note.text()  # in full, once (not in the field too)
    with qtbot.assertNotEmitted(strip.sequence_submitted):
        qtbot.keyClick(strip.input, Qt.Key.Key_Return)
    strip.set_input_enabled(True, "type characters (0 1), up to 200, then Enter")
    strip.set_task_info({"typed_hint": "type characters (a b), up to 50, then Enter"})
    assert strip.input.placeholderText().startswith("type characters (a b)")
    assert not note.isVisible()
    button = strip.findChild(type(strip.new_button), "newExampleButton")
    assert "(shortcut: N)" in button.toolTip()
    with qtbot.waitSignal(strip.new_example_requested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_acceptor_and_regression_answers(strip):
    task = make_task("parity", seq_len=6)
    model, _ = trained(task, 0, cell="gru")
    trace = trace_of(model, task)
    strip.set_trace(trace)
    text = strip.answer.text()
    assert f"target: {trace.targets[0]}" in text
    assert f"model: {trace.predictions[0]} (p={trace.outputs.max():.2f})" in text
    assert strip.data_table()[1][-1][2:] == [trace.targets[0], trace.predictions[0], trace.correct[0]]
    task = make_task("adding", seq_len=5)
    model, _ = trained(task, 0)
    trace = trace_of(model, task)
    strip.set_trace(trace)
    assert not strip.per_step
    assert f"target {trace.targets[0]}" in strip.answer.text()
    assert f"model {trace.predictions[0]}" in strip.answer.text()


def test_long_sequence_scrolls_to_keep_the_cursor_visible(strip):
    task = ToyTagger(200)
    model, _ = trained(task, 0, cell="rnn_tanh")
    strip.set_trace(trace_of(model, task))
    bar = strip.scroll.horizontalScrollBar()
    assert bar.maximum() > 0
    for t in (180, 20, 199):
        strip.set_time(t)
        r = strip.tokens.cell_rect(t)
        left = bar.value()
        assert left <= r.left() and r.right() <= left + strip.scroll.viewport().width(), t


def test_strip_before_any_trace_and_light_theme(strip):
    strip.set_time(5)
    assert strip.data_table()[1] == []
    strip.set_theme(True)
    image = strip.grab().toImage()
    assert image.pixelColor(image.width() - 3, image.height() // 2).name() == LIGHT["background"]
    strip.set_trace(per_step_trace())
    strip.set_trace(None)
    assert strip.answer.text() == ""


def distance(a: QColor, b: QColor) -> int:
    return sum(abs(x - y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_the_answer_line_is_drawn_in_the_theme_colour_it_says(strip):
    """A one-colour answer (regression, tagger) is plain text in that colour: its pixels are the theme's ink,
    and after a theme switch the other theme's ink (not a stale colour, not the default black)."""
    import dataclasses

    from widgets.parts.base import DARK

    task = make_task("adding", seq_len=5)
    model, _ = trained(task, 0)
    regression = trace_of(model, task)
    tagged = per_step_trace()
    all_right = dataclasses.replace(tagged, predictions=list(tagged.targets))  # every position right: green
    for trace, theme, light, role in ((regression, DARK, False, "foreground"), (all_right, DARK, False, "good"),
                                      (all_right, LIGHT, True, "good"), (regression, LIGHT, True, "foreground"),
                                      (tagged, DARK, False, "foreground")):
        strip.set_theme(light)
        strip.set_trace(trace)
        assert strip.answer.textFormat() == Qt.TextFormat.PlainText
        image = strip.answer.grab().toImage()
        ground = QColor(theme["background"])
        pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
        far = max(pixels, key=lambda c: distance(c, ground))
        ink = QColor(theme[role])  # the glyphs' stems, the pixels farthest from the background
        assert distance(far, ink) <= 12, (far.name(), ink.name())
