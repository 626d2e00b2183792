"""Lesson files: every malformed case is refused with one line naming the file and the problem; the
conditions and the reveal's numbers behave as a lesson writer reads them."""
import math

import pytest

from engine.lab.config import LabConfig
from engine.lessons.catalog import MEASURES
from engine.lessons.conditions import bare_numbers, fill, parse_condition, placeholders
from engine.lessons.outcome import judge, namespace
from engine.lessons.schema import LessonError, load_lesson

PRESETS = {"vanishing": LabConfig.for_task("adding", seq_len=100), "pytorch": LabConfig.for_task("adding")}
PANELS = {"gradientPanel", "curvesPanel"}
GOOD = '''title = "T"
slide = "S"
preset = "vanishing"
[[step]]
id = "a"
text = "Look."
settings = { cell = "rnn_tanh" }
show = ["gradientPanel"]
question = "Where?"
choices = ["first", "last"]
answer = 0
run_steps = 10
expect = { grad_mid_ratio = "< 0.01" }
reveal = "Half way back it is {grad_mid_ratio:.1e} of h_T's, at t = 1 {grad_first:.1e}."
why = "Each step multiplies by W_hh and tanh' (x_{t+1} notation is fine)."
[[step]]
text = "Again."
settings = { cell = "gru" }
expect = { metric = "< 0.5 * a.metric" }
reveal = "{metric:.3f} against {a.metric:.3f}."
'''


