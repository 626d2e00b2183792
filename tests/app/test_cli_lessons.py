"""rnnlab --list-lessons and --headless --lesson NAME_OR_FILE --verify: one line per step, exit 0 only
when every expect held, exit 2 with one line for a lesson file that cannot be used."""
import pytest

from app.cli.main import main
from app.lecture.presets import load_presets
from app.lessons.files import builtin_lessons

BAD_CLAIM = '''title = "Wrong on purpose"
slide = "RNNs in PyTorch"
preset = "pytorch"
[[step]]
text = "The slide's code."
question = "What shape is output?"
choices = ["(5, 3, 20)", "(2, 3, 20)"]
answer = 1
expect = { output_shape = "== (2, 3, 20)" }
reveal = "output has the shape {output_shape}."
why = "A wrong claim: the verifier must say so."
'''


def test_list_lessons_names_one_lesson_per_section_of_the_deck(capsys):
    assert main(["--list-lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    lessons = builtin_lessons()
    assert len(lines) == len(lessons) >= 9
    assert {lesson.preset for lesson in lessons} == {p.id for p in load_presets()}  # every preset has its lesson
    for line, lesson in zip(lines, lessons, strict=True):
        assert line.split()[0] == lesson.name and lesson.title in line
    assert all(any(s.is_question for s in lesson.steps) for lesson in lessons)  # each asks before it shows


def test_verify_prints_a_line_per_step_and_exits_0(capsys):
    assert main(["--headless", "--lesson", "pytorch", "--verify", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    steps = [line for line in out if ": step " in line]
    assert len(steps) == 3 and all(" ok " in line for line in steps)
    assert "output_shape (5, 3, 20) == (5, 3, 20)" in steps[0]
    assert out[-1].startswith("pytorch seed 1: every expect held")


def test_a_claim_the_run_contradicts_fails_verification(tmp_path, capsys):
    path = tmp_path / "wrong.toml"
    path.write_text(BAD_CLAIM, encoding="utf-8")
    assert main(["--headless", "--lesson", str(path), "--verify"]) == 1
    out = capsys.readouterr().out
    assert "step 1/1 FAIL" in out and "output_shape (5, 3, 20) == (2, 3, 20)" in out and "NOT AS CLAIMED" in out


@pytest.mark.parametrize("args,text,message", [
    (["--headless", "--lesson", "{path}", "--verify"], 'title = "x"\n[[step]\n', "broken.toml: not valid TOML"),
    (["--headless", "--lesson", "{path}", "--verify"], BAD_CLAIM.replace('title = "Wrong on purpose"\n', ""),
     "broken.toml: title is missing"),
    (["--headless", "--lesson", "{path}", "--verify"], BAD_CLAIM.replace('preset = "pytorch"',
     'preset = "pytorch"\n[x]'), "broken.toml: unknown key 'x'"),
    (["--headless", "--lesson", "no_such_lesson", "--verify"], None, "no lesson named 'no_such_lesson'"),
    (["--lesson", "pytorch"], None, "--lesson needs --headless --verify"),
    (["--headless", "--verify"], None, "--verify needs --lesson"),
])
def test_unusable_lessons_exit_2_with_one_line(tmp_path, capsys, args, text, message):
    path = tmp_path / "broken.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main([a.replace("{path}", str(path)) for a in args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and message in captured.err, captured.err


@pytest.mark.slow
@pytest.mark.parametrize("lesson", builtin_lessons(), ids=lambda lesson: lesson.name)
def test_every_builtin_lesson_verifies_for_seed_0(lesson):
    """What each reveal says holds in a real run (scripts/test.sh --lessons does seeds 0-2); one test per lesson,
    so parallel workers share them."""
    from engine.lessons.runner import run_lesson

    results = run_lesson(lesson, 0)
    failed = [(r.index + 1, r.outcome.checks) for r in results if not r.ok]
    assert not failed, (lesson.name, failed)
