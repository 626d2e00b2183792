"""An exact zero on a log axis is shown as zero: a marked floor labelled "0", not a made-up value."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.export.board import PanelBoard
from engine.lab.config import LabConfig
from engine.lab.session import LabSession


def test_exact_zeros_sit_on_a_labelled_floor(qtbot):
    session = LabSession(LabConfig.for_task("adding", seq_len=8))  # h_0 = 0: the W_hh term at t = 1 is 0
    session.step()
    snap = session.request_full_snapshot()
    board = PanelBoard(snap)
    qtbot.addWidget(board)
    bptt = board.panels["bpttPanel"]
    terms = np.asarray(bptt.shown["step"])
    assert terms[0] == 0.0 and (terms[1:] > 0).all()  # independent of the drawing: the payload's terms
    assert bptt.zero_floor.count == 1 and bptt.zero_floor.line.isVisible()
    assert "0" in bptt.zero_floor.line.label.format
    assert list(bptt.zero_floor.marks.xData) == [0.0]
    assert bptt.zero_floor.marks.yData[0] == pytest.approx(10 ** bptt.zero_floor.line.value())  # on the floor
    assert 0.0 not in list(bptt.dots.xData)  # no dot at a fake tiny value
    # the gradient panel: ‖dL/dh_t‖ with exact zeros (float32 underflow) at t = 1 and 2
    grad = board.panels["gradientPanel"]
    g = np.array(snap.trace.grad_norm, dtype=np.float32)
    g[..., :2] = 0.0
    grad.set_trace(replace(snap.trace, grad_norm=g))
    assert grad.zero_floor.count == 2 and grad.zero_floor.line.isVisible()
    floor = 10 ** grad.zero_floor.line.value()
    assert floor < g[g > 0].min()  # under every real value
    # negative control: no zeros, no floor
    grad.set_trace(replace(snap.trace, grad_norm=np.maximum(g, 1e-3)))
    assert grad.zero_floor.count == 0 and not grad.zero_floor.line.isVisible()
