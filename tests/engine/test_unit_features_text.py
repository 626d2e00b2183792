"""Unit ranking offers a user's text file the same character features as the built-in text."""
from __future__ import annotations

import numpy as np
import torch

from app.cli.headless import data_config
from engine import make_task
from engine.analysis.units import task_features

ROOT_TXT = "assets/examples/coriolanus_act1.txt"


def test_a_text_file_gets_the_built_in_texts_character_features():
    cfg = data_config(ROOT_TXT)
    task = make_task(cfg.task, **cfg.task_params)
    inputs, _ = task.sample_batch(3, torch.Generator().manual_seed(0))
    feats = task_features(task, inputs)
    builtin = make_task("charlm")
    b_inputs, _ = builtin.sample_batch(3, torch.Generator().manual_seed(0))
    assert set(task_features(builtin, b_inputs)) - {"inside quotes"} <= set(feats)  # no '"' in Coriolanus
    assert "position since the last space" in feats and "at a line break" in feats
    # independent: recount the characters since the last space from the decoded text
    text = ["".join(task.vocab[i] for i in row) for row in inputs.tolist()]
    for b, row in enumerate(text):
        run = 0
        for t, c in enumerate(row):
            run = 0 if c == "\u2423" else run + 1
            assert feats["position since the last space"][b, t] == run
        np.testing.assert_array_equal(feats["at a space"][b], [c == "\u2423" for c in row])
        np.testing.assert_array_equal(feats["at a line break"][b], [c == "\u21b5" for c in row])


def test_a_task_without_text_gets_no_character_features():
    task = make_task("parity")
    inputs, _ = task.sample_batch(2, torch.Generator().manual_seed(0))
    assert "position since the last space" not in task_features(task, inputs)
