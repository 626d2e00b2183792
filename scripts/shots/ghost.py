"""A previous run's ghost on the curves, fed without training: the projector walk's ``--ghost`` puts one on
the curves panel before each view so the layout audit sees its label ("previous run: …"), which a walk that
does not train never shows (it was cut at 1920x1080 after a trained run, issue 25).

The label is the one the window writes (``app.window.main_window.previous_run_label``) for a 600-step run that
differed from the shown one in what a preset's note asks to change: the cell, the learning rate, clipping and
the sequence length where the task has one.
"""
from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np

STEPS = 600


def previous_config(config: dict) -> dict:
    """``config`` (LabConfig.to_dict()) with the cell, the learning rate, clipping and T changed."""
    old = copy.deepcopy(config)
    model, train = old["model"], old["train"]
    model["cell"] = "gru" if model["cell"] == "rnn_tanh" else "rnn_tanh"
    train["lr"] = train["lr"] / 5
    train["clip"] = not train["clip"]
    if "seq_len" in old["task_params"]:
        old["task_params"]["seq_len"] = old["task_params"]["seq_len"] * 2
    return old


def feed_ghost(window) -> str | None:
    """Put the ghost of such a run on the curves panel (if it is built); returns its label."""
    from app.window.main_window import previous_run_label

    shown = window.controller.shown
    if shown is None or not window.panels.is_built("curvesPanel"):
        return None
    label = previous_run_label(SimpleNamespace(config=previous_config(shown.config), step=STEPS), shown.config)
    steps = np.arange(1, STEPS + 1, dtype=np.float64)
    loss = 0.2 + np.exp(-steps / 150.0)
    metric = 1.0 - loss / 1.2
    window.panels["curvesPanel"].ghost.set_run(label, steps, loss, metric)
    return label


def clear_ghost(window) -> None:
    if window.panels.is_built("curvesPanel"):
        window.panels["curvesPanel"].ghost.clear()
