"""The pattern search over the whole data set: every row of a CSV (or every window of a text, or a fixed sample
of a generator) is searched, with training going on between the slices; the matches equal a brute-force numpy
search (plain loops over every window of every row, states from torch's own nn.LSTM) on the model as it was when
the search started; Cancel and a model change stop it and say so."""
import copy
from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.analysis.search.dataset import GENERATED, data_set
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.tasks import make_task
from engine.tasks.data.data_files import open_data
from engine.tasks.data.data_tasks import task_for
from tests.engine.test_neutral_baseline import bracket_csv


def csv_session(path, hidden=12) -> LabSession:
    name, params = task_for(open_data(path))
    cfg = LabConfig.for_task(name, **params)
    cfg = replace(cfg, model=replace(cfg.model, hidden_size=hidden, embedding_dim=8, bidirectional=False))
    s = LabSession(cfg)
    for _ in range(20):
        s.step()
    return s


def run_to_end(s, between, t0, t1, threshold):
    """One batch a slice, ``between()`` after each (training goes on); (final status, slices)."""
    job = s.analyses.hidden.patterns
    status = job.start(s.shown_model(), s.task, s.probe(), t0, t1, threshold, first_slice=0.0)
    slices = 1
    while status["state"] == "running":
        between()
        status = job.advance(0.0)
        slices += 1
    return status, slices


def brute_force(model, task, shown_ids, t0, t1, threshold, top=10):
    """Every window of every row, by plain loops; states from nn.LSTM (the model's fused encoder) row by row."""
    w = t1 - t0 + 1
    with torch.no_grad():
        q_states = model.encoder(model.embed(torch.as_tensor(shown_ids)[None]))[0][0].numpy()
    query = (q_states[t0:t1 + 1] > threshold).all(0)
    rows = []
    for r in range(len(task.lengths)):
        ids = task.ids[task.offsets[r]:task.offsets[r + 1]].astype(np.int64)
        with torch.no_grad():
            h = model.encoder(model.embed(torch.from_numpy(ids)[None]))[0][0].numpy()  # (T, H)
        same = len(ids) == len(shown_ids) and (ids == shown_ids).all()
        for i in range(len(ids) - w + 1):
            if same and i + w - 1 >= t0 and i <= t1:
                continue  # the query itself and windows overlapping it
            active = np.ones(h.shape[1], bool)
            for t in range(i, i + w):
                active &= h[t] > threshold
            rows.append((int((active & query).sum()) - int((active & ~query).sum()), r, i))
    rows.sort(key=lambda x: (-x[0], x[1], x[2]))
    chosen = []
    for score, r, i in rows:
        if len(chosen) < top and all(r != cr or abs(i - ci) >= w for cr, ci, _ in chosen):
            chosen.append((r, i, score))
    return chosen, query


def test_whole_csv_search_equals_brute_force_on_the_model_it_started_with(tmp_path):
    s = csv_session(bracket_csv(tmp_path / "depth.csv", rows=300))
    trace = s.probe()
    shown = np.asarray(trace.input_values)
    t0, t1, threshold = 2, 4, 0.05
    frozen = copy.deepcopy(s.model)
    status, slices = run_to_end(s, s.step, t0, t1, threshold)
    assert status["state"] == "done", status
    res = status["result"]
    assert res["searched"] == res["total"] == 300 and "every row of depth.csv (300 rows" in res["data_set"]
    assert status["text"] == "300 of 300 rows searched"
    want, query = brute_force(frozen, s.task, shown, t0, t1, threshold)
    np.testing.assert_array_equal(res["units"], np.flatnonzero(query))
    got = [(m["example"], m["start"], m["score"]) for m in res["matches"]]
    assert got == want and len(got) == 10
    row, start = got[0][:2]
    m = res["matches"][0]
    assert m["label"] == f"data row {row + 1}" and m["window"] == s.task.render_inputs(
        torch.from_numpy(s.task.ids[s.task.offsets[row]:s.task.offsets[row + 1]].astype(np.int64)))[start:start + 3]
    # negative control: the model trained on meanwhile (one step a slice) gives another answer: the copy mattered
    assert slices >= 9 and brute_force(s.model, s.task, shown, t0, t1, threshold)[0] != want


def test_the_request_runs_the_search_to_its_end(tmp_path):
    s = csv_session(bracket_csv(tmp_path / "depth.csv", rows=100))
    status = s.request_pattern_search_all(t0=0, t1=1, threshold=0.0)
    while status["state"] == "running":
        status = s.request_pattern_search_all_step()
    assert status["result"]["searched"] == 100 and status["result"]["scope"] == "data set"


def test_cancel_and_model_change_stop_the_search_and_say_so(tmp_path):
    s = csv_session(bracket_csv(tmp_path / "depth.csv", rows=200))
    job = s.analyses.hidden.patterns
    assert job.start(s.shown_model(), s.task, s.probe(), 1, 2, 0.0, first_slice=0.0)["state"] == "running"
    status = s.request_pattern_search_all_cancel()
    assert status["state"] == "cancelled" and "nothing from it is shown" in status["text"] and "result" not in status
    assert s.request_pattern_search_all_step()["state"] == "cancelled"  # a late slice request finds nothing to run
    job.start(s.shown_model(), s.task, s.probe(), 1, 2, 0.0, first_slice=0.0)
    s.reset()  # fresh weights: the search of the old model stops
    status = s.request_pattern_search_all_step()
    assert status["state"] == "stopped" and "changed" in status["text"]


@pytest.mark.parametrize("bad,message", [
    ({"t0": 5, "t1": 2}, "select a range inside the sequence"),
    ({"threshold": 2.0}, "the threshold must be from -1 to 1"),
    ({"layer": 3}, "choose a layer from 1 to 1"),
])
def test_bad_settings_are_one_line(tmp_path, bad, message):
    s = csv_session(bracket_csv(tmp_path / "depth.csv", rows=50))
    with pytest.raises(ValueError, match=message):
        s.request_pattern_search_all(**{"t0": 0, "t1": 1, "threshold": 0.1, **bad})
    assert s.analyses.hidden.patterns.status["state"] == "idle"


def test_a_text_is_cut_into_windows_that_cover_it_and_a_generator_gives_a_fixed_sample(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 20, encoding="utf-8")
    name, params = task_for(open_data(text))
    task = make_task(name, **params, seq_len=16)
    info, batches = data_set(task)
    pieces = [inputs.reshape(-1) for _, inputs in batches()]
    whole = torch.cat([task.data, task.heldout]).long()
    assert torch.equal(torch.cat(pieces), whole) and info.size == -(-len(whole) // 16) and info.unit == "window"
    parity = make_task("parity")
    info, batches = data_set(parity)
    first = [x.clone() for _, x in batches()]
    again = [x for _, x in batches()]
    assert info.size == GENERATED == sum(len(x) for x in first) and all(torch.equal(a, b) for a, b in
                                                                       zip(first, again, strict=True))
