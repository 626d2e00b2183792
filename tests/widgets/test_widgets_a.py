"""The unrolled view, hidden-state heatmap, gates and attention panels follow real probed traces."""
import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.network.probe import probe
from engine.tasks.base import Task
from widgets.gates.gates_panel import GatesPanel
from widgets.network.hidden_heatmap import C_LEVELS, H_LEVELS, HiddenHeatmap
from widgets.network.unrolled_view import BOX_W, DX, UnrolledView
from widgets.readout.attention_panel import AttentionPanel

PANELS = (UnrolledView, HiddenHeatmap, GatesPanel, AttentionPanel)


class ToyTask(Task):
    """Word tokens with any head, so every head can be probed (attention tasks may not exist yet)."""

    name = "toy"
    vocab = ("the", "cat", "sat", "on", "mat")
    classes = ("no", "yes")

    def __init__(self, output_kind, seq_len=7):
        self.output_kind, self.seq_len = output_kind, seq_len
        super().__init__()

    def sample_batch(self, batch_size, generator):
        x = torch.randint(0, 5, (batch_size, self.seq_len), generator=generator)  # (B, T)
        return (x, x % 2) if self.output_kind == "per_step" else (x, x[:, 0] % 2)


def trace_for(cell="lstm", bidirectional=False, layers=1, head="regression", T=7, merge="sum", seed=0):
    if head == "regression":
        task = make_task("adding", seq_len=T)
    elif head == "final":
        task = make_task("parity", seq_len=T)
    else:
        task = ToyTask(head, T)
    cfg = ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bidirectional,
                      merge=merge, embedding_dim=4)
    model = build_model(cfg, task, seed=seed)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed))
    return probe(model, x, y)


def shown(qtbot, cls, size=(500, 300)):
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.mark.parametrize("cls", PANELS)
def test_time_and_theme_before_any_trace_do_not_crash_and_a_later_trace_uses_the_time(qtbot, cls):
    panel = shown(qtbot, cls)
    panel.set_time(4)
    panel.set_theme(True)
    assert panel.data_table() == ([], [])
    head = "attention" if cls is AttentionPanel else "regression"
    panel.set_trace(trace_for(head=head, T=9))
    header, rows = panel.data_table()
    assert len(rows) == 9 and header[:2] == ["t", "token"]
    assert cursor_of(panel) == pytest.approx(4)


def cursor_of(panel):
    """Where the panel draws its time cursor, in steps."""
    if isinstance(panel, HiddenHeatmap):
        return panel.cursor_position()
    if isinstance(panel, GatesPanel):
        positions = set(panel.cursor_positions())
        assert len(positions) == 1  # every gate row agrees
        return positions.pop()
    if isinstance(panel, UnrolledView):
        return panel.highlight_x() / DX
    return panel.highlighted()[0]


@pytest.mark.parametrize("cls", PANELS)
def test_moving_the_time_moves_the_cursor(qtbot, cls):
    panel = shown(qtbot, cls)
    head = "attention" if cls is AttentionPanel else "final"
    panel.set_trace(trace_for("lstm", bidirectional=True, head=head))
    for t in (2, 5, 0):
        panel.set_time(t)
        assert cursor_of(panel) == pytest.approx(t)
    panel.set_time(99)
    assert cursor_of(panel) == pytest.approx(6)  # clamped to the last of the 7 steps