def write(tmp_path, text, name="lesson.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path, text):
    return load_lesson(write(tmp_path, text), PRESETS, PANELS)


def test_a_good_lesson_loads_with_its_configurations_and_what_to_measure(tmp_path):
    lesson = load(tmp_path, GOOD)
    a, b = lesson.steps
    assert (lesson.title, lesson.preset, a.answer, a.run_steps, a.show) == ("T", "vanishing", 0, 10, ("gradientPanel",))
    assert a.config.model.cell == "rnn_tanh" and a.config.task_params["seq_len"] == 100  # the preset's T kept
    assert b.config.model.cell == "gru" and b.config.task_params["seq_len"] == 100
    # step a measures its own numbers and what step b quotes of it
    assert set(a.measures) == {"grad_mid_ratio", "grad_first", "metric"} and b.measures == ("metric",)


@pytest.mark.parametrize("change,message", [
    (lambda t: t.replace('title = "T"\n', ""), "title is missing"),
    (lambda t: t.replace('["gradientPanel"]', '["gradPanel"]'), "step 1: show: unknown panel 'gradPanel'"),
    (lambda t: t.replace('cell = "rnn_tanh"', 'cell = "transformer"'), "step 1: settings: cell"),
    (lambda t: t.replace('cell = "rnn_tanh"', 'hidden_size = 100000'), "step 1: settings: hidden_size"),
    (lambda t: t.replace('cell = "rnn_tanh"', 'cel = "gru"'), "step 1: settings: unknown setting 'cel'"),
    (lambda t: t.replace('preset = "vanishing"', 'preset = "nope"'), "preset 'nope' is not a Lecture preset"),
    (lambda t: t.replace("answer = 0", "answer = 2"), "step 1: answer must be the index of a choice"),
    (lambda t: t.replace('expect = { grad_mid_ratio = "< 0.01" }\n', ""), "step 1: a question needs expect"),
    (lambda t: t.replace("{grad_mid_ratio:.1e} of", "1e-5 of"), "step 1: reveal writes the number 1e-5 outright"),
    (lambda t: t.replace("{a.metric:.3f}.", "{b.metric:.3f}."), "step 2: {b.metric}: no earlier step has the id 'b'"),
    (lambda t: t.replace("{metric:.3f} against", "{accuracy:.3f} against"), "step 2: unknown measure 'accuracy'"),
    (lambda t: t.replace("{metric:.3f} against", "{metric:.3q} against"), "step 2: reveal: {metric:.3q}"),
    (lambda t: t.replace('"< 0.01"', '"about 0.01"'), "step 1: expect.grad_mid_ratio"),
    (lambda t: t.replace('text = "Again."', 'txet = "Again."'), "step 2: unknown key 'txet'"),
    (lambda t: t.replace('"< 0.5 * a.metric"', '"< 0.5 * a.ambiguous_accuracy"'),
     "step 2: {a.ambiguous_accuracy}: ambiguous_accuracy needs the task tagging; step 1 runs adding"),
    (lambda t: t.replace("[[step]]", "[[step]\n", 1), "not valid TOML"),
    (lambda t: t + "surprise = 1\n", "unknown key 'surprise'"),
])
def test_malformed_lessons_are_refused_with_one_line_naming_file_and_problem(tmp_path, change, message):
    bad = change(GOOD)
    assert bad != GOOD
    with pytest.raises(LessonError) as info:
        load(tmp_path, bad)
    text = str(info.value)
    assert text.startswith("lesson.toml: ") and "\n" not in text
    assert message in text, text


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(LessonError, match=r"^gone.toml: no such file$"):
        load_lesson(tmp_path / "gone.toml", PRESETS, PANELS)
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(LessonError, match=r"^latin1.toml: "):
        load_lesson(path, PRESETS, PANELS)


def test_conditions_compare_as_written_with_negative_controls():
    values = {"metric": 0.4, "baseline": 1.0, "a.metric": 0.1, "shape": "(5, 3, 20)", "bad": math.nan}
    assert parse_condition("metric", "< 0.5 * baseline").holds(values)
    assert not parse_condition("metric", "< 0.3 * baseline").holds(values)
    assert parse_condition("metric", "> a.metric").holds(values)
    assert not parse_condition("metric", "<= a.metric").holds(values)
    assert parse_condition("metric", ">= 0.4").holds(values) and not parse_condition("metric", "> 0.4").holds(values)
    assert parse_condition("shape", "== (5, 3, 20)").holds(values)
    assert not parse_condition("shape", "== (2, 3, 20)").holds(values)
    assert not parse_condition("bad", "< 1").holds(values) and not parse_condition("bad", "> 1").holds(values)


def test_reveal_numbers_come_only_from_placeholders():
    text = "At t = 1 it is {grad_first:.1e}; h_{t-1} and x_{i+1} and W_hh are notation, T/2 too."
    assert bare_numbers(text) == [] and placeholders(text) == [("grad_first", ".1e")]
    assert bare_numbers("the loss drops below 0.01 in 300 steps") == ["0.01", "300"]
    assert fill("{metric:.1%} of {step:.0f}, h_{t-1}", {"metric": 0.987, "step": 300.0}) == "98.7% of 300, h_{t-1}"


def test_judge_fills_the_reveal_from_the_run_and_marks_each_condition(tmp_path):
    lesson = load(tmp_path, GOOD)
    measured = {0: {"grad_mid_ratio": 2e-9, "grad_first": 0.0, "metric": 0.2}, 1: {"metric": 0.05}}
    ns = namespace(lesson, measured, 1)
    assert ns == {"a.grad_mid_ratio": 2e-9, "a.grad_first": 0.0, "a.metric": 0.2, "metric": 0.05}
    out = judge(lesson.steps[1], ns)
    assert out.ok and out.reveal == "0.050 against 0.200."
    out = judge(lesson.steps[1], {**ns, "metric": 0.15})  # not below half of step a's: the claim fails
    assert not out.ok and out.checks[0][0].startswith("metric 0.15 < 0.5 * a.metric")
    first = judge(lesson.steps[0], namespace(lesson, measured, 0))
    assert first.reveal.startswith("Half way back it is 2.0e-09 of h_T's")


def test_every_measure_has_a_computation():
    from engine.lessons.measures import COMPUTE

    assert set(COMPUTE) == set(MEASURES)
