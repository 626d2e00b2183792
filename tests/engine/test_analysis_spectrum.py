"""engine.analysis.spectrum: eigenvalues of the recurrent weights and the norms of dh_T/dh_t.

The Jacobian norms are checked against torch's own fused modules: the sequence is split at t,
h_t is cut in as a leaf, the rest is re-run and torch.autograd.functional.jacobian differentiates
the direction's final state with respect to that leaf (independent of engine.network.probe and the
closed-form step Jacobians).
"""
import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import (
    analysis_dict,
    jacobian_norms,
    recurrent_matrices,
    spectra,
    spectral_radii,
    spectral_radius,
)
from engine.analysis.spectrum import step_jacobians
from engine.network import cells as cells_mod
from tests.reference import layerwise, single

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def small(cell, bidir=False, layers=2, init="default", seed=0, T=6):
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidir,
                      embedding_dim=4, init=init)
    task = make_task("adding", seq_len=T)
    model = build_model(cfg, task, seed=seed)
    inputs, _ = task.sample_batch(1, torch.Generator().manual_seed(seed + 3))  # (1, T, 2)
    return model, inputs


def reference_norm(model, inputs, layer, d, t) -> float:
    """||dh_T/dh_t||_2 by autograd through the fused one-direction module, h_t a cut-in leaf."""
    cfg = model.config
    H, T = cfg.hidden_size, inputs.shape[1]
    with torch.no_grad():
        layer_outs, _, _ = layerwise(model, inputs)
        seq = model.embed(inputs) if layer == 0 else layer_outs[layer - 1]  # (1, T, I)
    mod = single(model, layer, d)
    seq = seq if d == 0 else seq.flip(1)  # the direction's own reading order
    k = t if d == 0 else T - 1 - t  # position of h_t in that order
    with torch.no_grad():
        out1, st1 = mod(seq[:, : k + 1])
    h_k = out1[0, -1].clone()  # (H,)

    def final_state(h):  # h_t (H,) -> h_T (H,)
        if k == T - 1:
            return h
        state = (h.view(1, 1, H), st1[1]) if cfg.cell == "lstm" else h.view(1, 1, H)  # c_t held
        out2, _ = mod(seq[:, k + 1:], state)
        return out2[0, -1]

    jac = torch.autograd.functional.jacobian(final_state, h_k)  # (H, H)
    return float(torch.linalg.matrix_norm(jac.double(), ord=2))


