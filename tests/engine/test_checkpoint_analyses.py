"""One network on screen (issue 29 item 2): viewing checkpoint step 0, every analysis panel's arrays equal
those computed independently from the step-0 model (a fresh build with the same seed), not the trained
one. Negative control: the present (trained) model gives different arrays."""
import numpy as np
import pytest
import torch

from engine import build_model
from engine.analysis import analysis_dict, attribution, batch_states, fixed_points, gate_statistics, unit_saturation
from engine.analysis.units import pattern_search
from engine.lab.config import LabConfig
from engine.lab.session import LabSession

WANTED = {"state_space", "units", "gate_saturation", "spectrum", "attribution", "gate_stats", "bptt"}


@pytest.fixture(scope="module")
def viewed():
    from dataclasses import replace

    cfg = LabConfig.for_task("parity")
    cfg = replace(cfg, model=replace(cfg.model, cell="lstm", hidden_size=8, h0="learned"))
    s = LabSession(cfg)
    s.analyses.wanted = set(WANTED)
    for _ in range(40):
        s.step()
    present = s.snapshot().analysis
    s.request_view_checkpoint(0)
    snap = s.snapshot()
    step0 = build_model(cfg.model, s.task, seed=cfg.train.seed)  # the weights before any training
    step0.eval()
    return s, snap, present, step0


def test_hidden_state_panels_show_the_viewed_checkpoint(viewed):
    s, snap, present, step0 = viewed
    assert snap.timeline["viewing"] == 0
    inputs = s.analyses.hidden._batch[0]
    st = batch_states(step0, inputs)
    units = snap.analysis["units"]
    n = units["values"].shape[3]
    np.testing.assert_allclose(units["values"][0], st["hidden"][:, :, :n], atol=1e-5)  # h
    np.testing.assert_allclose(units["values"][1], st["cell"][:, :, :n], atol=1e-5)  # c
    assert units["step"] == 0
    sat = unit_saturation(st["gates"])
    for gate, fr in snap.analysis["gate_saturation"]["gates"].items():
        np.testing.assert_allclose(fr["left"], sat[gate]["left"], atol=1e-6)
        np.testing.assert_allclose(fr["right"], sat[gate]["right"], atol=1e-6)
    space = snap.analysis["state_space"]
    pca = s.analyses.hidden.trackers[(0, 0)].pca
    np.testing.assert_allclose(space["proj"][0, 0], pca.project(st["hidden"][0, 0]), atol=1e-4)
    # the variance shown is that of the states shown now, along the axes drawn
    x = st["hidden"][0, 0].reshape(-1, 8).astype(np.float64)
    x = x - x.mean(0)
    expected = ((x @ pca.components.T) ** 2).sum(0) / (x * x).sum()
    np.testing.assert_allclose(space["ratio"][0, 0], expected, atol=1e-6)
    # negative control: the trained model's states differ
    assert np.abs(present["units"]["values"][0] - units["values"][0]).max() > 1e-2


def test_other_analyses_show_the_viewed_checkpoint(viewed):
    s, snap, present, step0 = viewed
    inputs, targets = s.example
    spec = analysis_dict(step0, inputs)
    for key, ev in snap.analysis["spectrum"]["eigenvalues"].items():
        np.testing.assert_allclose(np.sort(np.abs(ev)), np.sort(np.abs(spec["eigenvalues"][key])), atol=1e-6)
    a = attribution(step0, inputs, targets, "integrated_gradients", baseline="0")  # parity's neutral token
    np.testing.assert_allclose(snap.analysis["attribution"]["scores"], a.scores, atol=1e-5)
    assert np.abs(present["attribution"]["scores"] - snap.analysis["attribution"]["scores"]).max() > 1e-4
    with torch.no_grad():
        np.testing.assert_allclose(snap.trace.hidden[0, 0, -1], batch_states(step0, inputs)["hidden"][0, 0, 0, -1],
                                   atol=1e-5)


def test_a_search_started_on_a_checkpoint_searches_that_checkpoint(viewed):
    s, snap, present, step0 = viewed
    status = s.request_fixed_points(x_const="0", budget_s=60.0)
    while status["state"] == "running":
        status = s.request_fixed_points_step()
    got = s.analyses.hidden.fp_result
    want = fixed_points(step0, "0", seed=0, budget_s=60.0)  # the search seeds with the viewed step
    assert got["step"] == 0
    np.testing.assert_allclose(np.sort(got["q"]), np.sort(want["q"]), rtol=1e-6, atol=1e-30)


def test_gate_statistics_show_the_viewed_checkpoint(viewed):
    s, snap, present, step0 = viewed
    inputs, _targets = s.example
    gates = {name: g[:, :, 0] for name, g in batch_states(step0, inputs)["gates"].items()}  # (L, D, T, H)
    want = gate_statistics(gates)
    got = snap.analysis["gate_stats"]
    assert got["names"] == want["names"] == ("input", "forget", "cell_candidate", "output")
    for name in want["names"]:
        assert got["saturated"][name] == pytest.approx(want["saturated"][name], abs=1e-6)
    np.testing.assert_allclose(got["mean_keep"], want["mean_keep"], atol=1e-6)
    # negative control: the trained model's forget gates keep differently
    assert np.abs(present["gate_stats"]["mean_keep"] - got["mean_keep"]).max() > 1e-3


def test_pattern_search_searches_the_viewed_checkpoints_states(viewed):
    s, snap, present, step0 = viewed
    inputs, _targets = s.example
    batch = s.analyses.hidden._batch[0]
    shown = batch_states(step0, inputs)["hidden"][0, 0, 0]  # (T, H) of the displayed example
    seqs = [shown] + list(batch_states(step0, batch)["hidden"][0, 0])
    t1 = min(3, len(shown) - 1)
    threshold = float(np.median(shown[:t1 + 1]))  # about half the units active: a query with something to match
    got = s.request_pattern_search(0, t1, threshold)
    want = pattern_search(seqs, 0, 0, t1, threshold)
    assert list(got["units"]) == list(want["units"]) and len(want["units"]) > 0
    assert [(m["example"], m["start"], m["score"]) for m in got["matches"]] == [tuple(r) for r in want["matches"]]
    # negative control: the same query on the trained model's states finds another answer
    trained = s.model
    seqs_now = [batch_states(trained, inputs)["hidden"][0, 0, 0]] + list(batch_states(trained, batch)["hidden"][0, 0])
    other = pattern_search(seqs_now, 0, 0, t1, threshold)
    assert (list(other["units"]), other["matches"].tolist()) != (list(want["units"]), want["matches"].tolist())
