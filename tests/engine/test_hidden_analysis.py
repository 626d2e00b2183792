"""Engine analyses of the hidden state: batched states, PCA, fixed points, unit ranking, pattern
search and per-unit gate saturation, each against an independent computation."""
import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import (
    ZERO_INPUT,
    PCATracker,
    StepMap,
    batch_states,
    fit_pca,
    fixed_points,
    neutral_input,
    pattern_search,
    rank_units,
    task_features,
    unit_saturation,
)

TANH2 = 0.9575040240772687  # the positive root of tanh(2x) = x


@pytest.mark.parametrize("cell,layers,bi", [("lstm", 2, False), ("gru", 1, True), ("rnn_tanh", 2, True),
                                            ("rnn_relu", 1, False)])
def test_batch_states_match_the_fused_torch_encoder(cell, layers, bi):
    task = make_task("sentiment")
    model = build_model(ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bi), task)
    inputs, _ = task.sample_batch(5, torch.Generator().manual_seed(1))
    st = batch_states(model, inputs)
    with torch.no_grad():
        out, _ = model.encoder(model.embed(inputs))  # (B, T, D*H) top layer
    top = st["hidden"][-1]  # (D, B, T, H)
    got = np.concatenate(list(top), axis=-1)
    np.testing.assert_allclose(got, out.numpy(), atol=1e-5)
    if cell == "lstm":  # gates agree with the per-example probe
        from engine.network.probe import probe
        tr = probe(model, inputs[2:3], torch.zeros(1, dtype=torch.long))
        np.testing.assert_allclose(st["gates"]["forget"][:, :, 2], tr.gates["forget"], atol=1e-5)
        np.testing.assert_allclose(st["cell"][:, :, 2], tr.cell, atol=1e-5)


def test_step_map_is_one_step_of_the_encoder():
    task = make_task("parity")
    model = build_model(ModelConfig(cell="lstm", hidden_size=5, num_layers=2), task)
    inputs = torch.tensor([[1, 0, 0, 0]])
    st = batch_states(model, inputs)
    fmap = StepMap(model, task.vocab.index("0"))
    s1 = np.concatenate([st["hidden"][0, 0, 0, 1], st["cell"][0, 0, 0, 1],
                         st["hidden"][1, 0, 0, 1], st["cell"][1, 0, 0, 1]])
    s2 = np.concatenate([st["hidden"][0, 0, 0, 2], st["cell"][0, 0, 0, 2],
                         st["hidden"][1, 0, 0, 2], st["cell"][1, 0, 0, 2]])
    got = fmap(torch.as_tensor(s1[None], dtype=torch.float64))[0].numpy()
    np.testing.assert_allclose(got, s2, atol=1e-5)
    J = fmap.jacobians(torch.as_tensor(s1[None], dtype=torch.float64))[0]
    ref = torch.autograd.functional.jacobian(lambda v: fmap(v[None])[0], torch.as_tensor(s1, dtype=torch.float64))
    torch.testing.assert_close(J, ref)


def hand_built_rnn():
    """h' = tanh(diag(2, 0.5) h + W_ih e): under zero input, fixed points (0, 0) (a saddle with
    eigenvalues 2 and 0.5) and (+-0.9575, 0) (stable, eigenvalues 2(1 - 0.9575^2) and 0.5)."""
    task = make_task("parity")
    model = build_model(ModelConfig(cell="rnn_tanh", hidden_size=2, embedding_dim=2), task)
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.zero_()
        model.encoder.weight_hh_l0.copy_(torch.tensor([[2.0, 0.0], [0.0, 0.5]]))
        model.encoder.weight_ih_l0.copy_(torch.eye(2))
        model.embed.weight.copy_(torch.tensor([[-0.3, 0.4], [0.3, -0.4]]))  # "0" pushes down, "1" up
    return model


