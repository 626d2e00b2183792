"""What a trained parity network does at each bit is said with both bits, wherever it is said: the state-space
help told students "the state should jump between two regions as each 1 is read", while the trained GRU of the
acceptor preset (seed 0) jumps at every 0 (with T fixed, the parity of the 0s decides the answer too; the
heatmap's help and the preset's note already said so). Walks every help page, preset note, slide note, lesson
text, task description and the README; the run check trains the preset's GRU and measures where it jumps."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from app.classroom.help_pages import PAGES
from app.lecture.presets import load_presets
from app.lecture.slides import load_slides
from app.lessons.files import builtin_lessons
from engine import make_task
from engine.tasks import list_tasks

ROOT = Path(__file__).resolve().parents[2]
ONE = re.compile(r"\b(?:each|every|a) 1\b(?: is)? read|\b(?:each|every) 1\b")
ZERO = re.compile(r"\b(?:each|every) 0\b|\bthe 0s\b")


def texts() -> list[str]:
    out = [str(v) for page in PAGES.values() for v in vars(page).values()]
    out += [p.note for p in load_presets()] + [s.note for s in load_slides() if s.note]
    out += [t for lesson in builtin_lessons() for step in lesson.steps
            for t in (step.text, step.question, step.reveal, step.why, *step.choices)]
    out += [make_task(name).description for name in list_tasks()]
    out.append((ROOT / "README.md").read_text(encoding="utf-8"))
    return out


def one_bit_only(text: str) -> list[str]:
    """Sentences that say what happens at each 1 without the 0s."""
    sentences = re.split(r"(?<=[.;!?])\s+|\n\s*\n", text)
    return [s for s in sentences if ONE.search(s) and not ZERO.search(s)]


def test_every_sentence_about_the_1s_also_names_the_0s():
    walked = texts()
    assert sum(bool(ONE.search(t)) for t in walked) >= 3  # (the heatmap help, the acceptor note, this help)
    found = [s for t in walked for s in one_bit_only(t)]
    assert not found, found


def test_negative_control_the_old_state_space_help_is_caught():
    old = ("Train the parity acceptor and find the fixed points: the state should jump between two regions as "
           "each 1 is read.")
    assert one_bit_only(old) == [old]
    assert one_bit_only(PAGES["stateSpacePanel"].try_) == []


@pytest.mark.slow
def test_the_preset_gru_jumps_at_the_0s_and_holds_them_in_a_2_cycle():
    import rnnlab

    lab = rnnlab.Lab("parity", seed=0)
    assert lab.train(600)["metric"] > 0.95
    jumps = {"0": [], "1": []}
    for _ in range(10):
        lab.example()
        tr = lab.trace()
        h = np.concatenate([tr.initial_hidden[0, 0][None], tr.hidden[0, 0]], 0)
        for token, d in zip(tr.tokens, np.linalg.norm(np.diff(h, axis=0), axis=1), strict=True):
            jumps[token].append(d)
    assert np.median(jumps["0"]) > 2 * np.median(jumps["1"])  # "as each 1 is read" alone was false here
    two = lab.fixed_points(x_const="0", period=2, budget_s=3)  # the help: x* = that bit and period 2
    assert (two["fixed"] & two["stable"]).sum() >= 1, two["summary"]
