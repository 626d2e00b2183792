"""Every time-indexed panel's explain(t, index): the value it explains is the trace's (or its analysis'),
with a formula whose operands give that value; hovering the number shows exactly that text."""
import re

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolTip

from engine import ModelConfig, build_model
from engine.analysis import bptt_summary, gate_products
from engine.network.probe import probe
from tests.engine.test_engine_parity import ToyTask
from widgets.explain.text import MINUS, last_value
from widgets.gates.gate_products_panel import GateProductsPanel
from widgets.gates.gates_panel import GatesPanel
from widgets.gradients.bptt_panel import BpttPanel
from widgets.gradients.gradient_panel import GradientPanel
from widgets.network.hidden_heatmap import HiddenHeatmap
from widgets.network.unrolled_view import UnrolledView
from widgets.readout.attention_panel import AttentionPanel
from widgets.readout.next_char_panel import NextCharPanel

pytestmark = pytest.mark.qt_log_ignore("does not support raise")  # offscreen cannot raise a tooltip
TOL = 6e-4  # texts print 3 decimals


def setup(cell, head="per_step", bidir=False, layers=1):
    cfg = ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bidir, embedding_dim=4,
                      h0="random", merge="concat" if head == "attention" else "sum")
    task = ToyTask(head)
    model = build_model(cfg, task, seed=5)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(1))
    return model, task, inputs, targets, probe(model, inputs, targets)


def make(qtbot, cls, trace, t=2):
    p = cls()
    qtbot.addWidget(p)
    p.resize(700, 450)
    p.show()
    p.set_trace(trace)
    p.set_time(t)
    qtbot.wait(10)
    return p


def numbers(text: str) -> list[float]:
    return [float(s.replace(MINUS, "-")) for s in re.findall(rf"[{MINUS}-]?\d+\.\d+", text)]


def hover_plot(panel, view, plot_item, x, y):
    """Move the mouse (as HoverTip sees it) to data point (x, y) of a plot; returns the tooltip text."""
    pos = view.mapFromScene(plot_item.getViewBox().mapViewToScene(QPointF(x, y)))
    panel.hover.hover(pos, view.mapToGlobal(pos))
    return QToolTip.text()


@pytest.mark.parametrize("cell", ("rnn_tanh", "rnn_relu", "gru", "lstm"))
def test_heatmap_explains_h_from_its_operands(qtbot, cell):
    *_, tr = setup(cell)
    p = make(qtbot, HiddenHeatmap, tr)
    for t, u in ((1, 0), (4, 3), (tr.seq_len, 5)):
        text = p.explain(t, u)
        value = float(tr.hidden[0, 0, t - 1, u])
        assert abs(last_value(text) - value) < TOL and "=" in text
        ops = numbers(text.splitlines()[0])
        if cell == "rnn_tanh":  # tanh(a + b): the operands are the pre-activation's two parts
            a, b = float(tr.preact_x[0, 0, t - 1, u]), float(tr.preact_h[0, 0, t - 1, u])
            assert abs(ops[0] - a) < TOL and abs(abs(ops[1]) - abs(b)) < TOL  # "a − 0.062": the sign apart
            assert abs(ops[2] - (a + b)) < TOL and abs(np.tanh(ops[2]) - value) < 2e-3
        if cell == "gru":  # (1 − z)·n + z·h_prev with the trace's numbers
            z, n, h_prev = ops[0], ops[1], ops[3]  # (1 − z)·n + z·h_prev
            assert abs(z - tr.gates["update"][0, 0, t - 1, u]) < TOL
            assert abs((1 - z) * n + z * h_prev - value) < 3e-3
    assert hover_plot(p, p.plot, p.plot.getPlotItem(), 3, 2) == p.explain(4, 2)  # hover t = 4 (x = 3), unit 2


def test_heatmap_explains_the_memory_cell(qtbot):
    *_, tr = setup("lstm")
    p = make(qtbot, HiddenHeatmap, tr)
    p.state_combo.setCurrentIndex(1)
    text = p.explain(3, 1)
    f, c_prev, i, g = numbers(text)[:4]
    assert abs(last_value(text) - tr.cell[0, 0, 2, 1]) < TOL
    assert abs(f * c_prev + i * g - tr.cell[0, 0, 2, 1]) < 3e-3
    assert abs(c_prev - tr.cell[0, 0, 1, 1]) < TOL


def test_backward_chain_reads_the_next_step(qtbot):
    *_, tr = setup("gru", bidir=True)
    p = make(qtbot, HiddenHeatmap, tr)
    T = tr.seq_len
    text = p.explain(3, 2, layer=0, direction=1)
    assert "h←_4[2]" in text and abs(numbers(text)[3] - tr.hidden[0, 1, 3, 2]) < TOL
    last = p.explain(T, 2, layer=0, direction=1)  # the backward chain's first step reads its own h0
    assert f"h←_{T + 1}[2]" in last and abs(numbers(last)[3] - tr.initial_hidden[0, 1, 2]) < TOL


