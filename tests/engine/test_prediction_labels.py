"""A predicted symbol is labelled as the same symbol in the input and target rows: a space is ␣."""
from __future__ import annotations

import torch

from engine import make_task
from engine.network.probe import _predictions


def test_a_predicted_space_is_labelled_like_a_target_space():
    task = make_task("charlm")
    space = task.vocab.index(" ")
    probs = torch.zeros(1, 3, len(task.vocab))
    probs[0, 0, space] = probs[0, 1, task.vocab.index("a")] = probs[0, 2, space] = 1.0
    targets = torch.tensor([space, task.vocab.index("b"), space])
    assert _predictions(task, probs) == task.render_targets(targets)[:1] + ["a"] + task.render_targets(targets)[2:]
    assert _predictions(task, probs)[0] == "\u2423"  # not a blank box
    # so the strip's "correct" (target label == prediction label) holds for a predicted space
    assert [t == p for t, p in zip(task.render_targets(targets), _predictions(task, probs), strict=True)] == \
        [True, False, True]


def test_word_and_regression_predictions_unchanged():
    task = make_task("tagging")
    probs = torch.zeros(1, 2, len(task.classes))
    probs[0, 0, 2] = probs[0, 1, 0] = 1.0
    assert _predictions(task, probs) == [task.classes[2], task.classes[0]]
