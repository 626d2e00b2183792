"""f and g must be non-linear: the identity-activation recurrence is what it says (checked against a
numpy recurrence), collapses to matrix powers (its logits from the formula alone), and cannot learn
parity while tanh can (seeds 0-2, each side within 60 s)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from engine import ModelConfig, make_task
from engine.network.model import build_model
from engine.reproductions.nonlinear_parity import IdentityRNN, all_inputs, collapsed_logits, linearise


def model_pair(seed=0, T=5):
    task = make_task("parity", seq_len=T)
    tanh = build_model(ModelConfig(cell="rnn_tanh", hidden_size=6, embedding_dim=3), task, seed=seed)
    linear = copy.deepcopy(tanh)
    linearise(linear)
    return tanh, linear


def test_identity_rnn_is_the_linear_recurrence():
    _tanh, linear = model_pair()
    x = all_inputs(5)[:7]
    enc = linear.encoder
    assert isinstance(enc, IdentityRNN) and {n for n, _ in enc.named_parameters()} == {
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    with torch.no_grad():
        e = linear.embed(x).double().numpy()
        out, _ = enc(linear.embed(x))
    w_ih, w_hh = enc.weight_ih_l0.double().detach().numpy(), enc.weight_hh_l0.double().detach().numpy()
    b = (enc.bias_ih_l0 + enc.bias_hh_l0).double().detach().numpy()
    h = np.zeros((7, 6))
    for t in range(5):  # numpy, step by step, no activation
        h = e[:, t] @ w_ih.T + h @ w_hh.T + b
        np.testing.assert_allclose(out[:, t].numpy(), h, rtol=1e-5, atol=1e-5)


def test_linear_logits_follow_the_matrix_powers_and_tanh_ones_do_not():
    tanh, linear = model_pair(seed=1)
    x = all_inputs(5)
    with torch.no_grad():
        lin_logits, tanh_logits = linear(x).double().numpy(), tanh(x).double().numpy()
    assert np.abs(collapsed_logits(linear, x) - lin_logits).max() < 1e-5
    # negative control: the same weights with tanh are not the matrix-power formula
    assert np.abs(collapsed_logits(tanh, x) - tanh_logits).max() > 1e-2


def test_linearise_refuses_what_it_cannot_take():
    task = make_task("parity", seq_len=5)
    with pytest.raises(ValueError, match="one-layer"):
        linearise(build_model(ModelConfig(cell="gru", hidden_size=4), task))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh_learns_parity_and_the_linear_rnn_cannot(seed):
    from engine.reproductions import reproduce

    torch.set_num_threads(1)
    out = reproduce("nonlinear_parity", seed=seed, quick=True)
    curves = out.measured["curves"]
    assert curves["g = tanh"]["all_inputs"] >= 0.99
    assert curves["g = identity (linear)"]["all_inputs"] <= 0.75
    assert out.measured["collapse_error"] < 1e-3
    assert out.verdict.reproduced, out.verdict.why
    assert out.seconds < 60  # both halves together within a minute
