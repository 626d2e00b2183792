"""The cell view: its wires hold the engine's internals (colours on the heatmaps' scales), its tooltips are
its explain texts with the trace's numbers, the pulse runs forward and (BPTT) backward."""
import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QToolTip

from engine import ModelConfig, build_model
from engine.analysis import cell_internals, cell_wires
from engine.network.probe import probe
from tests.engine.test_engine_parity import ToyTask
from widgets.cellview.cell_view import LEVELS, CellView
from widgets.cellview.diagram import STRIP_W
from widgets.explain.text import last_value
from widgets.parts.base import diverging_cmap, lut_index, sequential_cmap

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def setup(cell, layers=2, bidir=True):
    cfg = ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bidir, embedding_dim=4, h0="random")
    task = ToyTask("per_step")
    model = build_model(cfg, task, seed=2)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(4))
    return model, inputs, targets, probe(model, inputs, targets), cell_wires(model, inputs, targets)


def view_at(qtbot, trace, payload, t0, layer=0, d=0):
    v = CellView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.set_trace(trace)
    v.set_cell_wires(payload)
    v.select_chain(layer, d)
    v.set_time(t0)
    return v


def strip_colours(view, name):
    image = view.diagram.strips[name].pixmap().toImage()
    return np.array([[image.pixelColor(u, 0).red(), image.pixelColor(u, 0).green(), image.pixelColor(u, 0).blue()]
                     for u in range(image.width())])


@pytest.mark.parametrize("cell", CELLS)
def test_wires_hold_the_internals(qtbot, cell):
    model, inputs, _, trace, payload = setup(cell)
    t0, layer, d = 3, 1, 1
    v = view_at(qtbot, trace, payload, t0, layer, d)
    ref = cell_internals(model, inputs, t0 + 1, layer, d)
    for name, expect in ref.items():
        np.testing.assert_allclose(v.wire_vector(name), expect, atol=1e-5, err_msg=name)
    luts = {"div": diverging_cmap().getLookupTable(nPts=256)[:, :3],
            "seq": sequential_cmap().getLookupTable(nPts=256)[:, :3]}
    for w in v.diagram.layout.wires:
        lo, hi = LEVELS[w.kind]
        expect = luts["seq" if w.kind == "gate" else "div"][lut_index(v.wire_vector(w.name), lo, hi)]
        np.testing.assert_array_equal(strip_colours(v, w.name), expect, err_msg=w.name)
    h_now = strip_colours(v, "h")
    v.set_time(t0 - 1)  # negative control: another step, other colours
    assert not np.array_equal(strip_colours(v, "h"), h_now)


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise a tooltip
@pytest.mark.parametrize("cell", CELLS)
def test_explain_and_tooltip_show_the_traces_numbers(qtbot, cell):
    _, _, _, trace, payload = setup(cell)
    t0, layer, d, u = 2, 1, 0, 4
    v = view_at(qtbot, trace, payload, t0, layer, d)
    text = v.explain(t0 + 1, u)
    assert "=" in text and text.startswith("h")
    assert abs(last_value(text) - trace.hidden[layer, d, t0, u]) < 6e-4
    names = [w.name for w in v.diagram.layout.wires if w.name != "x"]
    for name in names:  # every wire's text ends in its own value (the strip's number)
        assert abs(last_value(v.explain(t0 + 1, u, name)) - v.wire_vector(name)[u]) < 6e-4, name
        g = v.explain(t0 + 1, u, name, gradient=True)
        assert abs(last_value(g) - payload["grads"][name][layer, d, t0, u]) < 6e-4 + 1e-3 * abs(last_value(g)), name
    # hovering unit u of the h wire shows exactly that text at once
    x, y = v.diagram.layout.wire("h").at
    scene = QPointF(x - STRIP_W / 2 + (u + 0.5) * STRIP_W / 6, y)
    v._on_hover(scene, v.view.mapToGlobal(v.view.mapFromScene(scene)))
    assert QToolTip.text() == v.explain(t0 + 1, u)
    assert v.diagram.source_marks["h"].isVisible() is False  # h is the hovered wire; its sources are marked
    assert any(m.isVisible() for n, m in v.diagram.source_marks.items() if n != "h")
    v._on_hover(None, None)


def test_gru_h_text_is_the_decks_formula(qtbot):
    _, _, _, trace, payload = setup("gru", layers=1, bidir=False)
    v = view_at(qtbot, trace, payload, 4)
    text = v.explain(5, 2)
    z, n, hp = (float(a) for a in (trace.gates["update"][0, 0, 4, 2], trace.gates["new"][0, 0, 4, 2],
                                   trace.hidden[0, 0, 3, 2]))
    assert text.startswith("h_5[2] = (1 − z)·n + z·h_4")
    assert abs(last_value(text) - ((1 - z) * n + z * hp)) < 6e-4


def test_pulse_forward_and_backward(qtbot):
    _, _, _, trace, payload = setup("lstm", layers=1, bidir=False)
    v = view_at(qtbot, trace, payload, 2)
    v.show()
    v.set_time(3)  # one step forward (Play t): a pulse runs through the gates
    assert v._pulse.state() == v._pulse.State.Running
    v.set_time(6)  # a jump: the whole step at once
    assert v._pulse.state() != v._pulse.State.Running and v.diagram.lit() == set(v.diagram.strips)
    v.diagram.pulse(1.5)  # mid flow: inputs and gates done, the products not yet
    lit = v.diagram.lit()
    assert {"x", "h_prev", "c_prev"} <= lit and "h" not in lit and "c" not in lit
    v.diagram.pulse(2.5, backward=True)  # backwards: h and tanh c first, then c
    lit = v.diagram.lit()
    assert {"h", "tanh_c"} <= lit and "x" not in lit
    v.set_backward_step(3)
    assert v.gradient_view() and v.time == 3
    np.testing.assert_allclose(v.wire_vector("h", gradient=True), payload["grads"]["h"][0, 0, 3])
    qtbot.waitUntil(lambda: v.diagram.lit() == set(v.diagram.strips), timeout=2000)  # the pulse ends lit
    v.set_backward_step(None)
    assert not v.gradient_view()


def test_clicked_unit_is_marked_on_every_wire(qtbot):
    _, _, _, trace, payload = setup("gru", layers=1, bidir=False)
    v = view_at(qtbot, trace, payload, 1)
    with qtbot.waitSignal(v.unit_clicked) as got:
        x, y = v.diagram.layout.wire("z").at
        pos = v.view.mapFromScene(QPointF(x - STRIP_W / 2 + 3.5 * STRIP_W / 6, y))
        qtbot.mouseClick(v.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert got.args == [3]
    marked = [n for n, m in v.diagram.unit_marks.items() if m.isVisible()]
    assert set(marked) == set(v.diagram.strips) - {"x"}
    rect = v.diagram.unit_marks["h"].rect()
    hx = v.diagram.layout.wire("h").at[0] - STRIP_W / 2
    assert abs(rect.center().x() - (hx + 3.5 * STRIP_W / 6)) < 1.5
