"""A configuration change's event label on the curves says "(new model)" exactly when the engine rebuilds the
model (LabSession.configure), for every control the window has, and names the change in words."""
from dataclasses import replace

import pytest

from app.window.controller import config_to_values, values_to_config
from app.window.main_window import REBUILD_KEYS, change_text
from engine.lab.session import LabConfig, LabSession

OTHER = {"seq_len": 13, "attention": 0, "cell": "lstm", "hidden_size": 5, "num_layers": 2, "bidirectional": True,
         "merge": "concat", "embedding_dim": 9, "init": "orthogonal", "h0": "learned", "optimizer": "sgd",
         "lr": 0.02, "batch_size": 9, "clip": False, "max_norm": 2.0, "seed": 3}


def small_sentiment():
    cfg = LabConfig.for_task("sentiment")  # a task with an attention head option
    return replace(cfg, model=replace(cfg.model, hidden_size=4, embedding_dim=4),
                   train=replace(cfg.train, batch_size=8))


@pytest.mark.parametrize("key", sorted(OTHER))
def test_new_model_is_said_exactly_when_the_engine_rebuilds(key):
    cfg = small_sentiment()
    values = config_to_values(cfg)
    assert set(OTHER) == set(values) - {"task"}  # every control is covered (a new one must be added here)
    assert values[key] != OTHER[key]
    changed = values_to_config({**values, key: OTHER[key]}, cfg.task_params)
    session = LabSession(cfg)
    rebuilt = session.configure(changed) == "rebuilt"
    assert (key in REBUILD_KEYS) == rebuilt, key


def test_the_attention_head_change_is_named_in_words():
    assert change_text("attention", 1) == "attention head"
    assert change_text("attention", 0) == "no attention head (final state)"


class Snap:
    def __init__(self, cfg):
        self.config, self.step = cfg.to_dict(), 10


@pytest.mark.parametrize("key", sorted(OTHER))
def test_the_ghost_names_what_differs_for_every_control(key):
    from app.window.main_window import previous_run_label

    cfg = small_sentiment()
    values = config_to_values(cfg)
    new = values_to_config({**values, key: OTHER[key]}, cfg.task_params)
    unchanged = previous_run_label(Snap(cfg), cfg.to_dict())  # a reset: the cell and H
    label = previous_run_label(Snap(cfg), new.to_dict())
    assert label != unchanged, key  # (it said 'LSTM, H 32' after a change of seed or of the attention head)
    old_value = str(values[key]).lower()
    assert old_value in label.lower() or key in ("attention", "bidirectional", "clip", "cell", "lr", "max_norm"), label


TIP_KEYS = {"cell": "cell", "layers": "num_layers", "hidden": "hidden_size", "embedding": "embedding_dim",
            "bidir": "bidirectional", "merge": "merge", "init": "init", "h0": "h0", "clip": "clip",
            "max_norm": "max_norm", "optimizer": "optimizer", "lr": "lr", "batch": "batch_size", "seq_len": "seq_len",
            "attention": "attention", "seed": "seed"}


@pytest.mark.parametrize("tip", sorted(TIP_KEYS))
def test_a_control_tooltip_that_says_live_or_rebuild_is_what_the_engine_does(tip):
    from widgets.chrome.controls import TIPS

    key = TIP_KEYS[tip]
    cfg = small_sentiment()
    values = config_to_values(cfg)
    result = LabSession(cfg).configure(values_to_config({**values, key: OTHER[key]}, cfg.task_params))
    if "Applies live" in TIPS[tip]:
        assert result == "live", tip
    if "Rebuilds the model" in TIPS[tip]:
        assert result == "rebuilt", tip
