"""The fixed-point search finds what exists (issue 29 item 1).

Planted nets: for every cell, weights built so that under the zero input there is one slow attractor
s* (top |lambda| 0.98) far from the states the data visits. The search must find s*, and its
eigenvalues must equal those of the Jacobian of one step of torch's own fused module (autograd, not
the search's StepMap). Independently, running the fused module forward from a data state reaches s*.
"""
import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import ZERO_INPUT, fixed_points, search_fixed_points

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")
H = 4
TARGET = torch.tensor([0.8, -0.6, 0.7, -0.5], dtype=torch.float64)  # h* planted
SLOW = 0.98


def contraction():
    """(H, H) with eigenvalues of modulus SLOW (a rotation scaled): a slowly decaying memory."""
    a = 0.3
    rot = torch.tensor([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], dtype=torch.float64)
    return SLOW * torch.block_diag(rot, rot.T)


def planted(cell):
    """A parity model (T = 3) whose step under the zero input is a contraction (so s* is its only fixed
    point) with s* planted; the data states start at 0 and move slowly, so s* lies far from them."""
    task = make_task("parity", seq_len=3)
    model = build_model(ModelConfig(cell=cell, hidden_size=H, embedding_dim=2), task, seed=0)
    enc = model.encoder
    M = contraction()
    with torch.no_grad():
        for p in enc.parameters():
            p.zero_()
        model.embed.weight.mul_(0.01)  # the inputs barely move the state: the data lie on one slow path
        enc.weight_ih_l0.normal_(0, 1.0)
        h = 0.3 * TARGET
        if cell == "rnn_relu":  # linear where active: J = M
            h = h.abs()
            enc.weight_hh_l0.copy_(M)
            enc.bias_hh_l0.copy_(h - M @ h)
            state = h
        elif cell == "rnn_tanh":  # J = diag(1 - h*^2) M
            enc.weight_hh_l0.copy_(M)
            enc.bias_hh_l0.copy_(torch.atanh(h) - M @ h)
            state = h
        elif cell == "gru":  # gates r = z = 1/2 (zero weights): h' = (n + h) / 2, n = tanh(M h + b)
            enc.weight_hh_l0[2 * H:].copy_(2 * M)
            enc.bias_hh_l0[2 * H:].copy_(2 * (torch.atanh(h) - M @ h))
            state = h
        else:  # i = o = 1/2, f = sigmoid(3); c* = i g* / (1 - f), h* = o tanh(c*), g = tanh(W h + b)
            f = torch.sigmoid(torch.tensor(3.0, dtype=torch.float64))
            c = torch.atanh(h / 0.5)
            g = (1 - f) * c / 0.5
            W = 0.1 * M
            enc.weight_hh_l0[2 * H:3 * H].copy_(W)
            enc.bias_hh_l0[2 * H:3 * H].copy_(torch.atanh(g) - W @ h)
            enc.bias_hh_l0[H:2 * H].fill_(3.0)
            state = torch.cat([h, c])
    model.eval()
    return task, model, state


def fused_step(model, s, x=None):
    """One step of the model's own fused torch module, in float64: s (S,) -> (S,), from the embedded
    input x (default: the zero embedding, no token)."""
    enc = model.encoder.double()
    if x is None:
        x = torch.zeros(1, 1, enc.input_size, dtype=torch.float64)
    Hh = model.config.hidden_size
    if model.config.cell == "lstm":
        _, (h, c) = enc(x, (s[None, None, :Hh], s[None, None, Hh:]))
        out = torch.cat([h[0, 0], c[0, 0]])
    else:
        _, h = enc(x, s[None, None])
        out = h[0, 0]
    model.encoder.float()
    return out