def test_fixed_points_of_a_hand_built_rnn():
    r = fixed_points(hand_built_rnn(), ZERO_INPUT, n_starts=32, seed=0)
    assert r["fixed"].all() and len(r["points"]) == 3
    order = np.argsort(r["points"][:, 0])
    pts, stable, eig = r["points"][order], r["stable"][order], r["eigenvalues"][order]
    np.testing.assert_allclose(pts, [[-TANH2, 0], [0, 0], [TANH2, 0]], atol=1e-4)
    assert list(stable) == [True, False, True]
    slope = 2 * (1 - TANH2**2)
    np.testing.assert_allclose(np.sort(np.abs(eig[0])), [slope, 0.5], atol=1e-4)
    np.testing.assert_allclose(np.sort(np.abs(eig[1])), [0.5, 2.0], atol=1e-4)
    np.testing.assert_allclose(np.abs(r["unstable_dir"][order][1]), [1, 0], atol=1e-6)  # the saddle leaves along unit 0
    assert (r["q"] < 1e-12).all() and r["x_label"].startswith("zero input")


def test_fixed_point_search_negative_control_and_bad_input():
    # with an input that drives unit 0 hard, only one fixed point is left (tanh(2h + 3) = h)
    model = hand_built_rnn()
    with torch.no_grad():
        model.embed.weight[1, 0] = 3.0
    r = fixed_points(model, "1", n_starts=16)
    assert len(r["points"]) == 1 and r["stable"].all() and r["points"][0, 0] > 0.99
    with pytest.raises(ValueError, match="token of the task"):
        fixed_points(model, "2")
    with pytest.raises(ValueError, match="n_starts"):
        fixed_points(model, n_starts=0)
    bi = build_model(ModelConfig(cell="gru", hidden_size=4, bidirectional=True), make_task("parity"))
    with pytest.raises(ValueError, match="left-to-right"):
        fixed_points(bi)


def test_fixed_point_search_keeps_to_its_budget_and_reports_progress():
    model = build_model(ModelConfig(cell="gru", hidden_size=32), make_task("sentiment"))
    seen = []
    r = fixed_points(model, n_starts=16, budget_s=0.3, q_tol=0.0, max_iters=100_000,
                     progress=lambda f, text: seen.append((f, text)))
    assert r["timed_out"] and r["seconds"] < 1.5
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0 and all(0 <= f <= 1 for f, _ in seen)


def test_neutral_inputs_are_named_per_task():
    assert neutral_input(make_task("parity"))[0] == "token '0' held fixed"
    assert neutral_input(make_task("sentiment"))[1] == make_task("sentiment").vocab.index("the")
    assert neutral_input(make_task("dyck1"))[1] is None
    label, value = neutral_input(make_task("adding"))
    assert np.array_equal(value, [0.0, 0.0]) and "zero" in label
    with pytest.raises(ValueError, match="2 finite numbers"):
        neutral_input(make_task("adding"), [1.0])


