"""A snapshot while training repaints the panels and lays nothing of the window out: no label whose figures
change at every snapshot (the curves' summary, the strip's answer, the status fields) asks the window to
lay its docks out again (that cost ~0.6 ms of every frame, at ~15 frames a second); a panel lays out its
content at most (widgets.parts.layout_fence)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from app.export.board import PanelBoard
from app.panels.feed import apply_snapshot
from engine.lab.config import LabConfig
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


@pytest.mark.parametrize("task", ["adding", "tagging"])
def test_no_panel_lays_out_the_window_for_a_new_snapshot(qtbot, task):
    """Every registered panel, each snapshot with every analysis (captions, summaries, tables): a panel lays out
    its own content, and its dock only when it needs another room (a figure that gains or loses a digit: at most
    once here)."""
    session = LabSession(LabConfig.for_task(task))
    snaps = []
    for _ in range(6):
        for _ in range(2):
            session.step()
        snaps.append(session.request_full_snapshot())
    board = PanelBoard(snaps[0], size=(1600, 1400))
    qtbot.addWidget(board)
    for snap in snaps[1:3]:
        feed(qtbot, board, snap)
    counts = {name: EventCount(panel, QEvent.Type.LayoutRequest) for name, panel in board.panels.items()}
    for snap in snaps[3:]:
        feed(qtbot, board, snap)
    assert {name: n.count for name, n in counts.items() if n.count > 1} == {}  # (once: a figure lost a digit)
    panel = board.panels["attributionPanel"]  # control: its content without the fence lays the panel out
    panel.layout().addWidget(panel.body)
    qtbot.wait(5)
    control = EventCount(panel, QEvent.Type.LayoutRequest)
    for snap in snaps[1:4]:
        feed(qtbot, board, snap)
    assert control.count >= 2


def feed(qtbot, board, snap) -> None:
    apply_snapshot(board.panels, snap, 2)
    qtbot.wait(2)