@pytest.mark.parametrize("cell", CELLS)
def test_planted_slow_attractor_far_from_the_data_is_found(cell):
    task, model, star = planted(cell)
    # the planted point is a fixed point of torch's own step (independent of the search's code)
    with torch.no_grad():
        assert torch.linalg.vector_norm(fused_step(model, star) - star) < 1e-6
    J = torch.autograd.functional.jacobian(lambda s: fused_step(model, s), star)
    lam = np.sort(np.abs(torch.linalg.eigvals(J).numpy()))[::-1]
    assert 0.9 < lam[0] < 1  # slow and stable
    r = fixed_points(model, ZERO_INPUT, n_starts=32, seed=1, budget_s=30)
    found = r["points"][r["fixed"] & r["stable"]]
    assert len(found) >= 1
    dist = np.linalg.norm(found - star.numpy(), axis=1)
    k = int(np.argmin(dist))
    assert dist[k] < 1e-6
    row = np.flatnonzero(r["fixed"] & r["stable"])[k]
    np.testing.assert_allclose(np.sort(np.abs(r["eigenvalues"][row]))[::-1], lam, atol=1e-6)
    # far from the data: further from the reference states' centre than 3x their mean distance from it
    assert _distance_in_data_units(task, model, star.numpy()) > 3
    # negative control: data starts only, no descent and no polish find nothing, and say how close they came
    none = fixed_points(model, ZERO_INPUT, n_starts=2, seed=1, iterate_steps=0, max_iters=0, newton_steps=0)
    assert len(none["points"]) == 0 and none["best_q"] > 1e-4
    assert none["summary"].startswith("no fixed or slow point: the lowest q reached was")


def _distance_in_data_units(task, model, point):
    from engine.analysis import batch_states, full_state

    inputs, _ = task.sample_batch(32, torch.Generator().manual_seed(1))
    flat = full_state(batch_states(model, inputs)).reshape(-1, len(point))
    centre = flat.mean(0)
    return float(np.linalg.norm(point - centre) / np.linalg.norm(flat - centre, axis=1).mean())


def test_budget_covers_the_whole_search_and_cancel_stops_it():
    task = make_task("adding")
    model = build_model(ModelConfig(cell="lstm", hidden_size=96), task)  # S = 192
    r = fixed_points(model, n_starts=64, budget_s=0.5, q_tol=0.0)
    assert r["seconds"] < 0.5 * 1.3 + 0.2  # the reference states and eigenvalues are inside the budget
    calls = []
    gen = search_fixed_points(model, n_starts=64, budget_s=60, cancel=lambda: len(calls) > 3)
    try:
        while True:
            calls.append(next(gen))
    except StopIteration as done:
        result = done.value
    assert result["cancelled"] and len(result["points"]) == 0 and result["seconds"] < 5
    assert result["summary"].startswith("search cancelled")


