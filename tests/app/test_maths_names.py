"""Every text the notes' maths formatting (app.lecture.menu.maths_html) shows — the Lecture presets' notes, the
slides' notes and every lesson's text, question, choices, reveal and why — keeps the names it quotes as written
(the Slides note named the task 'dna<sub>motif</sub>' and the file 'people<sub>places</sub>.csv'; the PyTorch
lesson read 'nn.RNN(input<sub>size</sub>, hidden<sub>size</sub>, num<sub>layers</sub>)'), while its maths
still gets its subscripts (h_t, W_hh, dL/dh_t, h→_t, c_{t-1})."""
from __future__ import annotations

import html
import re

from app.lecture.menu import maths_html
from app.lecture.presets import load_presets
from app.lecture.slides import load_slides
from app.lessons.files import builtin_lessons

NAME = re.compile(r"(?<![\w{/])([A-Za-z][A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?:\.[a-z]{2,4})?)(?![\w}])")
PLACEHOLDER = re.compile(r"(?<!_)\{[\w.]+(?::[^}]*)?\}")
MATH_WORD = re.compile(r"(d[a-z]|alpha|theta|sigma|sum)_")  # dh_t, alpha_i, sum_i are maths, not names
MATH = re.compile(r"(?<![\w→←{])(?:[A-Za-z]|d[a-z])[→←]?_(?:\{[^}]*\}|[A-Za-z0-9]+)")


def shown_texts() -> list[str]:
    texts = [p.note for p in load_presets()]
    texts += [s.note for s in load_slides() if s.note]
    for lesson in builtin_lessons():
        for step in lesson.steps:
            texts += [step.text, step.question, step.reveal, step.why, *step.choices]
    return [PLACEHOLDER.sub("0", t) for t in texts if t]  # a reveal's {measure} is a number by then


def plain(rich: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rich))


def names_lost(text: str) -> list[str]:
    out = plain(maths_html(text))
    return [n for n in NAME.findall(text) if not MATH_WORD.match(n) and n not in out]


def test_names_kept_and_maths_subscripted_in_every_note_slide_and_lesson():
    texts = shown_texts()
    names = {n for t in texts for n in NAME.findall(t)}
    assert {"dna_motif", "people_places.csv", "hidden_size", "batch_first"} <= names  # the walk reaches them
    lost = {n for t in texts for n in names_lost(t)}
    assert not lost, f"names shown with a subscript instead of as written: {sorted(lost)}"
    maths = [(t, m) for t in texts for m in MATH.findall(t)]
    assert len(maths) > 50
    for text, m in maths:
        base = m.split("_", 1)[0]
        assert f"{html.escape(base, quote=False)}<sub>" in maths_html(m), (m, text[:60])


def test_negative_control_an_identifier_blind_formatter_is_caught():
    def naive(text):  # the old rule: anything after an underscore is a subscript
        return re.sub(r"(?<=[\w→←])_([A-Za-z0-9α]+)", r"<sub>\1</sub>", html.escape(text, quote=False))

    text = "nn.RNN(input_size, hidden_size) on dna_motif; h_t = tanh(W_hh h_{t-1})"
    assert NAME.findall(text) == ["input_size", "hidden_size", "dna_motif"]
    assert [n for n in NAME.findall(text) if n not in plain(naive(text))] == NAME.findall(text)
    assert names_lost(text) == []
    assert maths_html("dL/dh_t") == "dL/dh<sub>t</sub>" and maths_html("h→_t") == "h→<sub>t</sub>"
