"""The training timeline in the engine session: viewing a checkpoint shows the network as it was at
that step (against a model rebuilt from weights recorded during training), training returns to the
present, and the attribution payload rides along with the snapshot."""
import copy

import numpy as np
import pytest
import torch

from engine import ModelConfig, TrainConfig, build_model
from engine.analysis import attribution, spearman
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.network.probe import probe


@pytest.fixture
def session():
    cfg = LabConfig(task="sentiment", model=ModelConfig(cell="lstm", hidden_size=16, embedding_dim=8),
                    train=TrainConfig(batch_size=16, seed=3))
    s = LabSession(cfg)
    s.recorded = {}
    s.trainer.add_callback(lambda t, st: s.recorded.__setitem__(st.step, copy.deepcopy(t.model.state_dict())))
    for _ in range(200):
        s.step()
    return s


def test_viewing_a_checkpoint_shows_that_steps_network(session):
    s = session
    live = s.snapshot()
    info = s.request_view_checkpoint(step=61)  # thinned: the nearest checkpoint is shown
    shown = info["viewing"]
    assert shown in s.trainer.checkpoints.steps and abs(shown - 61) <= s.trainer.checkpoints.stride
    assert info["label"] == f"viewing step {shown} of 200"
    snap = s.snapshot()
    assert snap.trace.step == shown and snap.timeline["viewing"] == shown and snap.step == 200
    # independent: a fresh model holding the weights recorded after that training step
    then = build_model(s.config.model, s.task, seed=99)
    then.load_state_dict(s.recorded[shown])
    want = probe(then, *s.example)
    np.testing.assert_array_equal(snap.trace.hidden, want.hidden)
    np.testing.assert_array_equal(snap.trace.outputs, want.outputs)
    assert not np.allclose(snap.trace.hidden, live.trace.hidden, atol=1e-4)  # it is not the present
    assert snap.history["step"][-1] == 200  # the loss curve still covers the whole run


def test_training_returns_to_the_present_and_leaves_training_untouched(session):
    s = session
    before = copy.deepcopy(s.model.state_dict())
    s.request_view_checkpoint(step=0)
    s.snapshot()
    assert all(torch.equal(v, before[k]) for k, v in s.model.state_dict().items())
    s.step()
    snap = s.snapshot()
    assert snap.timeline["viewing"] is None and snap.trace.step == 201
    assert snap.timeline["label"] == "step 201 (now)"
    # the run continues as if nobody had looked: same weights as an unviewed twin run
    twin = LabSession(s.config)
    for _ in range(201):
        twin.step()
    assert all(torch.equal(v, twin.model.state_dict()[k]) for k, v in s.model.state_dict().items())


def test_view_step_zero_is_the_initial_network_and_none_the_present(session):
    s = session
    s.request_view_checkpoint(step=0)
    initial = probe(build_model(s.config.model, s.task, seed=s.config.train.seed), *s.example)
    np.testing.assert_array_equal(s.snapshot().trace.hidden, initial.hidden)
    assert s.request_view_checkpoint(step=None)["viewing"] is None
    assert s.request_view_checkpoint(step=10**6)["viewing"] is None  # past the end: the present
    with pytest.raises(ValueError, match="whole number"):
        s.request_view_checkpoint(step="x")
    s.reset()
    assert s.snapshot().timeline["viewing"] is None and list(s.snapshot().timeline["steps"]) == [0]


def test_attribution_payload_matches_the_engine_and_follows_the_view(session):
    s = session
    s.analyses.wanted = {"attribution"}
    snap = s.snapshot()
    p = snap.analysis["attribution"]
    want = attribution(s.model, *s.example, "integrated_gradients", baseline="the")  # sentiment's neutral token
    np.testing.assert_allclose(p["scores"], want.scores)
    assert p["explained"] == want.explained and p["completeness_error"] < 0.01 and p["step"] == 200
    np.testing.assert_allclose(p["attention"], snap.trace.attention)
    assert p["spearman"] == pytest.approx(spearman(snap.trace.attention, np.abs(want.scores)))
    s.request_attribution_options(method="gradient_x_input", baseline="good")
    s.request_view_checkpoint(step=100)
    p2 = s.snapshot().analysis["attribution"]
    then = build_model(s.config.model, s.task, seed=0)
    then.load_state_dict(s.recorded[p2["step"]])
    want2 = attribution(then, *s.example, "gradient_x_input", baseline="good")
    np.testing.assert_allclose(p2["scores"], want2.scores)
    assert p2["method_title"] == "gradient x input" and "'good'" in p2["baseline"]
    with pytest.raises(ValueError, match="baseline"):
        s.request_attribution_options(baseline="zzz")


def test_per_step_attribution_explains_the_chosen_position():
    s = LabSession(LabConfig.for_task("copy_memory"))
    s.analyses.wanted = {"attribution"}
    s.request_attribution_options(position=22)
    p = s.snapshot().analysis["attribution"]
    assert p["position"] == 22 and "t = 23" in p["explained"] and p["attention"] is None
    s.request_attribution_options(position=10_000)  # a shorter example: clamped to its last step
    assert s.snapshot().analysis["attribution"]["position"] == s.example[0].shape[1] - 1
