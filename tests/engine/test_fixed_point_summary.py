"""The fixed-point search's one-line summary says how the budget ended it as the run went: each stage stops
at its share of the budget, so a search can stop early (1.6 s of a 2 s budget) and the line must not read
as if the whole budget was spent."""
import re

from engine import ModelConfig, build_model, make_task
from engine.analysis.fixed_points import STAGE_ENDS, fixed_points


def test_a_search_stopped_by_its_budget_says_a_stage_stopped_at_its_share():
    model = build_model(ModelConfig(cell="lstm", hidden_size=64), make_task("adding"))
    r = fixed_points(model, n_starts=64, budget_s=0.4, q_tol=0.0)  # q_tol 0: the descent runs to its share
    assert r["timed_out"]
    said = float(re.search(r"; ([\d.]+) s, ", r["summary"]).group(1))
    assert said == round(r["seconds"], 1)
    assert "a stage stopped at its share of the 0.4 s budget" in r["summary"]
    assert "cut short by the" not in r["summary"]  # (what it said, also at 1.6 s of 2 s)
    assert min(STAGE_ENDS.values()) < 1.0  # shares: a stage can stop before the whole budget is spent


def test_a_search_within_its_budget_names_no_budget():
    model = build_model(ModelConfig(cell="gru", hidden_size=4), make_task("parity", seq_len=6))
    r = fixed_points(model, n_starts=8, budget_s=60)
    assert not r["timed_out"] and "budget" not in r["summary"]
