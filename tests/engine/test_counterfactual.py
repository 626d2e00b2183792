"""Counterfactual input: the engine's ||h_t - h'_t|| and outputs, and the panel that asks and draws."""
import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis.counterfactual import counterfactual, fade_steps, replaced_inputs
from engine.network.probe import probe
from widgets.readout.counterfactual_panel import CounterfactualPanel


def setup(task_name="parity", cell="lstm", bidirectional=False, layers=1, seed=0, **params):
    task = make_task(task_name, **params)
    cfg = ModelConfig(cell=cell, hidden_size=8, num_layers=layers, bidirectional=bidirectional,
                      embedding_dim=4)
    model = build_model(cfg, task, seed=seed)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed + 5))
    return task, model, x, y


def flipped(x, position):
    return 1 - int(x[0, position])


# ---- engine ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_distance_is_the_norm_of_the_probed_state_difference(cell):
    task, model, x, y = setup(cell=cell, layers=2, seq_len=10)
    pos = 4
    res = counterfactual(model, x, y, pos, flipped(x, pos))
    x2 = x.clone()
    x2[0, pos] = flipped(x, pos)
    a, b = probe(model, x, y), probe(model, x2, y)
    np.testing.assert_allclose(res["distance"], np.linalg.norm(b.hidden - a.hidden, axis=-1), atol=1e-6)
    np.testing.assert_allclose(res["encoded_distance"], np.linalg.norm(b.encoded - a.encoded, axis=-1),
                               atol=1e-6)
    assert (res["distance"][:, 0, :pos] == 0.0).all()  # exactly: nothing before t has read the change
    assert (res["distance"][:, 0, pos:] > 0).all()
    np.testing.assert_allclose(res["before"], a.outputs.reshape(res["before"].shape), atol=1e-6)
    np.testing.assert_allclose(res["after"], b.outputs.reshape(res["after"].shape), atol=1e-6)
    assert res["before_labels"] == a.predictions and res["after_labels"] == b.predictions
    assert res["loss_before"] == pytest.approx(a.loss, abs=1e-5)
    assert res["loss_after"] == pytest.approx(b.loss, abs=1e-5)
    assert (res["old_token"], res["new_token"]) == (a.tokens[pos], b.tokens[pos])
    assert a.tokens[pos] != b.tokens[pos]
    assert res["tokens"] == b.tokens and res["position"] == pos
    assert res["output_distance"] == pytest.approx(0.5 * np.abs(b.outputs - a.outputs).sum(), abs=1e-6)


def test_bidirectional_backward_chain_changes_at_and_before_the_position():
    task, model, x, y = setup(bidirectional=True, layers=2, seq_len=9)
    pos = 5
    d = counterfactual(model, x, y, pos, flipped(x, pos))["distance"]  # (2, 2, 9)
    assert (d[0, 0, :pos] == 0).all() and (d[0, 0, pos:] > 0).all()  # layer 1 forward: from t on
    assert (d[0, 1, pos + 1:] == 0).all() and (d[0, 1, :pos + 1] > 0).all()  # layer 1 backward: t and before
    assert (d[1, 0, :pos] > 0).all()  # layer 2 forward reads layer 1's backward states: it moves early too


def test_same_token_changes_nothing_and_the_model_is_left_as_it_was():
    task, model, x, y = setup(seq_len=6)
    model.train()
    res = counterfactual(model, x, y, 2, int(x[0, 2]))
    assert (res["distance"] == 0).all() and (res["encoded_distance"] == 0).all()
    assert res["fade_steps"] is None and res["before_labels"] == res["after_labels"]
    assert model.training and all(p.grad is None for p in model.parameters())


def test_per_step_outputs_before_and_after():
    task, model, x, y = setup("tagging", cell="gru")
    res = counterfactual(model, x, y, 1, (int(x[0, 1]) + 1) % task.vocab_size)
    T = x.shape[1]
    assert res["before"].shape == (T, len(task.classes)) and res["output_distance"].shape == (T,)
    assert (res["output_distance"][:1] == 0).all() and res["output_distance"][1] > 0
    np.testing.assert_allclose(res["before"].sum(-1), 1.0, atol=1e-6)


def test_real_valued_inputs_take_a_value_or_a_vector():
    task, model, x, y = setup("adding", seq_len=8)
    pos = 3
    one = counterfactual(model, x, y, pos, 0.25)
    changed = replaced_inputs(task, x, pos, 0.25)
    assert changed[0, pos, 0] == 0.25 and changed[0, pos, 1] == x[0, pos, 1]  # the marker is kept
    assert (changed[0, :pos] == x[0, :pos]).all() and (changed[0, pos + 1:] == x[0, pos + 1:]).all()
    vec = counterfactual(model, x, y, pos, np.array([0.25, float(x[0, pos, 1])]))
    np.testing.assert_array_equal(one["distance"], vec["distance"])
    marked = counterfactual(model, x, y, pos, [float(x[0, pos, 0]), 1.0 - float(x[0, pos, 1])])
    assert marked["distance"][0, 0, pos] > 0 and marked["before"].shape == ()
    assert one["new_token"] == "0.25" + "*" * bool(x[0, pos, 1] > 0.5)
    assert one["output_distance"] == pytest.approx(abs(float(one["after"]) - float(one["before"])))