def test_gates_panel_shows_the_gates_of_the_cell_type_and_the_equation_for_a_simple_rnn(qtbot):
    panel = shown(qtbot, GatesPanel)
    lstm = trace_for("lstm", bidirectional=True)
    panel.set_trace(lstm)
    assert panel.gate_count() == 4 and not panel.showing_equation()
    assert panel.gate_names() == ("input", "forget", "cell_candidate", "output")
    titles = [r["title"].textItem.toPlainText() for r in panel.rows]
    assert titles[1].startswith("forget gate f_t") and titles[2].startswith("cell candidate g_t")
    panel.selectors.direction_combo.setCurrentIndex(1)  # backward chain
    np.testing.assert_allclose(panel.shown_values("forget"), lstm.gates["forget"][0, 1].T)
    panel.set_time(3)
    np.testing.assert_allclose(panel.bar_values("forget"), lstm.gates["forget"][0, 1, 3], rtol=1e-6)

    gru = trace_for("gru", layers=2)
    panel.set_trace(gru)
    assert panel.gate_count() == 3 and panel.gate_names() == ("reset", "update", "new")
    assert not panel.selectors.direction_combo.isEnabled()
    np.testing.assert_allclose(panel.shown_values("update"), gru.gates["update"][0, 0].T)

    panel.set_trace(trace_for("rnn_tanh"))
    assert panel.gate_count() == 0 and panel.showing_equation()
    assert "no gates" in panel.equation_text()
    assert "tanh(W<sub>hh</sub> h<sub>t−1</sub>" in panel.equation_text()
    panel.set_trace(trace_for("rnn_relu"))
    assert "ReLU(W<sub>hh</sub>" in panel.equation_text()
    assert panel.data_table() == ([], [])

    panel.set_trace(lstm)  # and back
    assert panel.gate_count() == 4 and not panel.showing_equation()


def test_gates_data_table_has_a_row_per_step_with_gate_means_and_unit_values(qtbot):
    panel = shown(qtbot, GatesPanel)
    tr = trace_for("gru", T=5)
    panel.set_trace(tr)
    header, rows = panel.data_table()
    assert len(rows) == 5
    col = header.index("update mean")
    assert rows[2][col] == pytest.approx(float(tr.gates["update"][0, 0, 2].mean()))
    assert rows[2][header.index("new u3")] == pytest.approx(float(tr.gates["new"][0, 0, 2, 3]))


def test_heatmap_shows_the_selected_layer_and_direction_and_switches_to_the_cell_state(qtbot):
    panel = shown(qtbot, HiddenHeatmap)
    tr = trace_for("lstm", bidirectional=True, layers=2, T=8)
    panel.set_trace(tr)
    np.testing.assert_array_equal(panel.image_array(), tr.hidden[0, 0].T)  # (H, T): row = unit
    panel.selectors.layer_combo.setCurrentIndex(1)
    panel.selectors.direction_combo.setCurrentIndex(1)
    np.testing.assert_array_equal(panel.image_array(), tr.hidden[1, 1].T)
    assert panel.levels() == H_LEVELS
    assert panel.state_combo.isEnabled()
    panel.state_combo.setCurrentIndex(1)
    np.testing.assert_array_equal(panel.image_array(), tr.cell[1, 1].T)
    assert panel.levels() == C_LEVELS and tuple(panel.bar.levels()) == C_LEVELS
    assert "c←_t (memory cell), layer 2" in panel.plot.getPlotItem().titleLabel.text  # the backward chain's c_t

    gru = trace_for("gru", T=5)  # no c_t, one layer, one direction: selectors fall back
    panel.set_trace(gru)
    assert not panel.state_combo.isEnabled() and panel.state_combo.currentText() == "h_t"
    assert not panel.selectors.direction_combo.isEnabled()
    np.testing.assert_array_equal(panel.image_array(), gru.hidden[0, 0].T)
    header, rows = panel.data_table()
    assert header == ["t", "token"] + [f"u{u}" for u in range(6)] and len(rows) == 5
    assert rows[4][2 + 5] == pytest.approx(float(gru.hidden[0, 0, 4, 5]))


def test_heatmap_hover_reports_the_value_under_the_mouse(qtbot):
    panel = shown(qtbot, HiddenHeatmap)
    tr = trace_for("gru", T=10)
    panel.set_trace(tr)
    vb = panel.plot.getPlotItem().getViewBox()
    panel._on_mouse_moved(vb.mapViewToScene(pg_point(6, 2)))
    assert panel.hover_label.text().startswith("t=7")  # position 6 counted from 1, like the lecture
    assert f"{tr.hidden[0, 0, 6, 2]:+.3f}" in panel.hover_label.text()


