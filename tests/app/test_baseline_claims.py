"""The baseline rule the Curves help states for each family of tasks holds for the baseline the task computes
(chance for the built-in acceptors, the most common label of the training rows for a labelled CSV, which is
not chance there), the metric plot's tooltip names no rule a task could contradict, and the help's period of
the held-out dots is the engine's."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from app.classroom.help_pages import PAGES
from engine import make_task
from engine.training.held_out import EVERY
from tests.engine.test_data_tasks import session_on
from widgets.training.curves_panel import CurvesPanel

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
PAGE = PAGES["curvesPanel"]


@pytest.mark.parametrize("name", ["parity", "dyck1", "sentiment", "dna_motif", "temporal_order"])
def test_the_built_in_acceptors_baseline_is_chance(name):
    assert "chance for the built-in acceptors" in PAGE.shows
    task = make_task(name)
    assert task.baseline == pytest.approx(1 / len(task.classes))


def test_a_labelled_csvs_baseline_is_its_most_common_training_label_not_chance():
    assert "the most common label or tag of the training rows for your own CSV" in PAGE.shows
    task = session_on(EXAMPLES / "majority_ab.csv", hidden=4).task
    labels = [row.rsplit(",", 1)[1] for row in (EXAMPLES / "majority_ab.csv").read_text().splitlines()[1:]]
    train = np.array(labels)[task.train_rows]  # recounted from the file's text
    share = max(np.mean(train == c) for c in set(labels))
    assert task.baseline == pytest.approx(share)
    assert task.baseline != pytest.approx(1 / len(task.classes))  # negative control: chance is wrong here


def test_the_tooltip_names_no_task_specific_rule_and_the_dots_period_is_the_engines():
    tip = CurvesPanel.METRIC_TIP
    for rule in ("chance", "majority", "unigram"):
        assert rule not in tip  # the baseline line's own tooltip (the task's baseline_note) says which
    said = int(re.search(r"large dots, about every (\d+) steps", PAGE.read).group(1))
    assert said == EVERY
