"""The quick step-time estimate: real steps on a copy, so nothing of the real run changes."""
import pytest
import torch

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task
from engine.training.timing import estimate_step_seconds


def test_estimate_leaves_weights_optimizer_and_rng_alone():
    task = make_task("adding", seq_len=30)
    model = build_model(ModelConfig(cell="lstm", hidden_size=16, h0="learned"), task)
    cfg = TrainConfig(lr=0.1, batch_size=8)
    trainer = Trainer(model, task, cfg)
    trainer.step()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt_before = {k: {n: v.clone() for n, v in s.items()} for k, s in trainer.optimizer.state_dict()["state"].items()}
    gen_before = trainer.generator.get_state()
    rng_before = torch.random.get_rng_state()
    grads_before = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    seconds = estimate_step_seconds(model, task, cfg)
    assert 0 < seconds < 5
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    for k, s in trainer.optimizer.state_dict()["state"].items():
        for n, v in s.items():
            assert torch.equal(v, opt_before[k][n])
    assert torch.equal(trainer.generator.get_state(), gen_before)
    assert torch.equal(torch.random.get_rng_state(), rng_before)
    for p, g in zip(model.parameters(), grads_before, strict=True):  # grads untouched
        assert (p.grad is None) == (g is None) and (g is None or torch.equal(p.grad, g))
    # the trainer continues exactly as one that never estimated
    twin = Trainer(build_model(ModelConfig(cell="lstm", hidden_size=16, h0="learned"), task), task, cfg)
    twin.step()
    assert trainer.step().loss == twin.step().loss


def test_estimate_grows_with_sequence_length():
    cfg = TrainConfig(batch_size=16)
    times = {}
    for T in (20, 600):
        task = make_task("adding", seq_len=T)
        model = build_model(ModelConfig(cell="lstm", hidden_size=64), task)
        times[T] = min(estimate_step_seconds(model, task, cfg) for _ in range(2))
    assert times[600] > 3 * times[20], times


def test_session_request_step_seconds(monkeypatch):
    import engine.lab.session as lab_session
    from engine.lab.config import LabConfig
    from engine.lab.session import LabSession

    session = LabSession(LabConfig.for_task("adding"))
    before = {k: v.clone() for k, v in session.model.state_dict().items()}
    current = session.request_step_seconds()
    assert current["seconds"] > 0 and current["slow"] is False and current["message"] == ""
    longer = session.config.to_dict()
    longer["task_params"] = {"seq_len": 400}
    monkeypatch.setattr(lab_session, "SLOW_STEP_SECONDS", 0.0)
    other = session.request_step_seconds(longer)
    assert other["slow"] is True and "one training step takes about" in other["message"]
    assert session.config.task_params["seq_len"] != 400  # nothing applied
    for k, v in session.model.state_dict().items():
        assert torch.equal(v, before[k])
    huge = dict(longer, task_params={"seq_len": 1000}, model={**longer["model"], "hidden_size": 512})
    with pytest.raises(ValueError, match="above the limit"):
        session.request_step_seconds(huge)