def pg_point(x, y):
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


@pytest.mark.parametrize("layers", [1, 2])
def test_bidirectional_doubles_the_unrolled_rows(qtbot, layers):
    panel = shown(qtbot, UnrolledView)
    panel.set_trace(trace_for(layers=layers, T=6))
    assert panel.row_count() == layers
    panel.set_trace(trace_for(layers=layers, bidirectional=True, T=6))
    assert panel.row_count() == 2 * layers and len(panel.cell_items) == 2 * layers * 6
    rows_y = sorted({round(item.sceneBoundingRect().center().y()) for item in panel.cell_items.values()})
    assert len(rows_y) == 2 * layers  # really separate rows, not drawn on top of each other


def test_unrolled_output_matches_the_head(qtbot):
    panel = shown(qtbot, UnrolledView, (700, 420))
    panel.set_trace(trace_for(head="per_step", T=6))
    assert len(panel.output_items) == 6  # y_t at every step
    panel.set_trace(trace_for(head="final", T=6))
    assert len(panel.output_items) == 1 and not panel.alpha_items
    tr = trace_for(head="attention", T=6, bidirectional=True, merge="concat")
    panel.set_trace(tr)
    assert len(panel.output_items) == 1 and len(panel.alpha_items) == 6
    scales = [dot.scale() for dot in panel.alpha_items]
    assert int(np.argmax(scales)) == int(np.argmax(tr.attention))  # biggest dot = largest alpha_i


def test_unrolled_recolours_same_shape_traces_without_rebuilding(qtbot):
    panel = shown(qtbot, UnrolledView)
    panel.set_trace(trace_for(seed=0))
    box = panel.cell_items[(0, 0, 3)]
    before = panel.cell_strips[(0, 0, 3)].pixmap().toImage().pixelColor(0, 0)
    panel.set_trace(trace_for(seed=1))
    assert panel.cell_items[(0, 0, 3)] is box
    assert panel.cell_strips[(0, 0, 3)].pixmap().toImage().pixelColor(0, 0) != before
    panel.set_trace(trace_for(seed=1, T=9))  # new shape: rebuilt
    assert len(panel.cell_items) == 9


def strip_colours(panel, t):
    """The unit stripe of cell (layer 1, forward, t) as it is drawn: (H, 3) RGB."""
    image = panel.cell_strips[(0, 0, t)].pixmap().toImage()
    return np.array([image.pixelColor(u, 0).getRgb()[:3] for u in range(image.width())])


def test_a_long_sequence_shows_the_new_trace_wherever_the_user_scrolls_and_exports_it_all(qtbot):
    panel = shown(qtbot, UnrolledView)
    first, second = trace_for(seed=0, T=150), trace_for(seed=1, T=150)
    panel.set_trace(first)
    panel.set_time(0)  # the first columns in view
    panel.set_trace(second)
    lut = panel._lut  # the diverging map the stripes use
    expected = lambda t: lut[np.rint((np.clip(second.hidden[0, 0, t], -1, 1) + 1) / 2 * 255).astype(int)]  # noqa: E731
    np.testing.assert_array_equal(strip_colours(panel, 0), expected(0))
    bar = panel.view.horizontalScrollBar()
    bar.setValue(bar.maximum())  # scroll to the end: those columns show the second trace too
    np.testing.assert_array_equal(strip_colours(panel, 149), expected(149))
    panel.set_trace(first)
    panel.export_item()  # an export draws the whole sequence, not only what is in view
    for t in (0, 75, 149):
        np.testing.assert_array_equal(strip_colours(panel, t), lut[np.rint(
            (np.clip(first.hidden[0, 0, t], -1, 1) + 1) / 2 * 255).astype(int)])


