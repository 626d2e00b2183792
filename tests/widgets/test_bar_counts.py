"""The Next character panel's caption counts what its bars show: a tagger with 7 tags drew 7 bars under
"the 10 likeliest classes". Walks every task with a per-step softmax head (the built-in ones and a tagged
CSV) through the panel as the window feeds it, at every step of the example; the count in the caption is
the number of bars and says of how many classes. The language model (more than 10 characters) is the
control that keeps a top 10."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import rnnlab
from app.panels.feed import apply_snapshot
from widgets.readout.next_char_panel import TOP_K, NextCharPanel

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def claimed(caption: str) -> tuple[int, int | None]:
    """(bars claimed, of how many classes) from the caption's sentence about the bars."""
    m = re.search(r"the (\d+) likeliest(?: of (\d+))? classes", caption)
    if m:
        return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    m = re.search(r"all (\d+) classes", caption)
    assert m, caption
    return int(m.group(1)), int(m.group(1))


@pytest.mark.parametrize("make", [lambda: rnnlab.Lab("tagging", hidden=8),
                                  lambda: rnnlab.Lab(data=EXAMPLES / "people_places.csv", hidden=8)],
                         ids=["tagging", "tagged_csv"])
def test_the_caption_counts_the_bars_of_every_per_step_classifier(qtbot, make):
    snap = make().session.request_full_snapshot()
    classes = snap.trace.outputs.shape[-1]
    assert classes < TOP_K  # (these heads have fewer classes than the top-k: the case that was false)
    panel = NextCharPanel()
    qtbot.addWidget(panel)
    for t in range(snap.trace.hidden.shape[2]):
        apply_snapshot({"nextCharPanel": panel}, snap, t)
        bars, of = claimed(panel.caption.text())
        assert bars == len(panel.shown) == classes and of == classes, (panel.caption.text(), len(panel.shown))


def test_control_a_language_model_keeps_its_top_ten(qtbot):
    snap = rnnlab.Lab("charlm", hidden=8).session.request_full_snapshot()
    assert snap.trace.outputs.shape[-1] > TOP_K
    panel = NextCharPanel()
    qtbot.addWidget(panel)
    apply_snapshot({"nextCharPanel": panel}, snap, 0)
    assert len(panel.shown) in (TOP_K, TOP_K + 1)  # (the actual next character added after the top 10)
    assert "likeliest" not in panel.caption.text() or claimed(panel.caption.text())[0] == TOP_K
