"""A pattern with no active unit matches nothing, and every place that reports the search says so: with no unit
above the threshold in the chosen steps, every window scored 0 and the search listed ten arbitrary "best
windows" ('0 units in the pattern; best score 0 (sequence 1, t = 2)' on the command line; 'Best 10 windows ...
(score = shared − extra active units)' in the panel; the same from Lab.pattern_search). Walks both scopes (the
reference examples, the whole data set), the panel and the command line; control: a threshold every unit passes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

import rnnlab
from app.cli.pattern_flags import run_after_training
from widgets.hidden.pattern_search_panel import PatternSearchPanel


@pytest.fixture(scope="module")
def lab():
    return rnnlab.Lab("parity", hidden=8)


@pytest.mark.parametrize("whole", [False, True], ids=["reference", "data_set"])
def test_no_unit_in_the_pattern_no_matches(lab, whole):
    empty = lab.pattern_search(2, 4, threshold=1.0, whole_data_set=whole)  # tanh-bounded states never exceed 1
    assert len(empty["units"]) == 0 and len(empty["matches"]) == 0
    full = lab.pattern_search(2, 4, threshold=-1.0, whole_data_set=whole)  # control: every unit is in it
    assert len(full["units"]) == 8 and len(full["matches"]) > 0


def test_the_panel_and_the_command_line_say_there_is_nothing_to_match(lab, qtbot, capsys):
    panel = PatternSearchPanel()
    qtbot.addWidget(panel)
    empty = lab.pattern_search(2, 4, threshold=1.0, whole_data_set=False)
    panel.show_result(empty)
    assert "nothing to match" in panel.summary.text() and panel.table.rowCount() == 0
    panel.show_result(lab.pattern_search(2, 4, threshold=-1.0, whole_data_set=False))  # control
    assert "nothing to match" not in panel.summary.text() and panel.table.rowCount() > 0
    args = SimpleNamespace(pattern_search="2-4", pattern_threshold=1.0, quiet=True)
    result = run_after_training(lab.session, args)
    line = capsys.readouterr().out
    assert len(result["matches"]) == 0 and "nothing to match" in line and "best score" not in line