def test_long_sequence_keeps_box_spacing_and_scrolls(qtbot):
    panel = shown(qtbot, UnrolledView)
    tr = trace_for("gru", head="final", T=200)
    panel.set_trace(tr)
    xs = [panel.cell_items[(0, 0, t)].sceneBoundingRect() for t in range(200)]
    assert all(r.width() == pytest.approx(BOX_W + 1.2, abs=0.1) for r in xs)  # fixed box size (+ pen)
    assert np.allclose(np.diff([r.center().x() for r in xs]), DX)  # fixed pitch
    assert not any(a.intersects(b) for a, b in zip(xs, xs[1:], strict=False))
    assert panel.zoom() >= 0.55 and panel.view.horizontalScrollBar().maximum() > 0
    panel.set_time(150)
    assert panel.view_center().x() == pytest.approx(150 * DX, abs=DX)  # centred on the cursor
    panel.fit_to_view()
    assert panel.zoom() >= 0.25  # fit never shrinks a long sequence into a smear
    panel.set_time(500)  # clamped to the last step
    assert panel.highlight_x() == pytest.approx(199 * DX)


def test_backward_step_lights_the_cells_the_gradient_has_reached(qtbot):
    panel = shown(qtbot, UnrolledView)
    T = 8
    panel.set_trace(trace_for(bidirectional=True, T=T))
    panel.set_backward_step(5)
    lit = panel.lit_cells()
    assert {t for (_l, d, t) in lit if d == 0} == {5, 6, 7}
    assert {t for (_l, d, t) in lit if d == 1} == {0, 1, 2}  # backward chain: mirrored
    panel.set_backward_step(None)
    assert len(panel.lit_cells()) == 2 * T


def test_attention_bars_are_the_weights_over_the_tokens(qtbot):
    panel = shown(qtbot, AttentionPanel)
    tr = trace_for("gru", head="attention", T=7)
    panel.set_trace(tr)
    assert panel.showing_plot()
    np.testing.assert_allclose(panel.bar_heights(), tr.attention)
    assert [label for _x, label in panel.tick_labels()] == list(tr.tokens)
    panel.set_time(3)
    assert panel.highlighted() == (3.0, pytest.approx(float(tr.attention[3])))
    header, rows = panel.data_table()
    assert header == ["t", "token", "alpha"]
    assert rows[3] == [3, tr.tokens[3], pytest.approx(float(tr.attention[3]))]

    long = trace_for("gru", head="attention", T=80)
    panel.set_trace(long)
    ticks = panel.tick_labels()
    assert 2 <= len(ticks) < 80  # thinned to fit ...
    assert all(label == long.tokens[int(x)] for x, label in ticks)  # ... but still at their tokens


@pytest.mark.parametrize("head, words", [("regression", "regression on the final state"),
                                         ("final", "acceptor on the final state"),
                                         ("per_step", "per-step softmax")])
def test_attention_panel_explains_heads_that_do_not_attend(qtbot, head, words):
    panel = shown(qtbot, AttentionPanel)
    panel.set_trace(trace_for(head="attention"))
    panel.set_trace(trace_for(head=head))
    assert not panel.showing_plot()
    assert "does not attend" in panel.explanation.text() and words in panel.explanation.text()
    assert panel.data_table() == ([], [])


def test_unrolled_data_table_has_mean_state_and_gradient_per_layer_and_direction(qtbot):
    panel = shown(qtbot, UnrolledView)
    tr = trace_for(bidirectional=True, layers=2, T=5)
    panel.set_trace(tr)
    header, rows = panel.data_table()
    assert len(rows) == 5 and len(header) == 2 + 2 * 4
    assert rows[2][header.index("mean h L2 bwd")] == pytest.approx(float(tr.hidden[1, 1, 2].mean()))
    assert rows[2][header.index("|dL/dh| L1 fwd")] == pytest.approx(float(tr.grad_norm[0, 0, 2]))


