"""The engine side of the hidden-state panels: payloads with a snapshot, the fixed-point search in slices
while training goes on, and the pattern-search request, driven through LabSession as the window does."""
import numpy as np
import pytest

from engine.analysis import batch_states, fixed_points
from engine.lab.config import LabConfig
from engine.lab.session import LabSession


def session_for(task, **model):
    cfg = LabConfig.for_task(task)
    if model:
        from dataclasses import replace
        cfg = replace(cfg, model=replace(cfg.model, **model))
    s = LabSession(cfg)
    s.analyses.wanted = {"state_space", "units", "gate_saturation"}
    return s


def test_payloads_have_the_documented_shapes_and_values():
    s = session_for("dyck1", hidden_size=8, num_layers=2)
    for _ in range(5):
        s.step()
    a = s.snapshot().analysis
    ss, units, sat = a["state_space"], a["units"], a["gate_saturation"]
    L, D, B = 2, 1, 32
    T = ss["proj"].shape[3]
    assert ss["proj"].shape == (L, D, B, T, 3) and T >= 10  # a long reference batch, not the shortest
    ref = s.analyses.hidden.reference(s)
    h = batch_states(s.model, ref["inputs"])["hidden"]
    np.testing.assert_allclose(ref["states"]["hidden"], h, atol=1e-6)
    x = h[1, 0].reshape(-1, 8).astype(np.float64)
    ratio = np.linalg.svd(x - x.mean(0), compute_uv=False) ** 2
    np.testing.assert_allclose(ss["ratio"][1, 0], (ratio / ratio.sum())[:3], rtol=1e-4)
    assert ss["labels"].shape == (B,) and ss["label_names"] == ["unbalanced", "balanced"]
    assert ss["x_default_choice"].startswith("zero input") and "(" in ss["x_choices"]
    assert units["kinds"] == ["h", "c"] and units["corr"].shape == (2, 2, L, D, 8)  # depth, position
    assert units["values"].shape[:5] == (2, L, D, 6, T) and len(units["texts"]) == 6
    assert set(sat["gates"]) == {"input", "forget", "output"} and sat["gates"]["forget"]["left"].shape == (L, D, 8)
    rnn = session_for("parity", cell="rnn_tanh", hidden_size=4)
    assert rnn.snapshot().analysis["gate_saturation"] is None  # no gates: the panel says so


def test_fixed_point_search_in_slices_while_training_matches_one_run():
    s = session_for("parity", hidden_size=8)
    for _ in range(20):
        s.step()
    model_copy = type(s.model)(s.model.config, s.task)
    model_copy.load_state_dict(s.model.state_dict())
    status = s.request_fixed_points(x_const="0", period=1, budget_s=60.0)  # a budget that never binds
    slices = 1
    while status["state"] == "running":
        s.step()  # training goes on between slices: the search works on the weights it started with
        status = s.request_fixed_points_step()
        slices += 1
    assert slices > 1 and status["state"] == "done"
    sliced = s.analyses.hidden.fp_result
    whole = fixed_points(model_copy, "0", seed=20, budget_s=60.0)
    assert sliced["step"] == 20
    np.testing.assert_allclose(np.sort(sliced["q"]), np.sort(whole["q"]), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(sliced["points"], whole["points"], atol=1e-8)
    fixed = s.snapshot().analysis["state_space"]["fixed"]
    assert fixed["layers"][0]["points"].shape == (len(whole["q"]), 3) and fixed["step"] == 20


def test_requests_refuse_bad_input_with_one_line():
    bi = session_for("tagging")
    with pytest.raises(ValueError, match="left-to-right"):
        bi.request_fixed_points()
    assert bi.analyses.hidden.fp_status["state"] == "idle"
    s = session_for("parity", hidden_size=8)
    with pytest.raises(ValueError, match="token of the task"):
        s.request_fixed_points(x_const="7")
    with pytest.raises(ValueError, match="threshold"):
        s.request_pattern_search(0, 2, 3.0)
    with pytest.raises(ValueError, match="inside the sequence"):
        s.request_pattern_search(5, 40, 0.2)
    r = s.request_pattern_search(2, 4, 0.0)
    T = s.example[0].shape[1]
    assert r["query"] == list(s.task.render_inputs(s.example[0][0]))[2:5] and r["length"] == 3
    assert all(m["example"] > 0 or abs(m["start"] - 2) >= 3 for m in r["matches"])
    assert len(r["matches"]) == 10 and T == 10


def test_a_rebuilt_model_drops_a_running_search():
    s = session_for("parity", hidden_size=8)
    s.request_fixed_points(x_const="0")
    s.configure(LabConfig.for_task("dyck1"))
    status = s.request_fixed_points_step()
    assert status["state"] == "stopped" and "the model changed" in status["text"]  # said, not dropped silently
    assert s.analyses.hidden.fp.gen is None and s.analyses.hidden.fp_result is None


def test_a_search_can_be_cancelled_and_takes_its_settings():
    s = session_for("adding", hidden_size=8)
    # a forward run of 50 000 steps cannot end within the first slice
    status = s.request_fixed_points(x_const="0.5, 1", n_starts=8, budget_s=30.0, q_tol=1e-10, slow_tol=1e-3,
                                    iterate_steps=50_000)
    assert status["state"] == "running"
    status = s.request_fixed_points_cancel()
    assert status["state"] == "cancelled" and s.request_fixed_points_step()["state"] == "cancelled"
    assert s.analyses.hidden.fp_result is None
    with pytest.raises(ValueError, match="2 numbers separated by commas"):
        s.request_fixed_points(x_const="half")
    s.request_fixed_points(x_const="0.5, 1", n_starts=8, budget_s=30.0, slow_tol=1e-3)
    while s.request_fixed_points_step()["state"] == "running":
        pass
    r = s.analyses.hidden.fp_result
    assert r["x_label"] == "x* = [0.5, 1]" and r["settings"]["n_starts"] == 8 and r["slow_tol"] == 1e-3
