"""The unrolled view draws what the model computes: a bidirectional acceptor merges only its final
states (h→_n + h←_1), so no per-step "h_t = h→_t + h←_t" row is claimed; a bidirectional tagger
merges at every step, and its row says so."""
from __future__ import annotations

import numpy as np
import torch
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from engine import ModelConfig, build_model, make_task
from engine.network.probe import probe
from widgets.network.unrolled_view import UnrolledView


def scene_texts(qtbot, task_name, **params):
    task = make_task(task_name, **params)
    model = build_model(ModelConfig(cell="gru", hidden_size=4, embedding_dim=3, bidirectional=True), task, seed=0)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(0))
    trace = probe(model, x, y)
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    view.set_trace(trace)
    items = view.scene.items() if hasattr(view, "scene") and not callable(view.scene) else view.view.scene().items()
    return trace, [i.text() for i in items if isinstance(i, QGraphicsSimpleTextItem)]


def test_a_bidirectional_acceptor_claims_no_per_step_merge(qtbot):
    trace, texts = scene_texts(qtbot, "parity", seq_len=6)
    assert "h_t = h→_t + h←_t" not in texts
    assert "merged once: h→₆ + h←₁" in texts
    # what the model computes: the head reads the last forward and the first backward state, summed
    top = trace.num_layers - 1
    np.testing.assert_allclose(trace.head_input, trace.hidden[top, 0, -1] + trace.hidden[top, 1, 0], atol=1e-6)


def test_a_bidirectional_tagger_merges_every_step(qtbot):
    _trace, texts = scene_texts(qtbot, "tagging", seq_len=6)
    assert "h_t = h→_t + h←_t" in texts
