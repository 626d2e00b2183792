"""Tagging's softmax on every output box: the distribution over the tags on hover and as small bars,
the model's own softmax (checked against softmax(W_hy h_t + b_y) computed here from the weights)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import ModelConfig, make_task
from engine.network.model import build_model
from engine.network.probe import probe
from tests.widgets.test_widgets_a import shown
from widgets.network.unrolled_outputs import BAR_H
from widgets.network.unrolled_view import UnrolledView


def tagging_trace(seed=0):
    task = make_task("tagging", seq_len=6, min_len=6)
    model = build_model(ModelConfig(cell="gru", hidden_size=8, embedding_dim=4), task, seed=seed)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed))
    return task, model, x, probe(model, x, y)


def test_every_output_box_shows_its_softmax_over_the_tags(qtbot):
    task, model, x, trace = tagging_trace()
    view = shown(qtbot, UnrolledView, (900, 400))
    view.set_task_info({"classes": list(task.classes)})
    view.set_trace(trace)
    with torch.no_grad():  # independently: y_t = softmax(W_hy h_t + b_y) from the weights
        h, _ = model.encoder(model.embed(x))
        want = torch.softmax(model.head(h), dim=-1)[0].numpy()  # (T, C)
    C = len(task.classes)
    assert len(view.output_bars.bars) == 6 and all(len(row) == C for row in view.output_bars.bars)
    for t, row in enumerate(view.output_bars.bars):
        heights = np.array([bar.rect().height() for bar in row]) / BAR_H
        np.testing.assert_allclose(heights, want[t], atol=1e-5)
        tip = view.output_items[t].toolTip()
        best = int(np.argmax(want[t]))
        assert tip.startswith(f"y_{t + 1} = softmax(W_hy h_{t + 1} + b_y) over {C} classes")
        assert f"{task.classes[best]} {want[t, best]:.3f}" in tip.splitlines()[1].split(" · ")[0]
        assert f"target {trace.targets[t]}" in tip
        assert row[best].brush().color().name() == view.theme["accent"].lower()  # the prediction stands out


def test_negative_control_another_step_has_another_distribution(qtbot):
    """The per-step check can fail: two steps' softmaxes differ, so a box showing the wrong step is caught."""
    _task, _model, _x, trace = tagging_trace()
    assert not np.allclose(trace.outputs[0], trace.outputs[3])


def test_folded_cell_shows_the_softmax_of_the_step_at_the_cursor(qtbot):
    task, _model, _x, trace = tagging_trace()
    view = shown(qtbot, UnrolledView, (900, 400))
    view.set_task_info({"classes": list(task.classes)})
    view.set_trace(trace)
    view.set_folded(True, animate=False)
    view.set_time(4)
    heights = np.array([bar.rect().height() for bar in view.output_bars.bars[0]]) / BAR_H
    np.testing.assert_allclose(heights, trace.outputs[4], atol=1e-5)
    assert view.output_items[0].toolTip().startswith("y_5 = softmax")


@pytest.mark.parametrize("head", ["final", "regression"])
def test_acceptor_gets_bars_and_regression_none(qtbot, head):
    from tests.widgets.test_widgets_a import trace_for

    view = shown(qtbot, UnrolledView, (900, 400))
    trace = trace_for(head=head, T=5)
    view.set_trace(trace)
    if head == "regression":
        assert view.output_bars.bars == []
    else:
        heights = np.array([bar.rect().height() for bar in view.output_bars.bars[0]]) / BAR_H
        np.testing.assert_allclose(heights, trace.outputs, atol=1e-5)
        assert view.output_items[0].toolTip().startswith("y = softmax(W_hy h")