@pytest.mark.parametrize("cell", ("gru", "lstm"))
def test_gates_explain_every_gate(qtbot, cell):
    *_, tr = setup(cell)
    p = make(qtbot, GatesPanel, tr)
    text = p.explain(3, 4)
    lines = text.splitlines()
    for line, name in zip(lines, tr.gates, strict=False):
        assert abs(last_value(line) - tr.gates[name][0, 0, 2, 4]) < TOL, line
    assert len(lines) == len(tr.gates) + 1
    # hovering the first gate's heatmap row of unit 4 at t = 3
    row = p.rows[0]
    assert hover_plot(p, p.plots, p.heat_plot, 2, row["base"] + 4) == text


def test_unrolled_view_explains_a_stripe(qtbot):
    *_, tr = setup("lstm", bidir=True, layers=2)
    p = make(qtbot, UnrolledView, tr)
    text = p.explain(2, 3, layer=1, direction=1)
    assert abs(last_value(text) - tr.hidden[1, 1, 1, 3]) < TOL
    strip = p.cell_strips[(1, 1, 1)].sceneBoundingRect()
    at = QPointF(strip.left() + (3.5 / 6) * strip.width(), strip.center().y())
    assert p.unit_at(at) == (2, 3, 1, 1)
    pos = p.view.mapFromScene(at)
    p.hover.hover(pos, p.view.mapToGlobal(pos))
    assert QToolTip.text() == text


def test_gate_products_explain(qtbot):
    model, _, inputs, targets, tr = setup("lstm")
    p = make(qtbot, GateProductsPanel, tr)
    payload = gate_products(model, tr)
    p.set_products(payload)
    text = p.explain(3, 2)
    f, c_prev, fc = numbers(text.splitlines()[0])
    assert abs(f * c_prev - fc) < 2e-3 and abs(fc - tr.gates["forget"][0, 0, 2, 2] * tr.cell[0, 0, 1, 2]) < TOL


def test_attention_explains_alpha(qtbot):
    *_, tr = setup("gru", head="attention")
    p = make(qtbot, AttentionPanel, tr)
    text = p.explain(3, 0)
    num, den, alpha = numbers(text)[:3]
    assert abs(alpha - tr.attention[2]) < TOL and abs(num / den - tr.attention[2]) < 2e-3
    assert text.startswith("α_3 = exp(e_3) / Σ_j exp(e_j)")
    assert hover_plot(p, p.plot, p.plot.getPlotItem(), 2, 0.01) == text


def test_gradient_norm_explained(qtbot):
    *_, tr = setup("rnn_tanh")
    p = make(qtbot, GradientPanel, tr)
    text = p.explain(2, 0)
    gain, after, value = numbers(text)[:3]
    g = tr.grad_norm[0, 0]
    assert abs(value - g[1]) < TOL * max(1, g[1]) and abs(after - g[2]) < TOL * max(1, g[2])
    assert "W_hhᵀ diag(1 − h_3²)" in text
    y = np.log10(max(g[1], 1e-30))
    assert hover_plot(p, p.view, p.time_plot, 1, y) == text


def test_bptt_term_explained(qtbot):
    model, _, inputs, targets, tr = setup("rnn_tanh")
    p = make(qtbot, BpttPanel, tr)
    payload = bptt_summary(model, inputs, targets)
    p.set_bptt(payload)
    text = p.explain(3)
    delta, hprev, term = numbers(text)[:3]
    assert abs(term - payload["weight_hh_l0"]["step"][2]) < TOL * max(1, term)
    assert abs(hprev - np.linalg.norm(tr.hidden[0, 0, 1])) < TOL
    assert abs(delta * hprev - term) < 3e-3
    y = np.log10(max(payload["weight_hh_l0"]["step"][2], 1e-30))
    assert hover_plot(p, p.plot, p.plot.getPlotItem(), 2, y) == text


def test_next_character_explained(qtbot):
    *_, tr = setup("lstm")
    p = make(qtbot, NextCharPanel, tr)
    p.set_task_info({"name": "toy", "classes": ["no", "yes", "maybe"]})
    p.set_trace(tr)
    text = p.explain(2, "yes")
    assert abs(last_value(text) - tr.outputs[1, 1]) < TOL and text.startswith("P(x_3 = ‘yes’ | x_1..x_2)")
    assert p.explain(2, 1) == text
    a, b = numbers(text)[:2]
    assert abs(a / b - tr.outputs[1, 1]) < 2e-3
    p.set_time(1)  # hovering a bar at the cursor (t = 2) explains that bar's class
    bar = p._bar_classes.index(1)
    assert hover_plot(p, p.plot, p.plot.getPlotItem(), bar, 0.01) == text
