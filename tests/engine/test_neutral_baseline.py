"""Integrated gradients default to the task's neutral token (declared once, ``Task.neutral_token``): the
baseline output is the model's own output on the all-neutral input, recomputed here; a task without one falls
back to the zero embedding and says so; a data file's neutral token is the user's (checked against its
symbols); and on bracket-depth tagging the neutral baseline puts more of the attribution on the brackets
that set the depth than the zero baseline does."""
import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.analysis.attribution import DEFAULT_BASELINE, attribution, resolve_baseline
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.tasks import list_tasks, make_task
from engine.tasks.data.data_files import open_data
from engine.tasks.data.data_tasks import task_for


def payload(session):
    session.analyses.wanted = {"attribution"}
    return session.snapshot().analysis["attribution"]


def head_logits(model, inputs_embedded):
    """The model's head outputs on embedded inputs (1, T, E), through the fused encoder."""
    h, c = model.initial_state(1)
    out, _ = model.encoder(inputs_embedded, h if c is None else (h, c))
    return model.head_forward(out).outputs[0]


def test_every_declared_neutral_token_is_a_symbol_of_its_task():
    declared = {n: make_task(n).neutral_token for n in list_tasks() if make_task(n).neutral_token is not None}
    assert declared == {"parity": "0", "sentiment": "the", "copy_memory": "_", "temporal_order": "a"}
    for name in declared:
        task = make_task(name)
        assert task.neutral_token in task.vocab and task.neutral_note and task.info()["neutral_token"] == declared[name]


def test_default_baseline_is_the_neutral_token_and_its_output_is_the_all_neutral_input():
    s = LabSession(LabConfig.for_task("sentiment"))
    s.step()
    p = payload(s)
    assert p["baseline_choice"] == DEFAULT_BASELINE and p["baseline_default"] == "neutral 'the'"
    assert p["baseline"].startswith("the token 'the' at every position (the task's neutral token")
    inputs = s.example[0]
    the = torch.full_like(inputs, s.task.vocab.index("the"))
    with torch.no_grad():
        want = float(s.model(the)[0][s.model(inputs)[0].argmax()])  # f(x') of the class explained
    assert p["baseline_output"] == pytest.approx(want, abs=1e-5)
    # the neutral positions themselves get exactly nothing (x = x' there); the zero baseline gives them something
    scores = np.asarray(p["scores"])
    at_the = (inputs[0] == s.task.vocab.index("the")).numpy()
    if at_the.any():
        assert np.abs(scores[at_the]).max() == 0.0
        s.request_attribution_options(baseline="zero")
        zero = payload(s)
        assert np.abs(np.asarray(zero["scores"])[at_the]).max() > 1e-6
        assert zero["baseline"] == "zero embedding at every position"


def test_a_task_without_a_neutral_token_falls_back_to_zero_and_says_so():
    s = LabSession(LabConfig.for_task("dyck1"))
    p = payload(s)
    assert p["baseline_default"] == "zero (no neutral token)"
    assert p["baseline"] == ("zero embedding at every position (the default: Balanced brackets (Dyck-1 acceptor) "
                             "declares no neutral token)")
    inputs = s.example[0]
    with torch.no_grad():
        c = int(s.model(inputs)[0].argmax())
        zero = float(head_logits(s.model, torch.zeros(1, inputs.shape[1], s.model.encoder.input_size))[c])
    assert p["baseline_output"] == pytest.approx(zero, abs=1e-5)
    adding = LabSession(LabConfig.for_task("adding", seq_len=10))
    assert "declares no neutral token" in payload(adding)["baseline"]  # real-valued inputs: the zero vector


def bracket_csv(path, rows=500, seed=1):
    """tokens,tags: '(' ')' and the filler 'x'; each token tagged with the depth after it."""
    rng = random.Random(seed)
    lines = ["tokens,tags"]
    for _ in range(rows):
        toks, tags, depth = [], [], 0
        for _ in range(rng.randint(8, 16)):
            r = rng.random()
            t = "x" if r < 0.4 else ("(" if depth == 0 or (r < 0.7 and depth < 4) else ")")
            depth += {"(": 1, ")": -1, "x": 0}[t]
            toks.append(t)
            tags.append(str(depth))
        lines.append(f"{' '.join(toks)},{' '.join(tags)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_data_files_neutral_token_is_declared_by_the_user_and_checked(tmp_path):
    name, params = task_for(open_data(bracket_csv(tmp_path / "b.csv")))
    plain = make_task(name, **params)
    assert plain.neutral_token is None and "neutral" not in plain.params
    task = make_task(name, **params, neutral="x")
    assert task.neutral_token == "x" and task.params["neutral"] == "x"
    assert resolve_baseline(task) == ("x", "the task's neutral token: declared for b.csv; the default")
    with pytest.raises(ValueError, match=r"the neutral token 'y' is not a symbol of b.csv \(\( \) x\)"):
        make_task(name, **params, neutral="y")


def right_share(model, task, rows, baseline) -> float:
    """Mean over rows and two explained positions p of |attribution| on the brackets at or before p, as a
    share of all |attribution| (the depth at p is set by exactly those)."""
    shares = []
    x_id = task.vocab.index("x")
    for r in rows:
        ids = torch.from_numpy(task.ids[task.offsets[r]:task.offsets[r + 1]].astype(np.int64))[None]
        T = ids.shape[1]
        for p in (T // 2, T - 1):
            a = np.abs(attribution(model, ids, None, "integrated_gradients", baseline=baseline, position=p).scores)
            right = (np.arange(T) <= p) & (ids[0].numpy() != x_id)
            shares.append(a[right].sum() / max(a.sum(), 1e-12))
    return float(np.mean(shares))


@pytest.mark.slow
def test_on_bracket_depth_tagging_the_neutral_baseline_puts_the_attribution_on_the_brackets(tmp_path):
    name, params = task_for(open_data(bracket_csv(tmp_path / "depth.csv")))
    cfg = LabConfig.for_task(name, **params, neutral="x")  # the tagger preset: bidirectional LSTM
    s = LabSession(replace(cfg, train=replace(cfg.train, seed=0)))
    for _ in range(300):
        s.step()
    assert s.task.heldout_metric(s.model) > 0.9
    rows = s.task.val_rows[:25]
    default, _ = resolve_baseline(s.task)
    neutral, zero = right_share(s.model, s.task, rows, default), right_share(s.model, s.task, rows, None)
    print(f"share of |IG| on the brackets that set the depth: zero baseline {zero:.2f}, neutral 'x' {neutral:.2f}")
    assert default == "x" and neutral > zero + 0.1, (zero, neutral)
