"""Trainer: clipping, divergence handling, determinism, and that the two engine tasks learn."""
import math

import numpy as np
import pytest
import torch

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task


def trainer_for(task_name="adding", cell="lstm", seed=0, **train):
    task = make_task(task_name, seq_len=10)
    model = build_model(ModelConfig(cell=cell, hidden_size=16), task, seed=seed)
    return Trainer(model, task, TrainConfig(seed=seed, **train))


def test_clipping_caps_norm_and_keeps_direction():
    tr = trainer_for(lr=1e-3, clip=True, max_norm=0.05, optimizer="sgd")
    inputs, targets = tr.task.sample_batch(32, torch.Generator().manual_seed(123))
    tr.model.zero_grad()
    tr.task.loss(tr.model(inputs), targets).backward()
    raw = torch.cat([p.grad.flatten() for p in tr.params]).clone()
    norm = torch.nn.utils.clip_grad_norm_(tr.params, 0.05)
    clipped = torch.cat([p.grad.flatten() for p in tr.params])
    assert float(norm) > 0.05
    assert float(clipped.norm()) == pytest.approx(0.05, rel=1e-4)
    cos = float(torch.dot(raw, clipped) / (raw.norm() * clipped.norm()))
    assert cos == pytest.approx(1.0, abs=1e-6)
    stats = [tr.step() for _ in range(5)]
    assert all(s.clipped and s.grad_norm > 0.05 for s in stats)
    assert all(s.grad_norm_clipped == pytest.approx(0.05) for s in stats)


def test_no_clip_reports_equal_norms():
    tr = trainer_for(clip=False)
    s = tr.step()
    assert not s.clipped and s.grad_norm == s.grad_norm_clipped


def test_forced_nan_is_skipped_and_weights_unchanged(monkeypatch):
    tr = trainer_for()
    tr.step()
    before = {k: v.clone() for k, v in tr.model.state_dict().items()}
    real_loss = tr.task.loss
    monkeypatch.setattr(tr.task, "loss", lambda o, t: real_loss(o, t) * float("nan"))
    s = tr.step()
    assert s.skipped and s.diverged and math.isnan(s.loss)
    for k, v in tr.model.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_nonfinite_update_is_rolled_back():
    """SGD with an absurd lr overflows the weights; the trainer restores the last finite ones."""
    tr = trainer_for(cell="rnn_relu", optimizer="sgd", lr=10.0, clip=False)
    with torch.no_grad():
        for p in tr.params:
            p.mul_(1e30)
    saw_skip = False
    for _ in range(20):
        s = tr.step()
        saw_skip |= s.skipped
        assert all(torch.isfinite(p).all() for p in tr.params)
    assert saw_skip


def test_same_seed_same_losses():
    a = [trainer_for(seed=7).step().loss for _ in range(1)]
    t1, t2 = trainer_for(seed=7), trainer_for(seed=7)
    a = [t1.step().loss for _ in range(15)]
    b = [t2.step().loss for _ in range(15)]
    assert a == b
    t3 = trainer_for(seed=8)
    assert [t3.step().loss for _ in range(15)] != a


def test_reset_replays_the_same_run():
    tr = trainer_for(seed=3)
    a = [tr.step().loss for _ in range(10)]
    tr.reset()
    assert tr.step_count == 0 and len(tr.history) == 0
    assert [tr.step().loss for _ in range(10)] == a


def test_history_is_bounded_ring_buffer():
    task = make_task("adding", seq_len=5)
    tr = Trainer(build_model(ModelConfig(hidden_size=4), task), task, TrainConfig(), history_capacity=8)
    for _ in range(20):
        tr.step()
    h = tr.history.arrays()
    assert len(h["step"]) == 8
    np.testing.assert_array_equal(h["step"], np.arange(13, 21))


def test_lr_and_clip_apply_live():
    tr = trainer_for()
    tr.set_lr(0.5)
    assert tr.optimizer.param_groups[0]["lr"] == 0.5
    tr.set_clip(True, 0.01)
    assert tr.step().grad_norm_clipped == pytest.approx(0.01)
    with pytest.raises(ValueError, match="lr"):
        tr.set_lr(-1.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["adding", "parity"])
def test_engine_tasks_learn(name):
    task = make_task(name, seq_len=20 if name == "adding" else 10)
    p = task.preset
    model = build_model(ModelConfig(cell=p.cell, hidden_size=p.hidden_size, embedding_dim=p.embedding_dim),
                        task, seed=0)
    tr = Trainer(model, task, TrainConfig(lr=p.lr, batch_size=p.batch_size, **p.extra))
    for _ in range(600):
        tr.step()
    metric = tr.evaluate(batches=8)["metric"]
    if task.higher_is_better:
        assert metric >= 0.9 > task.baseline
    else:
        assert metric < task.baseline / 5
