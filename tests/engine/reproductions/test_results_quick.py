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
