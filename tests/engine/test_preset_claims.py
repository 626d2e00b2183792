"""What the Lecture presets' notes and the task descriptions promise, checked by running them.

Each claim a note or a description makes about a run (a unit that flips with the input, a model that
stays below the pass line, one that learns in a few hundred steps) is run here for seeds 0-2 with the
preset's own settings, scaled down only where the claim allows (a run stops once it has passed).
The claims are quoted from the texts, so a reworded note that drops a claim fails here first.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from app.lecture.presets import contrast_sides, load_presets
from engine import make_task
from engine.lab.session import LabSession
from engine.network.probe import probe

SEEDS = (0, 1, 2)
PRESETS = {p.id: p for p in load_presets()}


def trained(cfg, seed: int, steps: int, stop_at: float | None = None) -> tuple[LabSession, float]:
    """A session of ``cfg`` with ``seed`` trained up to ``steps`` steps (or until the held-out metric
    reaches ``stop_at``); returns it and its held-out metric."""
    torch.manual_seed(seed)
    session = LabSession(replace(cfg, train=replace(cfg.train, seed=seed)))
    metric = float("nan")
    for i in range(steps):
        session.step()
        if stop_at is not None and (i + 1) % 100 == 0:
            metric = session.trainer.evaluate()["metric"]
            if metric >= stop_at:
                return session, metric
    return session, session.trainer.evaluate()["metric"]


def flip_match(hidden: np.ndarray, bits: np.ndarray, bit: int) -> np.ndarray:
    """Per unit: the fraction of steps t >= 2 where "h_t changed sign" equals "x_t == bit"."""
    flips = np.sign(hidden[1:]) != np.sign(hidden[:-1])  # (T-1, H)
    return (flips == (bits[1:, None] == bit)).mean(axis=0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_acceptor_units_switch_sign_at_every_1_or_every_0(seed):
    preset = PRESETS["acceptor"]
    assert "switch sign at every 1" in preset.note and "at every 0" in preset.note
    session, acc = trained(preset.config, seed, 800 if seed == 2 else 1500, stop_at=0.97)
    if seed == 2:  # the note: "With some seeds the GRU stays near 50% for thousands of steps"
        assert "With some seeds the GRU stays near 50%" in preset.note
        assert acc < 0.6
        return
    assert acc >= 0.95
    g = torch.Generator().manual_seed(99)
    inputs, targets = session.task.sample_batch(40, g)
    score = best_flip_score(session.model, inputs, targets)
    assert score >= 0.9, f"no unit switches sign with the 1s or the 0s (best match {score:.2f})"
    # negative control: the untrained model has no such unit
    fresh = LabSession(replace(preset.config, train=replace(preset.config.train, seed=seed)))
    assert best_flip_score(fresh.model, inputs, targets) < 0.9


def best_flip_score(model, inputs, targets) -> float:
    """The best unit's mean flip_match over the examples, for the 1s or for the 0s."""
    match = {0: [], 1: []}
    for b in range(len(inputs)):
        h = probe(model, inputs[b:b + 1], targets[b:b + 1]).hidden[-1, 0]  # (T, H), top layer
        for bit in (0, 1):
            match[bit].append(flip_match(h, inputs[b].numpy(), bit))
    return float(max(np.mean(match[bit], axis=0).max() for bit in (0, 1)))


def gating_side(label_start: str):
    return next(cfg for label, _e, cfg in contrast_sides(PRESETS["gating"]) if label.startswith(label_start))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_gating_simple_rnn_stays_below_the_pass_line(seed):
    """Note: "a gateless simple RNN stays below the pass line"; task text: "stalls below the pass line"."""
    assert "simple RNN stays below the pass line" in PRESETS["gating"].note
    assert "stalls below the pass line" in make_task("temporal_order").description
    cfg = gating_side("simple RNN")
    _s, acc = trained(cfg, seed, PRESETS["gating"].contrast["steps"])
    assert acc < make_task("temporal_order").pass_threshold


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
@pytest.mark.parametrize("seed", SEEDS)
def test_gating_gated_cells_learn_in_a_few_hundred_steps(cell, seed):
    """Note: "(both learn this in a few hundred steps ...)": passed within 900 steps."""
    assert "both learn this in a few hundred steps" in PRESETS["gating"].note
    session, acc = trained(gating_side(cell), seed, 900, stop_at=make_task("temporal_order").pass_threshold)
    assert acc >= 0.95, f"{cell} seed {seed}: {acc:.2f} after {session.trainer.step_count} steps"
