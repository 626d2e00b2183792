"""The 3-bit flip-flop task (Sussillo & Barak 2013): targets against an independent numpy loop,
the per-step regression head end to end (model, probe, trace), and the preset learning it."""
import numpy as np
import pytest
import torch

from engine import Trainer, build_model, probe
from engine.tasks import make_task, preset_configs


def numpy_targets(inputs: np.ndarray) -> np.ndarray:
    """Independent: walk every example, channel and step; hold the last non-zero input's sign."""
    out = np.zeros_like(inputs)
    for b in range(inputs.shape[0]):
        for c in range(inputs.shape[2]):
            held = 0.0
            for t in range(inputs.shape[1]):
                if inputs[b, t, c] != 0:
                    held = np.sign(inputs[b, t, c])
                out[b, t, c] = held
    return out


def test_targets_hold_the_sign_of_each_channels_last_pulse():
    task = make_task("flipflop", seq_len=40, pulse_percent=20)
    inputs, targets = task.sample_batch(16, torch.Generator().manual_seed(3))
    x = inputs.numpy()
    assert inputs.shape == targets.shape == (16, 40, 3) and inputs.dtype == targets.dtype == torch.float32
    assert set(np.unique(x)) <= {-1.0, 0.0, 1.0}
    assert (x[:, 0] != 0).all()  # every memory is set at t = 1, so a target is always +1 or -1
    np.testing.assert_array_equal(targets.numpy(), numpy_targets(x))
    assert set(np.unique(targets.numpy())) == {-1.0, 1.0}
    flips = (np.diff(targets.numpy(), axis=1) != 0).sum()
    assert flips > 50  # negative control: the memories do change (a constant target would pass the rest)
    # pulses are about pulse_percent of the later steps
    assert abs((x[:, 1:] != 0).mean() - 0.2) < 0.03


def test_answering_zero_scores_the_baseline_and_does_not_pass():
    task = make_task("flipflop")
    _, targets = task.sample_batch(64, torch.Generator().manual_seed(0))
    zero = torch.zeros_like(targets)
    assert task.metric(zero, targets) == pytest.approx(task.baseline)
    assert not task.passed(task.metric(zero, targets)) and task.passed(task.metric(targets, targets))


def test_per_step_regression_head_reaches_the_trace():
    task = make_task("flipflop", seq_len=12)
    model_cfg, _, _ = preset_configs(task)
    model = build_model(model_cfg, task, seed=0)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(1))
    with torch.no_grad():
        outputs = model(inputs)
        expected = model.head(model.encoder(model.embed(inputs))[0])  # torch.nn, step by step: W_hy h_t + b_y
    assert outputs.shape == (1, 12, 3)
    torch.testing.assert_close(outputs, expected)
    trace = probe(model, inputs, targets)
    assert trace.output_kind == "per_step_regression" and trace.outputs.shape == (12, 3)
    np.testing.assert_allclose(trace.outputs, outputs[0].numpy(), atol=1e-5)  # values, not a softmax
    assert len(trace.targets) == len(trace.predictions) == len(trace.tokens) == 12
    assert trace.targets[0] == "".join("+" if v > 0 else "-" for v in targets[0, 0].tolist())
    assert trace.correct == tuple(t == p for t, p in zip(trace.targets, trace.predictions, strict=True))


@pytest.mark.slow
def test_preset_passes_quickly():
    task = make_task("flipflop")
    model_cfg, train_cfg, steps = preset_configs(task)
    trainer = Trainer(build_model(model_cfg, task, seed=0), task, train_cfg)
    for _ in range(min(steps, 500)):
        trainer.step()
    assert task.passed(trainer.evaluate(batches=4)["metric"])
