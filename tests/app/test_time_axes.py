"""The same time on screen and in files: every time-indexed CSV counts t = 1..T as the plotted axis
does, and time and step axes carry whole-number ticks only."""
from __future__ import annotations

import pyqtgraph as pg
import pytest

from app.export.board import PanelBoard
from app.export.figures import panel_table
from app.panels.registry import SPECS
from engine import ModelConfig
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from widgets.parts.plot_items import count_from_one, integer_ticks


def axis_labels(axis, lo: float, hi: float, px: int) -> list[str]:
    """The labels an axis draws over [lo, hi] on ``px`` pixels (every tick level)."""
    return [s for spacing, values in axis.tickValues(lo, hi, px) for s in axis.tickStrings(values, 1.0, spacing)]


@pytest.mark.parametrize("cfg", [
    LabConfig.for_task("adding", seq_len=7),
    LabConfig(*(lambda c: (c.task, c.task_params, ModelConfig(**{**c.model.to_dict(), "cell": "gru",
                                                                   "bidirectional": True}), c.train))(
        LabConfig.for_task("tagging", seq_len=6))),
], ids=["adding", "tagging-bidirectional"])
def test_every_time_indexed_csv_counts_t_from_1_to_T(qtbot, cfg):
    session = LabSession(cfg)
    session.step()
    snap = session.request_full_snapshot()
    T = snap.trace.hidden.shape[2]
    board = PanelBoard(snap)
    qtbot.addWidget(board)
    checked = []
    for name, panel in board.panels.items():
        header, rows = panel_table(panel, note_if_empty=False)
        if not header or header[0] != "t" or not rows:
            continue
        ts = sorted({int(r[0]) for r in rows})
        assert ts[0] >= 1 and ts[-1] == T, f"{name}.csv: t runs {ts[0]}..{ts[-1]}, the axis 1..{T}"
        if SPECS[name].time_indexed:
            assert ts == list(range(1, T + 1)), f"{name}.csv: t = {ts}, the axis 1..{T}"
        checked.append(name)
    assert "bpttPanel" in checked and len(checked) >= 3, checked


def test_time_axis_ticks_are_whole_steps_counted_from_one(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    count_from_one(axis)
    labels = axis_labels(axis, -0.5, 3.5, 900)  # a 4-step input on a wide plot
    assert labels and set(filter(None, labels)) <= {"1", "2", "3", "4"}, labels
    assert {"1", "4"} <= set(labels)
    plain = pg.PlotWidget()  # negative control: pyqtgraph alone puts half steps there
    qtbot.addWidget(plain)
    assert any("." in s for s in axis_labels(plain.getPlotItem().getAxis("bottom"), -0.5, 3.5, 900))


def test_step_axis_ticks_are_whole_numbers(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    integer_ticks(axis)
    labels = axis_labels(axis, 99.0, 102.0, 900)
    assert labels and all(s.isdigit() for s in labels), labels
