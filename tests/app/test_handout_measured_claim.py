"""The lesson handout says which of its numbers the student's run measured: it said "every number below was
measured in this student's run" above step texts and questions that carry numbers of their own ("T = 100",
"in 300 training steps", "5 bits"). Walks every built-in lesson's handout with every step revealed: the numbers
the claim covers are in the results (the shaded reveal boxes, filled from the run), and numbers outside them
exist, so only a claim scoped to the results holds; control: the old blanket sentence is caught."""
from __future__ import annotations

import re

from app.lessons.files import builtin_lessons
from app.lessons.handout import handout_html
from engine.lessons.conditions import placeholders

CLAIM = re.compile(r"every number ([^.;]*?)was measured in this student's run")
NUMBER = re.compile(r"(?<![\w#.-])\d+(?:[.,]\d+)?")


def revealed(lesson) -> dict:
    """A record with every step answered and revealed, its reveal's placeholders filled with 0.123."""
    steps = {}
    for step in lesson.steps:
        assert step.reveal == "" or placeholders(step.reveal) or "{" not in step.reveal
        text = re.sub(r"\{[^{}]*\}", "0.123", step.reveal)
        steps[str(step.index)] = {"answer": step.answer, "reveal": text, "why": step.why, "checks": []}
    return {"steps": steps, "done": True}


def outside_results(page: str) -> list[str]:
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<div class='reveal'>.*?</div>", "", body, flags=re.S)  # the measured results
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"Lesson handout written by RNN Lab on [\d: -]+;", "", body)  # (the date)
    return NUMBER.findall(body)


def claim_holds(page: str) -> bool:
    m = CLAIM.search(page)
    return m is None or "results" in m.group(1) or not outside_results(page)


def test_every_handout_scopes_its_measured_claim_to_what_was_measured():
    pages = [handout_html(lesson, revealed(lesson), {}) for lesson in builtin_lessons()]
    assert sum(bool(outside_results(p)) for p in pages) >= 3  # step texts carry numbers: a blanket claim is false
    assert all(CLAIM.search(p) for p in pages)
    assert all(claim_holds(p) for p in pages)


def test_control_the_blanket_sentence_is_caught():
    lesson = next(lesson for lesson in builtin_lessons() if lesson.name == "vanishing")
    page = handout_html(lesson, revealed(lesson), {})
    old = CLAIM.sub("every number below was measured in this student's run", page)
    assert outside_results(old) and not claim_holds(old)
