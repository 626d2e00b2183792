"""Each classic result at the suite's scale (<= 30 s of compute each): the direction of the published
result. The full runs (``bash scripts/test.sh --results``) check the published-vs-measured line."""
import pytest

from engine.reproductions import reproduce

pytestmark = pytest.mark.slow


def test_irnn_learns_the_adding_problem_faster_than_a_tanh_rnn():
    o = reproduce("irnn_adding", seed=0, quick=True)
    curves = o.measured["curves"]
    assert curves["IRNN"]["final"] < curves["tanh RNN"]["final"] - 0.02
    assert "baseline" in o.verdict.measured and o.figure.plots[0].series[1].name == "IRNN"


def test_flipflop_stable_points_hold_distinct_memories():
    o = reproduce("flipflop", seed=0, quick=True)
    m = o.measured
    assert m["final_mse"] < 0.05
    stable = m["fixed"] & m["stable"]
    decoded = {"".join("+" if v > 0 else "-" for v in r) for r in m["readout"][stable]}
    assert len(decoded) >= 6  # most of the 8 memories are attractors already at this scale
    assert len(o.rows) == len(m["q"]) and o.header[1] == "kind"


def test_lstm_learns_the_temporal_order_a_tanh_rnn_does_not():
    o = reproduce("temporal_order", seed=0, quick=True)
    curves = o.measured["curves"]
    assert curves["LSTM"]["final"] > 0.9 and curves["tanh RNN"]["final"] < curves["LSTM"]["final"] - 0.2


def test_sentiment_slow_points_have_an_eigenvalue_near_one():
    o = reproduce("line_attractor", seed=0, quick=True)
    m = o.measured
    assert m["accuracy"] > 0.9 and len(m["q"]) >= 5
    assert 0.9 < float(m["top_abs"].mean()) < 1.05  # a direction in which the state stays: the memory
    assert m["pc_ratio"][0] > 0.5


def test_trained_lstm_has_forget_gates_that_stay_open():
    o = reproduce("gate_saturation", seed=0, quick=True)
    m = o.measured
    assert m["heldout_bits"] < m["baseline_bits"] - 0.5  # it learned the text beyond letter frequencies
    right = m["right"]["forget"]  # (layers, units)
    assert right.shape == (2, 48) and (right > 0.9).sum() >= 1
    assert all(((m["left"][g] + m["right"][g]) <= 1.0 + 1e-9).all() for g in m["left"])


def test_latching_rnn_gradients_vanish_exponentially():
    o = reproduce("bengio_gradient_decay", seed=0, quick=True)
    m = o.measured
    assert m["r2"] > 0.95 and m["rate"] < 0.9 and m["geo_mean"][-1] < 1e-6
    # the decay per step is of the size the stable fixed points' top eigenvalue predicts
    assert abs(m["rate"] - m["fixed_lambda"]) < 0.25