def test_bad_requests_raise_value_errors_naming_the_range():
    task, model, x, y = setup(seq_len=5)
    with pytest.raises(ValueError, match="position must be a whole number from 0 to 4"):
        counterfactual(model, x, y, 5, 0)
    with pytest.raises(ValueError, match="token index from 0 to 1"):
        counterfactual(model, x, y, 0, 2)
    task, model, x, y = setup("adding", seq_len=5)
    with pytest.raises(ValueError, match="vector of 2"):
        counterfactual(model, x, y, 0, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="finite"):
        counterfactual(model, x, y, 0, float("nan"))


def test_fade_steps_counts_from_the_position_to_below_one_percent_of_the_peak():
    d = np.array([0.0, 0.0, 2.0, 1.0, 0.1, 0.019, 0.5])
    assert fade_steps(d, 2) == 3  # 0.019 < 0.02 three steps after t=2
    assert fade_steps(d, 2, fraction=0.01) == 3 and fade_steps(d, 2, fraction=0.001) is None
    assert fade_steps(np.zeros(4), 1) is None


# ---- panel -----------------------------------------------------------------------------------
@pytest.fixture
def panel(qtbot):
    p = CounterfactualPanel()
    qtbot.addWidget(p)
    p.resize(500, 350)
    p.show()
    qtbot.waitExposed(p)
    return p


def info_for(task):
    info = task.info()
    if task.input_kind == "tokens":
        info["vocab"] = list(task.vocab)
    return info


def test_panel_follows_the_cursor_until_the_user_sets_the_position_and_apply_emits(panel, qtbot):
    task, model, x, y = setup(seq_len=10)
    assert not panel.apply_button.isEnabled()  # nothing to change before an example
    panel.set_task_info(info_for(task))
    assert panel.token_combo.count() == 2 and not panel.value_spin.isVisible()
    panel.set_trace(probe(model, x, y))
    panel.set_time(6)
    assert panel.position_spin.value() == 7 and panel.position_spin.maximum() == 10  # shown 1..T
    assert panel.token_combo.currentIndex() == flipped(x, 6)  # proposes the other token
    with qtbot.waitSignal(panel.counterfactual_requested) as blocker:
        panel.apply_button.click()
    assert blocker.args == [6, flipped(x, 6)]
    panel.position_spin.setValue(3)  # the user's choice (t = 2 from 0): the cursor no longer moves it
    panel.set_time(8)
    assert panel.position_spin.value() == 3 and panel.value() == flipped(x, 2)
    panel.position_spin.setValue(9)  # back on the cursor: follow again
    panel.set_time(3)
    assert panel.position_spin.value() == 4


def test_panel_draws_the_result_on_a_log_axis_with_the_changed_step(panel):
    task, model, x, y = setup(bidirectional=True, seq_len=8)
    panel.set_task_info(info_for(task))
    panel.set_trace(probe(model, x, y))
    res = counterfactual(model, x, y, 3, flipped(x, 3))
    panel.set_result(res)
    assert set(panel.curves) == {(0, 0), (0, 1), "merged"}
    xs, ys = panel.curves[(0, 0)].getOriginalDataset()
    np.testing.assert_array_equal(xs, np.arange(8))
    assert np.isnan(ys[:3]).all()  # exact zeros are not drawn on the log axis
    np.testing.assert_allclose(ys[3:], res["distance"][0, 0, 3:])
    np.testing.assert_allclose(panel.curves["merged"].getOriginalDataset()[1], res["encoded_distance"])
    assert panel.changed_line.value() == 3 and panel.changed_line.isVisible()
    caption = panel.caption.text()
    assert f"‘{res['old_token']}’ → ‘{res['new_token']}’" in caption
    assert f"output: {res['before_labels'][0]} (" in caption and f"→ {res['after_labels'][0]} (" in caption
    header, rows = panel.data_table()
    assert len(rows) == 8 and header[3] == "distance layer 1 →" and rows[3][2] == 1
    assert rows[5][3] == pytest.approx(res["distance"][0, 0, 5])
    assert rows[1][4] == pytest.approx(res["distance"][0, 1, 1])
    panel.set_theme(True)
    panel.set_result(None)
    assert panel.data_table() == ([], []) and panel.empty.shown()


def test_panel_uses_a_value_spin_for_real_inputs_and_keeps_the_marker(panel, qtbot):
    task, model, x, y = setup("adding", seq_len=6)
    panel.set_task_info(info_for(task))
    assert panel.value_spin.isVisible() and not panel.token_combo.isVisible()
    panel.set_trace(probe(model, x, y))
    panel.set_time(2)
    assert panel.value_spin.value() == pytest.approx(round(1 - float(x[0, 2, 0]), 2))
    panel.value_spin.setValue(0.75)
    with qtbot.waitSignal(panel.counterfactual_requested) as blocker:
        panel.apply_button.click()
    pos, value = blocker.args
    assert pos == 2 and value.tolist() == [0.75, pytest.approx(float(x[0, 2, 1]))]
    res = counterfactual(model, x, y, pos, value)
    panel.set_result(res)
    assert "output: " in panel.caption.text() and f"{float(res['after']):.3f}" in panel.caption.text()
