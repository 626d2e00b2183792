"""A snapshot while training repaints the panels and lays nothing of the window out: no label whose figures
change at every snapshot (the curves' summary, the strip's answer, the status fields) asks the window to
lay its docks out again (that cost ~0.6 ms of every frame, at ~15 frames a second)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from engine.lab.session import LabSession
from tests.app.test_main_window import make_window
from tests.widgets.event_counts import EventCount


@pytest.mark.parametrize("task", ["adding", "parity"])
def test_training_snapshots_lay_out_nothing(qtbot, task):
    window = make_window(qtbot, task)
    c = window.controller
    c._timer.stop()  # only the snapshots below
    session = LabSession(c.config)
    for _ in range(10):  # (steps 12-34 below: a step field grows once, at a digit more)
        session.step()
    snaps = []
    for _ in range(12):
        for _ in range(2):
            session.step()
        snaps.append(session.snapshot())
    for snap in snaps[:4]:
        c.show_snapshot(snap)
        qtbot.wait(5)
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
    counts = [EventCount(w, QEvent.Type.LayoutRequest) for w in (window, window.centralWidget(), *docks)]
    shown = []
    for snap in snaps[4:]:
        c.show_snapshot(snap)
        qtbot.wait(5)
        shown.append(window.findChild(QLabel, "curvesSummary").text())
    assert len(set(shown)) > 1  # the figures did change
    assert sum(n.count for n in counts) == 0, [(type(n).__name__, n.count) for n in counts]
    answer = window.findChild(QLabel, "sequenceAnswer")  # control: the strip's answer out of its fence
    window.findChild(QWidget, "sequenceStrip").layout().addWidget(answer)
    qtbot.wait(20)
    counts = [EventCount(w, QEvent.Type.LayoutRequest) for w in (window, window.centralWidget())]
    for snap in snaps[4:]:
        c.show_snapshot(snap)
        qtbot.wait(5)
    assert sum(n.count for n in counts) >= 4