def test_settings_are_checked():
    task, model, _ = planted("rnn_tanh")
    with pytest.raises(ValueError, match="slow_tol"):
        fixed_points(model, q_tol=1e-3, slow_tol=1e-6)
    with pytest.raises(ValueError, match="iterate_steps"):
        fixed_points(model, iterate_steps=-1)
    with pytest.raises(ValueError, match="budget_s"):
        fixed_points(model, budget_s=0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adding_lstm_attractor_is_found(seed):
    """The issue's case: an adding LSTM (H = 32, T = 20, 1500 steps) holds its sum in one slowly leaking
    attractor; the default search (3 s) finds it where running the fused LSTM forward ends up."""
    from engine import TrainConfig, Trainer

    torch.set_num_threads(1)
    task = make_task("adding", seq_len=20)
    model = build_model(ModelConfig(cell="lstm", hidden_size=32), task, seed=seed)
    trainer = Trainer(model, task, TrainConfig(seed=seed))
    for _ in range(1500):
        trainer.step()
    model.eval()
    r = fixed_points(model, seed=0)
    # independent: the fused nn.LSTM run for 4000 steps of the zero input from a data state
    inputs, _ = task.sample_batch(1, torch.Generator().manual_seed(9))
    enc = model.encoder
    with torch.no_grad():
        _, state = enc(model.embed(inputs))
        zero = model.embed(torch.zeros(1, 4000, 2))
        _, (h, c) = enc(zero, state)
    end = torch.cat([h[0, 0], c[0, 0]]).double().numpy()
    attract = r["points"][r["fixed"] & r["stable"]]
    assert len(attract) >= 1, r["summary"]
    assert np.linalg.norm(attract - end, axis=1).min() < 1e-3 * max(1.0, np.linalg.norm(end))
    k = np.flatnonzero(r["fixed"] & r["stable"])[np.linalg.norm(attract - end, axis=1).argmin()]
    assert 0.9 < r["top_abs"][k] < 1  # a slowly leaking memory


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_trained_nets_every_attractor_that_iteration_reaches_is_found(cell):
    from engine import TrainConfig, Trainer

    torch.set_num_threads(1)
    task = make_task("adding", seq_len=10)
    model = build_model(ModelConfig(cell=cell, hidden_size=8), task, seed=0)
    trainer = Trainer(model, task, TrainConfig(seed=0))
    for _ in range(300):
        trainer.step()
    model.eval()
    r = fixed_points(model, seed=0, budget_s=10)
    stable = r["points"][r["fixed"] & r["stable"]]
    inputs, _ = task.sample_batch(8, torch.Generator().manual_seed(9))
    with torch.no_grad():  # independent: the fused module, run on for 3000 steps of the zero input
        _, state = model.encoder(model.embed(inputs))
        zero = model.embed(torch.zeros(8, 3000, 2))
        _, state = model.encoder(zero, state)
        _, after = model.encoder(zero[:, :1], state)
    pack = (lambda st: torch.cat([st[0][0], st[1][0]], -1)) if cell == "lstm" else (lambda st: st[0])
    ends, moved = pack(state).double().numpy(), (pack(after) - pack(state)).norm(dim=-1).numpy()
    assert (moved < 1e-6).any()  # at least one run settled (else this test would check nothing)
    for end in ends[moved < 1e-6]:  # iterations that settled: an attractor lies there
        assert len(stable) and np.linalg.norm(stable - end, axis=1).min() < 1e-4, r["summary"]
    with torch.no_grad():
        x = model.embed.double()(torch.zeros(1, 1, 2, dtype=torch.float64))  # the real input x* = 0
        model.float()
    for k in np.flatnonzero(r["fixed"])[:3]:  # eigenvalues against autograd through the fused step
        s = torch.as_tensor(r["points"][k])
        J = torch.autograd.functional.jacobian(lambda v: fused_step(model, v, x), s)
        lam = np.sort(np.abs(torch.linalg.eigvals(J).numpy()))[::-1]
        np.testing.assert_allclose(np.sort(np.abs(r["eigenvalues"][k]))[::-1], lam, atol=1e-5)


def test_top_eigenvalues_of_a_large_state_match_lapack():
    from engine.analysis.search.eigen import eigen
    from engine.analysis.states import StepMap, neutral_input

    task = make_task("adding")
    model = build_model(ModelConfig(cell="lstm", hidden_size=300), task, seed=0)  # S = 600: Arnoldi
    fmap = StepMap(model, neutral_input(task)[1])
    J = fmap.jacobians(0.3 * torch.randn(1, fmap.size, generator=torch.Generator().manual_seed(0),
                                         dtype=torch.float64))[0]
    lam, vec, method = eigen(J)
    assert method == "top 16 (Arnoldi)" and np.isnan(lam[16:]).all()
    full = torch.linalg.eigvals(J).numpy()
    np.testing.assert_allclose(np.abs(lam[:4]), np.sort(np.abs(full))[::-1][:4], atol=1e-3)
    v = torch.as_tensor(vec)
    assert float((J.to(torch.complex128) @ v - lam[0] * v).abs().max()) < 1e-2  # the vector goes with it