@pytest.mark.parametrize("bidir", [False, True])
@pytest.mark.parametrize("cell", CELLS)
def test_jacobian_norms_equal_autograd(cell, bidir):
    model, inputs = small(cell, bidir)
    T = inputs.shape[1]
    got = jacobian_norms(model, inputs)
    D = 2 if bidir else 1
    assert got.shape == (2, D, T)
    expect = np.empty_like(got)
    for layer in range(2):
        for d in range(D):
            for t in range(T):
                lag = T - 1 - t if d == 0 else t  # the backward direction ends at position 0
                expect[layer, d, lag] = reference_norm(model, inputs, layer, d, t)
    np.testing.assert_allclose(got[..., 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(got, expect, rtol=2e-4, atol=1e-9)
    assert expect[..., -1].max() < 0.9 * expect[..., 1].max()  # the check sees a falling curve


@pytest.mark.parametrize("cell", CELLS)
def test_step_jacobians_equal_autograd_of_the_cell_step(cell):
    """The closed-form ds_k/ds_{k-1} (state [h; c] for an LSTM) equals autograd of engine.network.cells' step."""
    model, _ = small(cell, layers=1)
    H, G = 5, {"lstm": 4, "gru": 3}.get(cell, 1)
    gen = torch.Generator().manual_seed(4)
    xp = torch.randn(3, G * H, generator=gen)  # (n, G*H)
    h, c = torch.randn(3, H, generator=gen), torch.randn(3, H, generator=gen)  # (n, H)
    w_hh, b_hh = (t.detach() for t in (model.encoder.weight_hh_l0, model.encoder.bias_hh_l0))
    got = step_jacobians(cell, xp, h, c if cell == "lstm" else None, w_hh, b_hh)
    step = cells_mod.step_function(cell)

    def state_step(s, xp_k):
        if cell == "lstm":
            return torch.cat(step(xp_k, s[:H], s[H:], w_hh, b_hh)[:2])  # [h_k; c_k]
        return step(xp_k, s, None, w_hh, b_hh)[0]

    for k in range(3):
        s0 = torch.cat([h[k], c[k]]) if cell == "lstm" else h[k]
        expect = torch.autograd.functional.jacobian(lambda s, xk=xp[k]: state_step(s, xk), s0)
        np.testing.assert_allclose(got[k].numpy(), expect.double().numpy(), rtol=1e-4, atol=1e-6)
    assert got.abs().max() > 0.05  # not a trivially zero Jacobian


def test_jacobian_norms_growing_when_exploding():
    """A relu RNN with W_hh = 1.5 I and positive states: ||dh_T/dh_t|| = 1.5^lag exactly."""
    model, inputs = small("rnn_relu", layers=1, init="identity", T=8)
    with torch.no_grad():
        model.encoder.weight_hh_l0.mul_(1.5)
        model.encoder.bias_ih_l0.fill_(10.0)  # every pre-activation positive: relu' = 1
    got = jacobian_norms(model, inputs)[0, 0]
    np.testing.assert_allclose(got, 1.5 ** np.arange(8), rtol=1e-5)


def test_jacobian_norms_leave_grads_and_mode_alone():
    model, inputs = small("lstm", bidir=True)
    model.train()
    for p in model.parameters():
        p.grad = torch.full_like(p, 7.0)
    jacobian_norms(model, inputs)
    assert model.training
    assert all(torch.equal(p.grad, torch.full_like(p, 7.0)) for p in model.parameters())


@pytest.mark.parametrize("cell", CELLS)
def test_spectral_radius_equals_numpy(cell):
    model, _ = small(cell, bidir=True)
    H = 5
    radii = spectral_radii(model)
    assert set(radii) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for (layer, d), rho in radii.items():
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        w = getattr(model.encoder, f"weight_hh{sfx}").detach().numpy().astype(np.float64)
        block = w if cell.startswith("rnn") else w[2 * H:3 * H]  # candidate: GRU n, LSTM g
        assert rho == pytest.approx(np.abs(np.linalg.eigvals(block)).max(), rel=1e-12)
        np.testing.assert_array_equal(recurrent_matrices(model)[(layer, d)], block)
    assert spectral_radius(model) == pytest.approx(max(radii.values()), rel=1e-12)
    assert 0.05 < spectral_radius(model) < 3  # torch's U(-1/sqrt(H), 1/sqrt(H)) init


def test_identity_init_gives_unit_eigenvalues():
    model, _ = small("rnn_tanh", init="identity")
    for ev in spectra(model).values():
        np.testing.assert_array_equal(ev, np.ones(5, dtype=complex))
    assert spectral_radius(model) == 1.0


@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm"])
def test_orthogonal_init_puts_eigenvalues_on_the_unit_circle(cell):
    model, _ = small(cell, bidir=True, init="orthogonal")
    default, _ = small(cell, bidir=True)
    for ev in spectra(model).values():
        np.testing.assert_allclose(np.abs(ev), 1.0, atol=1e-5)
    assert spectral_radius(model) == pytest.approx(1.0, abs=1e-5)
    assert np.abs(np.concatenate(list(spectra(default).values()))).max() < 0.99


def test_tanh_rnn_gradient_vanishes_unless_identity_init():
    """adding, T = 50: default init loses many orders of magnitude over 40 steps; IRNN keeps it."""
    task = make_task("adding", seq_len=50)
    inputs, _ = task.sample_batch(1, torch.Generator().manual_seed(0))
    ratios = {}
    for init in ("default", "identity"):
        model = build_model(ModelConfig(cell="rnn_tanh", hidden_size=32, init=init), task, seed=0)
        j = jacobian_norms(model, inputs)[0, 0]
        ratios[init] = j[40] / j[1]
    assert ratios["default"] < 1e-6
    assert ratios["identity"] > 0.1


def test_analysis_dict_is_plain_numpy():
    model, inputs = small("gru", bidir=True)
    hist = {"step": [1, 2, 3], "radius": [0.5, 0.6, 0.7]}
    a = analysis_dict(model, inputs, hist)
    assert set(a) == {"eigenvalues", "radius", "radius_history", "jacobian_norms", "matrix_note"}
    assert sorted(a["eigenvalues"]) == ["l0d0", "l0d1", "l1d0", "l1d1"]
    for key, ev in a["eigenvalues"].items():
        assert isinstance(ev, np.ndarray) and ev.dtype == np.complex128 and ev.shape == (5,)
        np.testing.assert_array_equal(ev, spectra(model)[(int(key[1]), int(key[3]))])
    assert a["radius"] == pytest.approx(spectral_radius(model))
    np.testing.assert_array_equal(a["radius_history"]["radius"], [0.5, 0.6, 0.7])
    assert a["radius_history"]["step"].dtype == np.float64
    np.testing.assert_array_equal(a["jacobian_norms"], jacobian_norms(model, inputs))
    assert "W_hn" in a["matrix_note"]
    empty = analysis_dict(model, inputs, None)["radius_history"]
    assert empty["step"].shape == (0,) and empty["radius"].shape == (0,)
    with pytest.raises(ValueError, match="radius_history"):
        analysis_dict(model, inputs, {"step": [1, 2], "radius": [0.5]})


def test_diverged_weights_give_nan_not_errors():
    model, inputs = small("lstm", layers=1)
    with torch.no_grad():
        model.encoder.weight_hh_l0[2 * 5, 0] = float("nan")  # in the candidate block W_hg
    a = analysis_dict(model, inputs, None)
    assert np.isnan(a["radius"])
    assert np.isnan(a["eigenvalues"]["l0d0"]).all()
    norms = a["jacobian_norms"][0, 0]
    assert norms[0] == 1.0 and np.isnan(norms[1:]).all()
