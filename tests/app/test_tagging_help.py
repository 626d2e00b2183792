"""The tagging baseline is named for what it is (the per-word majority tag), and the number the help
gives is the task's own (computed exactly by the task from its grammar)."""
from __future__ import annotations

import re

from app.classroom.help_pages import PAGES
from engine import make_task
from widgets.training.curves_panel import CurvesPanel


def test_curves_help_names_the_tagging_baseline_and_its_number_holds():
    page = PAGES["curvesPanel"]
    assert "per-word majority tag" in page.shows and "learned nothing" not in page.shows + page.read
    said = int(re.search(r"about (\d+)% of the words", page.shows).group(1)) / 100
    task = make_task("tagging")
    assert abs(task.baseline - said) <= 0.01, task.baseline
    assert "majority tag" in task.baseline_note  # what the baseline line's tooltip says
    assert "learned nothing" not in CurvesPanel.METRIC_TIP


def test_the_bar_view_names_tags_for_a_tagger_and_characters_for_a_language_model(qtbot):
    from widgets.readout.next_char_panel import NextCharPanel

    panel = NextCharPanel()
    qtbot.addWidget(panel)
    axis = panel.plot.getPlotItem().getAxis("bottom")
    panel.set_task_info({"name": "tagging"})
    assert axis.labelText == "class (tag)"
    panel.set_task_info({"name": "charlm"})
    assert axis.labelText == "next character"
