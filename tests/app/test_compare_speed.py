"""GRU vs LSTM in compare mode, said honestly: gate blocks and parameters, steps to the target and
wall time per step, each measured; which is ahead in each sense, not a blanket "faster"."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

from app.compare.panels import run_stats
from app.compare.speed import TIP, WINDOW, fact_text, run_facts, steps_to_target, verdict


def run(cell, metric, threshold=0.9):
    steps = np.arange(1, len(metric) + 1, dtype=float)
    return SimpleNamespace(config={"model": {"cell": cell}},
                           task_info={"metric": "accuracy", "pass_threshold": threshold, "higher_is_better": True},
                           history={"step": steps, "metric": np.asarray(metric, dtype=float)})


def test_steps_to_target_needs_the_mean_of_the_last_batches():
    metric = np.r_[np.full(50, 0.5), [1.0], np.full(30, 0.5), np.full(40, 0.95)]
    # one lucky batch at step 51 does not count; the run is there once 20 batches in a row average 0.9
    got = steps_to_target({"step": np.arange(1, len(metric) + 1), "metric": metric}, 0.9)
    assert got == 81 + 18  # batches 82.. average >= 0.9 from the 18th of them (0.95 * 18 + 0.5 * 2 = 18.1)
    assert np.mean(metric[got - WINDOW:got]) >= 0.9 > np.mean(metric[got - WINDOW - 1:got - 1])
    assert steps_to_target({"step": [1, 2], "metric": [1.0, 1.0]}, 0.9) is None  # too few batches
    loss = {"step": np.arange(1, 41), "metric": np.r_[np.full(20, 1.0), np.full(20, 0.001)]}
    assert steps_to_target(loss, 0.01, higher_is_better=False) == 40


def test_the_line_says_who_is_ahead_in_each_sense():
    fast_curve = np.r_[np.full(100, 0.5), np.full(60, 1.0)]  # the GRU: fewer steps
    slow_curve = np.r_[np.full(300, 0.5), np.full(60, 1.0)]  # the LSTM: more steps, but each cheaper
    snap = SimpleNamespace(labels=("gru", "lstm"), runs=(run("gru", fast_curve), run("lstm", slow_curve)),
                           params=((1200, 1500), (1600, 1900)), run_steps_per_sec=(100.0, 400.0))
    facts = run_facts(snap)
    assert [f["blocks"] for f in facts] == [3, 4]
    assert facts[0]["steps"] == 100 + 16 and facts[1]["steps"] == 300 + 16  # 16 of 20 batches at 1.0: mean 0.9
    assert "3 weight blocks/layer, 1,200 recurrent parameters (1,500 in all), 10.0 ms/step" in fact_text(facts[0])
    assert "reached accuracy 0.9 at step 116 (≈ 1.2 s)" in fact_text(facts[0])
    said = verdict(facts)
    assert "per step lstm is 4.00x faster than gru" in said  # the fused LSTM, faster per step
    assert "gru needed the fewest steps (116)" in said
    assert "lstm reached the target first in wall time" in said  # 316 x 2.5 ms < 116 x 10 ms
    html = run_stats(snap)
    assert "Measured here:" in html and "faster" not in TIP.split("Simpler")[0].replace("faster to train", "")


def test_a_run_that_has_not_arrived_says_so():
    snap = SimpleNamespace(labels=("gru", "lstm"), runs=(run("gru", np.full(40, 0.5)), run("lstm", np.full(40, 0.5))),
                           params=((10, 20), (12, 24)), run_steps_per_sec=(0.0, 0.0))
    facts = run_facts(snap)
    assert "not at accuracy 0.9 after 40 steps" in fact_text(facts[0])
    assert "ms/step: press Train" in fact_text(facts[0])
    assert verdict(facts) == ""  # nothing measured: no claim


def test_real_compare_session_counts_and_times_both_cells():
    from engine.lab.compare_session import CompareSession
    from engine.lab.config import LabConfig

    torch.set_num_threads(1)
    cfg = LabConfig.for_task("temporal_order")
    session = CompareSession(cfg, [{"cell": "gru"}, {"cell": "lstm"}])
    for _ in range(3):
        session.step()
    snap = session.snapshot()
    facts = run_facts(snap)
    for f, s in zip(facts, session.sessions, strict=True):
        assert f["params"] == sum(p.numel() for p in s.model.encoder.parameters())
        assert f["ms"] is not None and f["ms"] > 0
    H, E = cfg.model.hidden_size, cfg.model.embedding_dim
    assert facts[0]["params"] == 3 * H * (E + H + 2) and facts[1]["params"] == 4 * H * (E + H + 2)
