"""The task suite's contract: registry, metadata, determinism, validation, shapes and baselines."""
import json
import math

import pytest
import torch

from engine import build_model
from engine.tasks import IGNORE, Preset, Task, list_tasks, make_task, preset_configs
from engine.tasks.common import VariableLength

ALL = ["tagging", "charlm", "parity", "dyck1", "sentiment", "dna_motif", "adding", "copy_memory",
       "temporal_order", "flipflop"]
REAL_INPUTS = ("adding", "flipflop")
VARIABLE = ["tagging", "sentiment", "dyck1", "dna_motif"]


def batches(task, seed, n=3, batch_size=8):
    g = torch.Generator().manual_seed(seed)
    return [task.sample_batch(batch_size, g) for _ in range(n)]


def test_registry_lists_every_task_in_lecture_order():
    assert list_tasks() == ALL
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        make_task("nope")


@pytest.mark.parametrize("name", ALL)
def test_metadata_is_complete_and_consistent(name):
    task = make_task(name)
    info = task.info()
    json.dumps(info)  # JSON-ready for the UI and config.json
    assert len(task.description) > 150 and task.title and task.lecture_slide and task.baseline_note
    assert task.metric_name and math.isfinite(task.baseline) and math.isfinite(task.pass_threshold)
    # a model that learned nothing must not pass; the threshold is on the better side
    assert not task.passed(task.baseline)
    assert task.passed(task.pass_threshold)
    if task.higher_is_better:
        assert task.pass_threshold > task.baseline
    else:
        assert task.pass_threshold < task.baseline
    assert any(p.name == "seq_len" for p in task.params_spec)
    assert task.accepts_typed_input == (name not in REAL_INPUTS)


@pytest.mark.parametrize("name", ALL)
def test_preset_builds_a_model_that_runs_on_a_batch(name):
    task = make_task(name)
    model_cfg, train_cfg, steps = preset_configs(task)
    assert steps == task.preset.steps > 0
    for key, value in task.preset.extra.items():
        assert getattr(model_cfg, key, getattr(train_cfg, key, None)) == value, key
    inputs, targets = task.sample_batch(4, torch.Generator().manual_seed(0))
    outputs = build_model(model_cfg, task, seed=0)(inputs)
    loss = task.loss(outputs, targets)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert math.isfinite(task.metric(outputs.detach(), targets))
    B, T = inputs.shape[:2]
    if task.output_kind == "per_step":
        assert outputs.shape == (B, T, task.num_outputs) and targets.shape == (B, T)
    elif task.output_kind == "regression":
        assert outputs.shape == targets.shape == (B,)
    elif task.output_kind == "per_step_regression":
        assert outputs.shape == targets.shape == (B, T, task.num_outputs)
    else:
        assert outputs.shape == (B, task.num_outputs) and targets.shape == (B,)


def test_preset_configs_rejects_unknown_extra_field():
    class Bad(Task):
        name, preset = "bad", Preset(extra={"max_norm": 2.0, "warp_speed": 9})

    with pytest.raises(ValueError, match="warp_speed"):
        preset_configs(Bad())


@pytest.mark.parametrize("name", ALL)
def test_same_seed_gives_same_batches(name):
    task = make_task(name)
    a, b, c = batches(task, 5), batches(task, 5), batches(task, 6)
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert any(not torch.equal(xa, xc) for (xa, _), (xc, _) in zip(a, c, strict=True))


@pytest.mark.parametrize("name", ALL)
def test_inputs_and_targets_are_valid(name):
    task = make_task(name)
    for inputs, targets in batches(task, 1, n=5, batch_size=32):
        if task.input_kind == "tokens":
            assert inputs.dtype == torch.long
            assert 0 <= int(inputs.min()) and int(inputs.max()) < task.vocab_size
        else:
            assert inputs.dtype == torch.float32 and inputs.shape[-1] == task.input_dim
        if task.output_kind not in ("regression", "per_step_regression"):
            scored = targets[targets != IGNORE]
            assert 0 <= int(scored.min()) and int(scored.max()) < len(task.classes)
        if task.accepts_typed_input:  # the typed-input rule agrees with the sampler
            for x, y in zip(inputs[:8], targets[:8], strict=True):
                expected = task.label_example(x)
                if name == "charlm":  # the sampler knows the character after the window; typed text does not
                    assert int(expected[-1]) == IGNORE, task.render_inputs(x)
                    expected, y = expected[:-1], y[:-1]
                assert torch.equal(expected, y), (task.render_inputs(x), y)
        assert len(task.render_inputs(inputs[0])) == inputs.shape[1]


@pytest.mark.parametrize("name", ALL)
def test_out_of_range_length_names_the_parameter(name):
    hi = {p.name: p for p in make_task(name).params_spec}["seq_len"].hi
    for bad in (0, hi + 1, 2.5, True):
        with pytest.raises(ValueError, match="seq_len"):
            make_task(name, seq_len=bad)
    with pytest.raises(ValueError, match="speed"):
        make_task(name, speed=3)


@pytest.mark.parametrize("name", VARIABLE)
def test_variable_length_tasks_draw_lengths_per_batch(name):
    task = make_task(name)
    assert isinstance(task, VariableLength)
    lo, hi = task.params["min_len"], task.params["seq_len"]
    lengths = {x.shape[1] for x, _ in batches(task, 0, n=60, batch_size=2)}
    assert len(lengths) > 3 and min(lengths) >= lo and max(lengths) <= hi
    with pytest.raises(ValueError, match="min_len"):
        make_task(name, min_len=hi, seq_len=hi - 1)
    fixed = make_task(name, min_len=hi, seq_len=hi)
    assert {x.shape[1] for x, _ in batches(fixed, 0, n=5)} == {hi}


def test_dyck1_lengths_are_even_and_an_odd_only_range_is_rejected():
    task = make_task("dyck1", min_len=3, seq_len=9)
    assert all(x.shape[1] % 2 == 0 for x, _ in batches(task, 2, n=30))
    with pytest.raises(ValueError, match="seq_len"):
        make_task("dyck1", min_len=7, seq_len=7)


@pytest.mark.parametrize("name", ALL)
def test_typed_input_limit(name):
    task = make_task(name)
    if not task.accepts_typed_input:
        return
    symbol = task.vocab[0]
    sep = " " if any(len(s) > 1 for s in task.vocab) else ""
    with pytest.raises(ValueError, match=f"at most {task.max_typed_length}"):
        task.encode_text(sep.join([symbol] * (task.max_typed_length + 1)))