@pytest.mark.parametrize("cls", PANELS)
def test_light_theme_paints_a_white_background(qtbot, cls):
    panel = shown(qtbot, cls)
    panel.set_trace(trace_for("lstm", head="attention" if cls is AttentionPanel else "regression"))
    canvas = {UnrolledView: lambda: panel.view.viewport(), HiddenHeatmap: lambda: panel.plot,
              GatesPanel: lambda: panel.plots, AttentionPanel: lambda: panel.plot}[cls]()

    def corner_lightness():
        return canvas.grab().toImage().pixelColor(3, 3).lightness()

    panel.set_theme(True)
    assert corner_lightness() > 245
    panel.set_theme(False)
    assert corner_lightness() < 50


def test_new_traces_of_the_same_shape_keep_where_the_user_scrolled(qtbot):
    unrolled = shown(qtbot, UnrolledView)
    unrolled.set_trace(trace_for("gru", head="final", T=120, seed=0))
    bar = unrolled.view.horizontalScrollBar()
    bar.setValue(bar.maximum())  # the user scrolls to the end while training runs
    unrolled.set_trace(trace_for("gru", head="final", T=120, seed=1))
    assert bar.value() == bar.maximum()
    gates = shown(qtbot, GatesPanel)
    gates.set_trace(trace_for("lstm", T=30, seed=0))
    gates.heat_plot.setXRange(10, 20, padding=0)  # the user zooms into steps 10..20
    gates.set_trace(trace_for("lstm", T=30, seed=1))
    assert gates.heat_plot.viewRange()[0] == pytest.approx([10, 20])


def count_calls(monkeypatch, obj, name):
    """Count calls of ``obj.name`` (still calling it)."""
    calls = []
    original = getattr(obj, name)
    monkeypatch.setattr(obj, name, lambda *a, **k: calls.append(a) or original(*a, **k))
    return calls


def test_same_trace_again_redraws_nothing_and_time_only_moves_the_cursor(qtbot, monkeypatch):
    gates, heatmap = shown(qtbot, GatesPanel), shown(qtbot, HiddenHeatmap)
    tr = trace_for("lstm", T=9)
    gates.set_trace(tr)
    heatmap.set_trace(tr)
    heat = count_calls(monkeypatch, gates.heat_image, "set_argb")
    bars = count_calls(monkeypatch, gates.bars_image, "set_argb")
    image = count_calls(monkeypatch, heatmap.image, "setImage")
    gates.set_trace(tr)  # the controller hands every panel each snapshot's trace, changed or not
    heatmap.set_trace(tr)
    assert (heat, bars, image) == ([], [], [])
    gates.set_time(5)
    heatmap.set_time(5)
    assert heat == [] and image == [] and len(bars) == 1  # the bars show t; the heatmaps stay
    gates.set_time(5)
    assert len(bars) == 1 and gates.cursor_positions() == [5.0] * 4
    gates.set_trace(trace_for("lstm", T=9, seed=1))  # a new snapshot: redrawn
    assert len(heat) == 1 and len(bars) == 2


def test_unrolled_tooltips_are_written_on_demand_from_the_current_trace(qtbot):
    panel = shown(qtbot, UnrolledView)
    tr = trace_for(bidirectional=True, T=6)
    panel.set_trace(tr)
    box = panel.cell_items[(0, 1, 3)].sceneBoundingRect().center()
    tip = panel.tooltip_at(box)
    assert tip.startswith("h←_4, layer 1 (backward chain") and f"{tr.grad_norm[0, 1, 3]:.3g}" in tip
    arrow = panel.rec_arrows[(0, 0, 2)].sceneBoundingRect().center()
    assert panel.tooltip_at(arrow) == f"‖∂L/∂h→_3‖ = {tr.grad_norm[0, 0, 2]:.3g}"  # the forward chain
    assert panel.tooltip_at(box + pg_point(0, 400)) == ""  # off the cells: items keep their own tips
