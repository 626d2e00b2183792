"""summary.csv (compare over seeds) says how many steps its final figures average, as they were: a 5-step
comparison's header read "final loss (mean of the last 20 steps)" over means of 5. Walks runs shorter and longer
than the window and seeds that differ (one diverged), against numpy means of the histories."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import numpy as np
import pytest

from app.compare.seed_summary import FINAL_STEPS, summary_csv


def snap_of(lengths: list[list[int]], nan_tail: int = 0):
    rng = np.random.default_rng(0)
    groups = []
    for run in lengths:
        group = []
        for n in run:
            loss, metric = rng.random(n), rng.random(n)
            if nan_tail:
                loss[-nan_tail:] = metric[-nan_tail:] = np.nan  # a seed that diverged
                nan_tail = 0
            group.append({"step": np.arange(1, n + 1, dtype=float), "loss": loss, "metric": metric})
        groups.append(group)
    info = {"metric": "accuracy", "pass_threshold": 0.95, "higher_is_better": True}
    return SimpleNamespace(runs=[SimpleNamespace(task_info=info)], labels=[f"r{i}" for i in range(len(groups))],
                           seed_histories=groups, seeds=list(range(len(groups[0]))))


def table(snap):
    rows = list(csv.reader(io.StringIO(summary_csv(snap))))
    return rows[0], rows[1:]


@pytest.mark.parametrize("n", [5, FINAL_STEPS, 30])
def test_the_header_states_the_steps_each_final_value_averages(n):
    snap = snap_of([[n, n, n], [n, n, n]])
    header, rows = table(snap)
    k = min(n, FINAL_STEPS)
    assert header[3] == f"final loss (mean of the last {k} steps)" and header[4].endswith(f"the last {k} steps)")
    seed_rows = [r for r in rows if r[1] not in ("mean", "SD")]
    for (run, seed), r in zip([(a, b) for a in range(2) for b in range(3)], seed_rows, strict=True):
        h = snap.seed_histories[run][seed]
        assert float(r[3]) == pytest.approx(np.mean(h["loss"][-k:]))  # independent: numpy over the last k
    if n < FINAL_STEPS:
        assert f"last {FINAL_STEPS}" not in ",".join(header)  # (what the header said before)


def test_seeds_that_averaged_different_counts_are_named_so():
    header, _ = table(snap_of([[30, 30, 30]], nan_tail=15))  # one seed diverged: 15 finite steps
    assert "fewer where a seed had fewer" in header[3]