def test_pca_equals_numpy_svd_and_refits_only_on_drift():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6))
    pca = fit_pca(x.reshape(20, 10, 6), k=3)
    xc = x - x.mean(0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    np.testing.assert_allclose(np.abs(pca.components @ vt[:3].T), np.eye(3), atol=1e-10)
    np.testing.assert_allclose(pca.explained_ratio, s[:3] ** 2 / (s**2).sum(), rtol=1e-10)
    np.testing.assert_allclose(np.abs(pca.project(x)), np.abs(xc @ vt[:3].T), atol=1e-10)
    np.testing.assert_allclose(pca.explained_variance, np.var(xc @ vt[:3].T, axis=0, ddof=1), rtol=1e-10)
    tracker = PCATracker(k=2)
    assert tracker.update(x, key="a")[1]
    assert not tracker.update(x + 1e-3 * rng.normal(size=x.shape), key="a")[1]  # a little training
    rotated = x @ np.linalg.qr(rng.normal(size=(6, 6)))[0]
    assert tracker.update(rotated, key="a")[1]  # the states moved to other directions
    first = tracker.pca.components.copy()
    assert tracker.update(rotated.copy(), key="b")[1]  # another layer: refit, no sign alignment needed
    assert np.allclose(np.abs(first), np.abs(tracker.pca.components))



def test_ranking_finds_a_planted_unit_first():
    task = make_task("dyck1")
    inputs, _ = task.sample_batch(16, torch.Generator().manual_seed(3))
    depth = task_features(task, inputs)["depth (open brackets)"]  # (B, T)
    np.testing.assert_array_equal(depth[:, -1][task.label_example(inputs).numpy() == 1], 0)
    rng = np.random.default_rng(0)
    states = rng.normal(size=depth.shape + (12,))
    states[..., 5] = 0.1 * depth + 0.05 * rng.normal(size=depth.shape)
    states[..., 7] = -np.abs(rng.normal(size=depth.shape))  # negative control: large but unrelated
    order, corr = rank_units(states, depth)
    assert order[0] == 5 and corr[5] > 0.9 and np.abs(corr[np.arange(12) != 5]).max() < 0.2
    np.testing.assert_allclose(corr[5], np.corrcoef(states[..., 5].ravel(), depth.ravel())[0, 1])
    # through a real model: plant the feature in the encoder's unit 0 by making it an integrator
    model = build_model(ModelConfig(cell="rnn_relu", hidden_size=4, embedding_dim=2), make_task("parity"))
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.zero_()
        model.encoder.weight_hh_l0[3, 3] = 1.0
        model.encoder.weight_ih_l0[3, 0] = 1.0
        model.embed.weight.copy_(torch.tensor([[0.0, 0.0], [1.0, 0.0]]))  # unit 3 counts the 1s
    ptask = model.task
    x, _ = ptask.sample_batch(8, torch.Generator().manual_seed(0))
    st = batch_states(model, x)["hidden"][0, 0]
    order, corr = rank_units(st, task_features(ptask, x)["count of 1s so far"])
    assert order[0] == 3 and corr[3] == pytest.approx(1.0)


def test_charlm_features():
    task = make_task("charlm")
    text = 'ab "cd e" f'
    x = torch.tensor([[task.vocab.index(c) for c in text]])
    f = task_features(task, x)
    assert f["position since the last space"][0].tolist() == [1, 2, 0, 1, 2, 3, 0, 1, 2, 0, 1]
    assert f["inside quotes"][0].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]


def test_pattern_search_finds_the_planted_window():
    rng = np.random.default_rng(1)
    states = rng.uniform(-1, 0.2, size=(6, 30, 10))  # nothing above 0.5
    states[0, 10:14, [2, 4, 7]] = 0.9  # the query pattern
    states[3, 20:24, [2, 4, 7]] = 0.8  # the same pattern elsewhere
    states[4, 5:9, [2, 4, 7, 8, 9]] = 0.8  # the pattern plus two extra units: penalised
    states[5, 0:4, [2, 4]] = 0.8  # part of it
    r = pattern_search(states, 0, 10, 13, threshold=0.5, top=3)
    assert r["units"].tolist() == [2, 4, 7] and r["length"] == 4
    assert r["matches"].tolist() == [[3, 20, 3], [5, 0, 2], [4, 5, 1]]
    with pytest.raises(ValueError, match="inside the sequence"):
        pattern_search(states, 0, 10, 40, 0.5)


def test_unit_saturation_fractions():
    task = make_task("dyck1")
    model = build_model(ModelConfig(cell="lstm", hidden_size=3), task)
    with torch.no_grad():
        model.encoder.bias_hh_l0[3:6] = 50.0  # forget gate always open
        model.encoder.bias_hh_l0[0:3] = -50.0  # input gate always closed
    inputs, _ = task.sample_batch(4, torch.Generator().manual_seed(0))
    sat = unit_saturation(batch_states(model, inputs)["gates"])
    assert set(sat) == {"input", "forget", "output"}  # tanh candidates are not gates
    np.testing.assert_array_equal(sat["forget"]["right"], np.ones((1, 1, 3)))
    np.testing.assert_array_equal(sat["input"]["left"], np.ones((1, 1, 3)))
    g = np.random.default_rng(0).uniform(size=(1, 1, 50, 2))
    ref = unit_saturation({"update": g})["update"]
    np.testing.assert_allclose(ref["left"][0, 0], (g[0, 0] < 0.1).mean(0))
