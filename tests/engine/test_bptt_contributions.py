"""BPTT's sum over time: each step's contribution to layer 1's gradients sums to autograd's gradient."""
import itertools

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import bptt, bptt_contributions, bptt_summary
from engine.network.probe import forward_backward
from tests.engine.test_engine_parity import ToyTask

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def setup(cell, bidir, layers=1, head="per_step", T=11, h0=False):
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidir, embedding_dim=4)
    task = make_task("adding", seq_len=T) if head == "regression" else ToyTask(head)
    model = build_model(cfg, task, seed=2)
    g = torch.Generator().manual_seed(3)
    if head == "regression":
        inputs, targets = task.sample_batch(1, g)
    else:
        inputs = torch.randint(0, 5, (1, T), generator=g)
        targets = inputs % 3 if head == "per_step" else inputs[:, 0] % 3
    state = {}
    if h0:
        LD = layers * (2 if bidir else 1)
        state = {"h0": torch.randn(LD, 5, generator=g)}
        if cell == "lstm":
            state["c0"] = torch.randn(LD, 5, generator=g)
    return model, task, inputs, targets, state


def autograd_grads(model, task, inputs, targets, state):
    model.zero_grad()
    task.loss(model(inputs, **state), targets).backward()
    return {n.removeprefix("encoder."): p.grad.numpy().astype(np.float64)
            for n, p in model.named_parameters() if n.startswith("encoder.") and "_l0" in n}


def check_sums(contribs, grads):
    assert set(contribs) == set(grads)
    for name, c in contribs.items():
        total = c.astype(np.float64).sum(0)
        err = np.linalg.norm(total - grads[name]) / np.linalg.norm(grads[name])
        assert err <= 1e-5, f"{name}: relative error {err:.2e}"


@pytest.mark.parametrize("cell,bidir,layers,head", [
    *itertools.product(CELLS, (False, True), (1,), ("per_step",)),
    *itertools.product(CELLS, (True,), (2,), ("final", "regression")),
])
def test_contributions_sum_to_autograd_gradient(cell, bidir, layers, head):
    model, task, inputs, targets, state = setup(cell, bidir, layers, head)
    contribs = bptt_contributions(model, inputs, targets, **state)
    T = inputs.shape[1]
    w = model.encoder.weight_hh_l0
    assert contribs["weight_hh_l0"].shape == (T, *w.shape)
    assert contribs["bias_ih_l0"].shape == (T, w.shape[0])
    check_sums(contribs, autograd_grads(model, task, inputs, targets, state))
    # a step's term really is per-step: not all equal, and (acceptor) the steps differ in size
    norms = np.linalg.norm(contribs["weight_hh_l0"].reshape(T, -1), axis=1)
    assert norms.std() > 1e-3 * norms.mean()


@pytest.mark.parametrize("cell", CELLS)
def test_contributions_with_initial_state(cell):
    model, task, inputs, targets, state = setup(cell, True, 2, "per_step", h0=True)
    check_sums(bptt_contributions(model, inputs, targets, **state),
               autograd_grads(model, task, inputs, targets, state))


def test_first_step_reads_h0():
    """Forward chain: step 0's W_hh term is delta_0 h_0^T, zero when h_0 = 0."""
    model, task, inputs, targets, state = setup("gru", True, h0=False)
    c = bptt_contributions(model, inputs, targets)
    assert np.abs(c["weight_hh_l0"][0]).max() == 0.0
    assert np.abs(c["weight_hh_l0_reverse"][-1]).max() == 0.0  # the backward chain starts at t = T-1
    assert np.abs(c["weight_hh_l0"][1]).max() > 0


def _patched(monkeypatch, change):
    real = forward_backward

    def wrong(*args, **kwargs):
        p = real(*args, **kwargs)
        for d in p.directions[0]:
            change(d)
        return p

    monkeypatch.setattr("engine.analysis.bptt.forward_backward", wrong)


def _shift(d):
    d.h_prev = d.hidden.copy()  # delta_t h_t^T: paired with the wrong step


def _shift_delta(d):
    d.dhp = np.roll(d.dhp, 1, axis=0)  # delta_{t-1} h_{t-1}^T
    d.dxp = np.roll(d.dxp, 1, axis=0)


def _negate(d):
    d.dxp, d.dhp = -d.dxp, -d.dhp


@pytest.mark.parametrize("change", [_shift, _shift_delta, _negate], ids=["h_t", "delta_t-1", "sign"])
@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm"])
def test_negative_controls_off_by_one_and_wrong_sign_fail(monkeypatch, cell, change):
    model, task, inputs, targets, state = setup(cell, True, h0=True)
    grads = autograd_grads(model, task, inputs, targets, state)
    _patched(monkeypatch, change)
    with pytest.raises(AssertionError):
        check_sums(bptt_contributions(model, inputs, targets, **state), grads)


def test_summary_norms_match_the_contributions():
    model, task, inputs, targets, state = setup("lstm", True, h0=True, T=23)
    contribs = bptt_contributions(model, inputs, targets, **state)
    summary = bptt_summary(model, inputs, targets, **state)
    grads = autograd_grads(model, task, inputs, targets, state)
    for name, c in contribs.items():
        flat = c.reshape(c.shape[0], -1).astype(np.float64)
        s = summary[name]
        np.testing.assert_allclose(s["step"], np.linalg.norm(flat, axis=1), rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(s["running"], np.linalg.norm(np.cumsum(flat, 0), axis=1), rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(s["running_back"], np.linalg.norm(np.cumsum(flat[::-1], 0)[::-1], axis=1),
                                   rtol=1e-5, atol=1e-9)
        assert s["total"] == pytest.approx(np.linalg.norm(grads[name]), rel=1e-5)


def test_summary_blocks_and_size_limit(monkeypatch):
    """The running norm is the same computed in blocks of 7 rows as in one; big arrays are refused."""
    model, task, inputs, targets, state = setup("gru", False, T=40)
    d = forward_backward(model, inputs, targets).directions[0][0]
    a, b = d.dhp.astype(np.float64), d.h_prev.astype(np.float64)
    np.testing.assert_allclose(bptt._running(a, b, 7), bptt._running(a, b, 512), rtol=1e-9)
    np.testing.assert_allclose(bptt._running(a, b, 7), bptt_summary(model, inputs, targets)["weight_hh_l0"]["running"],
                               rtol=1e-9)
    monkeypatch.setattr(bptt, "MAX_ELEMENTS", 1000)
    with pytest.raises(ValueError, match="per-step contributions would hold"):
        bptt_contributions(model, inputs, targets)


def test_live_analysis_key_bptt_rides_along_with_a_snapshot():
    from engine.lab.config import LabConfig
    from engine.lab.session import LabSession

    session = LabSession(LabConfig.for_task("adding"))
    session.analyses.wanted = {"bptt"}
    payload = session.snapshot().analysis["bptt"]
    inputs, targets = session.example
    model = session.model
    model.zero_grad()
    task = session.task
    task.loss(model(inputs), targets).backward()
    for name in ("weight_hh_l0", "weight_ih_l0", "bias_ih_l0", "bias_hh_l0"):
        assert payload[name]["step"].shape == (inputs.shape[1],)
        grad = getattr(model.encoder, name).grad
        assert payload[name]["running"][-1] == pytest.approx(grad.norm().item(), rel=1e-5)
        assert payload[name]["running_back"][0] == pytest.approx(grad.norm().item(), rel=1e-5)
