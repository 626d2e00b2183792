"""The T an exported figure's caption states is the T of the example the figure draws: the caption said the
task's longest length ("Attention on majority_ab.csv, T 20" over an attribution of 6 tokens; "Parity, T 10"
over a typed 4-bit sequence). Walks every built-in task, a labelled, a tagged and a text data file, and a
typed sequence; where the example's T is not the task's, the caption also names the task's lengths (copy
memory's T is its delay: 'delay T 10 (30 steps)')."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import rnnlab
from app.compare.panels import export_caption
from app.export.caption import length_text, snapshot_caption

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
CASES = [(t, {}) for t in rnnlab.tasks()] + [
    (None, {"data": EXAMPLES / name}) for name in ("majority_ab.csv", "people_places.csv", "coriolanus_act1.txt")]


def stated(caption: str) -> tuple[int, str]:
    """(the example's length, what the caption says of the task's when it differs)."""
    m = re.search(r", delay T (\d+) \((\d+) steps\) · ", caption)  # copy memory: T is the delay
    if m:
        return int(m.group(2)), f"delay T {m.group(1)}"
    m = re.search(r", T (\d+)(?: \(the task's ([^)]*)\))? · ", caption)
    assert m, caption
    return int(m.group(1)), m.group(2) or ""


def task_lengths(params: dict) -> str:
    lo, hi = params.get("min_len"), params["seq_len"]
    return f"lengths {lo}-{hi}" if lo is not None and lo < hi else f"T {hi}"


@pytest.mark.parametrize("task,kw", CASES, ids=[t or kw["data"].name for t, kw in CASES])
def test_the_caption_states_the_drawn_example_s_T(task, kw):
    lab = rnnlab.Lab(task, hidden=4, **kw)
    for _ in range(3):  # a variable-length task draws another length for another example
        snap = lab.session.request_full_snapshot()
        T, task_said = stated(snapshot_caption(snap))
        assert T == snap.trace.hidden.shape[2], snapshot_caption(snap)
        params = snap.config["task_params"]
        expected = "" if task_lengths(params) == f"T {T}" else task_lengths(params)
        if snap.config["task"] == "copy_memory":  # K symbols, T - 1 blanks and ':', K blanks to recall in
            assert T == params["seq_len"] + 2 * params["symbols"]
            expected = f"delay T {params['seq_len']}"
        assert task_said == expected, snapshot_caption(snap)
        lab.example()


def test_a_typed_sequence_and_the_control_of_a_fixed_length_example():
    lab = rnnlab.Lab("parity", hidden=4)
    assert stated(snapshot_caption(lab.session.request_full_snapshot())) == (10, "")  # control: as the task
    lab.example("0110")
    snap = lab.session.request_full_snapshot()
    assert stated(snapshot_caption(snap)) == (4, "T 10")
    old = f", T {snap.config['task_params']['seq_len']} · "  # the old caption: the task's length, not the example's
    assert old not in snapshot_caption(snap)


def test_compare_captions_range_for_the_curves_and_the_example_for_the_gradients():
    run = rnnlab.Lab("tagging", hidden=4).session.request_full_snapshot()
    snap = SimpleNamespace(runs=[run, run], labels=["gru", "lstm"], seeds=[0], step=run.step)
    T = run.trace.hidden.shape[2]
    lo, hi = run.config["task_params"]["min_len"], run.config["task_params"]["seq_len"]
    assert f", T {lo}-{hi} · " in export_caption("compare_curves", snap)
    assert length_text(run.config["task_params"], T) in export_caption("compare_gradients", snap)
    assert export_caption("hiddenHeatmap", snap) is None
