"""Axes that count whole things (training steps, time steps, lags) draw whole-number ticks only, on every
plot of the main window's panels and of the compare window (the compare gradients' lag axis read
0, 0.5, 1, 1.5 ... 5 for T = 6)."""
from __future__ import annotations

import pyqtgraph as pg

from app.compare.panels import ComparePanels
from app.export.board import PanelBoard
from engine.lab.compare_session import CompareSession
from engine.lab.session import LabSession
from tests.app.test_compare_seeds import VARIANTS, small_config

COUNTS = ("training step", "time step", "lag", "step t", "t (example")


def counting_axes(widget):
    """(label, axis) of every bottom axis under ``widget`` whose label names a count."""
    found = []
    for view in [widget, *widget.findChildren(pg.GraphicsView)]:
        if not isinstance(view, pg.GraphicsView):
            continue
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem) and item.orientation == "bottom" and item.label.isVisible():
                text = item.labelText or ""
                if any(c in text for c in COUNTS):
                    found.append((text, item))
    return found


def half_labels(axis) -> list[str]:
    labels = [s for spacing, values in axis.tickValues(-0.5, 5.5, 900)
              for s in axis.tickStrings(values, 1.0, spacing)]
    return [s for s in labels if "." in s]


def test_compare_and_main_panels_count_in_whole_numbers(qtbot):
    session = CompareSession(small_config(seed=0), VARIANTS, seeds=1)
    session.step()
    board = ComparePanels()
    qtbot.addWidget(board)
    board.show_snapshot(session.snapshot(), 0)
    lab = LabSession(small_config(seed=0))
    lab.step()
    main = PanelBoard(lab.request_full_snapshot())
    qtbot.addWidget(main)
    axes = counting_axes(board) + counting_axes(main)
    labels = {text for text, _a in axes}
    assert any("lag" in t for t in labels) and any("training step" in t for t in labels), labels
    bad = {text: half_labels(axis) for text, axis in axes if half_labels(axis)}
    assert not bad, bad
    plain = pg.PlotWidget()  # negative control: pyqtgraph alone draws half steps on this range
    qtbot.addWidget(plain)
    assert half_labels(plain.getPlotItem().getAxis("bottom"))
