"""Every example a task description quotes is something the task can actually show.

A description that illustrates a rule with words the task never produces ("the light box" when
'box' is not a word of the grammar) cannot be tried: every quoted example ('...', "...") of a task
with a vocabulary must consist of the task's own symbols, and so must a list of example words in
brackets that ends in "...".
"""
from __future__ import annotations

import re

import pytest

from engine import list_tasks, make_task


def quoted(text: str) -> list[str]:
    """The examples a text quotes: '...' (not an apostrophe inside a word) and "..."."""
    return re.findall(r"(?<![A-Za-z])'([^']+)'(?![A-Za-z])", text) + re.findall(r'"([^"]+)"', text)


def listed(text: str) -> list[str]:
    """Words of a bracketed list of examples: "(good, great, ... / bad, dull, ...)"."""
    words = []
    for inner in re.findall(r"\(([^()]*\.\.\.[^()]*)\)", text):
        words += [w for w in re.split(r"[\s,/]+", inner) if w and w != "..."]
    return words


def symbols(example: str, vocab) -> list[str]:
    """An example split into the task's symbols: words for a word vocabulary, else characters."""
    words = any(len(v) > 1 for v in vocab)
    return example.split() if words else [c for c in example if not c.isspace()]


TOKEN_TASKS = [n for n in list_tasks() if make_task(n).input_kind == "tokens"]


@pytest.mark.parametrize("name", TOKEN_TASKS)
def test_every_quoted_example_is_in_the_vocabulary(name):
    task = make_task(name)
    vocab = set(task.vocab)
    outside = {s for ex in quoted(task.description) for s in symbols(ex, task.vocab) if s not in vocab}
    outside |= {w for w in listed(task.description) if w not in vocab}
    assert not outside, f"{name}: the description quotes {sorted(outside)}, which the task never shows"


def test_the_check_catches_a_word_outside_the_vocabulary():
    """Negative control: the audit's example, 'the light box', is caught on the tagging vocabulary."""
    vocab = make_task("tagging").vocab
    assert "box" in [s for ex in quoted("nouns in 'the light box' here") for s in symbols(ex, vocab)]
    assert "box" not in vocab
    assert listed("polarity words (good, box, ... / bad, ...)") == ["good", "box", "bad"]
    assert quoted("the network's state, 'not' flips") == ["not"]


def test_every_quoted_example_in_a_lecture_note_is_in_its_task_vocabulary():
    from app.lecture.presets import load_presets

    for preset in load_presets():
        task = make_task(preset.config.task, **preset.config.task_params)
        if task.input_kind != "tokens":
            continue
        vocab = set(task.vocab)
        outside = {s for ex in quoted(preset.note) for s in symbols(ex, task.vocab) if s not in vocab}
        assert not outside, f"preset {preset.id}: the note quotes {sorted(outside)}, not in the task's vocabulary"
