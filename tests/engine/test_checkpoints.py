"""Training checkpoints: the thinning policy, the memory bound, bit-exact restores (also through a
session file), reproducibility from the seed, and sessions saved before checkpoints existed."""
import copy

import pytest
import torch

from engine import ModelConfig, SessionError, TrainConfig, Trainer, build_model, load_session, make_task
from engine.lab.files import save_session
from engine.training.checkpoints import (
    CHECKPOINT_BUDGET,
    MAX_CHECKPOINTS,
    Checkpoints,
    checkpoint_capacity,
)


def small_trainer(seed=0, **train):
    task = make_task("adding", seq_len=8)
    model = build_model(ModelConfig(cell="lstm", hidden_size=8, embedding_dim=4), task, seed=seed)
    return Trainer(model, task, TrainConfig(seed=seed, batch_size=8, **train))


def test_every_step_early_then_thinned_by_powers_of_two():
    steps = []
    cp = Checkpoints(num_params=10, capacity=8)
    for s in range(0, 1000):
        cp.offer(s, [torch.full((10,), float(s))])
        steps.append(list(cp.steps))
    assert steps[5] == [0, 1, 2, 3, 4, 5]  # every step early on
    assert all(len(s) <= 8 for s in steps) and len(steps[-1]) >= 4
    final = steps[-1]
    assert final[0] == 0 and len({b - a for a, b in zip(final, final[1:], strict=False)}) == 1  # even
    assert final[-1] >= 1000 - cp.stride  # the recent past is covered
    assert all(float(w[0]) == s for s, w in zip(cp.steps, cp.weights, strict=True))


def test_a_long_run_keeps_about_a_hundred_checkpoints():
    cp = Checkpoints(num_params=4)
    assert cp.capacity == MAX_CHECKPOINTS == 128
    counts = []
    for s in range(20_000):
        cp.offer(s, [torch.zeros(4)])
        if s > 200:
            counts.append(len(cp))
    assert min(counts) >= 64 and max(counts) <= 128


def largest_allowed_model_params() -> int:
    cfg = ModelConfig(cell="lstm", hidden_size=512, num_layers=4, bidirectional=True, merge="concat",
                      embedding_dim=512)
    H, E, D = cfg.hidden_size, cfg.embedding_dim, cfg.num_directions
    per_dir = 4 * H * (E + H) + 8 * H + (cfg.num_layers - 1) * (4 * H * (D * H + H) + 8 * H)
    return D * per_dir  # the recurrent weights alone (the head and embedding add more)


def test_memory_is_bounded_for_every_model_size():
    task = make_task("sentiment")
    model = build_model(ModelConfig(cell="lstm", hidden_size=512, num_layers=2, bidirectional=True,
                                    embedding_dim=64), task)
    n = sum(p.numel() for p in model.parameters())
    assert checkpoint_capacity(n) * 4 * n <= CHECKPOINT_BUDGET
    largest = largest_allowed_model_params()
    assert largest > 23_000_000
    assert checkpoint_capacity(largest) * 4 * largest <= CHECKPOINT_BUDGET  # 0 slots: no timeline
    for size in (1_000, 131_072, 500_000, 2_000_000, 8_000_000, largest):
        assert checkpoint_capacity(size) * 4 * size <= 64 * 2**20
    assert checkpoint_capacity(131_072) == 128  # every preset keeps the full timeline
    # a filled run really holds that many bytes and no more
    cp = Checkpoints(num_params=200_000)
    for s in range(300):
        cp.offer(s, [torch.zeros(200_000)])
    assert cp.nbytes == 4 * 200_000 * len(cp) <= CHECKPOINT_BUDGET


def test_restore_is_bit_exact_and_leaves_the_trained_model_alone():
    tr = small_trainer()
    seen = {}
    tr.add_callback(lambda t, s: seen.__setitem__(s.step, copy.deepcopy(t.model.state_dict())))
    for _ in range(300):
        tr.step()
    present = copy.deepcopy(tr.model.state_dict())
    view = copy.deepcopy(tr.model)
    assert 0 in tr.checkpoints.steps and len(tr.checkpoints) >= 64
    for step in tr.checkpoints.steps:
        tr.load_checkpoint(step, view)
        want = tr._initial_weights if step == 0 else seen[step]
        for name, p in view.state_dict().items():
            assert torch.equal(p, want[name]), (step, name)
    for name, p in tr.model.state_dict().items():
        assert torch.equal(p, present[name])
    with pytest.raises(ValueError, match="no checkpoint"):
        tr.load_checkpoint(3, view)  # thinned away
    with pytest.raises(ValueError, match="copy"):
        tr.load_checkpoint(0, tr.model)


def test_same_seed_same_settings_reproduce_the_checkpoints():
    runs = []
    for _ in range(2):
        tr = small_trainer(seed=7)
        for _ in range(200):
            tr.step()
        runs.append(tr.checkpoints)
    a, b = runs
    assert a.steps == b.steps
    assert all(torch.equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
    other = small_trainer(seed=8)  # negative control: another seed is another run
    for _ in range(200):
        other.step()
    assert not torch.equal(other.checkpoints.weights[-1], a.weights[-1])


def test_checkpoints_survive_a_session_file_bit_exactly(tmp_path):
    tr = small_trainer()
    for _ in range(150):
        tr.step()
    save_session(tmp_path / "run.rnnlab", tr)
    loaded = load_session(tmp_path / "run.rnnlab").trainer
    assert loaded.checkpoints.steps == tr.checkpoints.steps
    assert loaded.checkpoints.stride == tr.checkpoints.stride
    assert all(torch.equal(x, y) for x, y in zip(loaded.checkpoints.weights, tr.checkpoints.weights,
                                                 strict=True))
    for _ in range(200):  # and the thinning goes on where it left off, as in an unbroken run
        loaded.step()
        tr.step()
    assert loaded.checkpoints.steps == tr.checkpoints.steps


def test_sessions_without_checkpoints_still_load(tmp_path):
    tr = small_trainer()
    for _ in range(40):
        tr.step()
    state = tr.state_dict()
    del state["checkpoints"]  # what a session saved before checkpoints existed holds
    old = small_trainer()
    old.model.load_state_dict(tr.model.state_dict())
    old.load_state_dict(state)
    assert old.checkpoints.steps == [0, 40]
    view = copy.deepcopy(old.model)
    old.load_checkpoint(0, view)
    assert all(torch.equal(view.state_dict()[k], v) for k, v in tr._initial_weights.items())


@pytest.mark.parametrize("edit,match", [
    (lambda c: c.update(stride=3), "power of two"),
    (lambda c: c.update(steps=torch.tensor([5, 5])), "increasing"),
    (lambda c: c.update(steps=torch.tensor([0, 10_000])), "increasing"),
    (lambda c: c.update(weights=c["weights"][:, :3]), "match"),
    (lambda c: c["weights"].__setitem__((0, 0), float("nan")), "finite"),
    (lambda c: c.update(steps=[0, 1]), "step numbers"),
])
def test_damaged_checkpoints_are_refused(tmp_path, edit, match):
    tr = small_trainer()
    for _ in range(30):
        tr.step()
    payload_state = tr.state_dict()
    cps = payload_state["checkpoints"]
    cps["steps"], cps["weights"] = cps["steps"][:2].clone(), cps["weights"][:2].clone()
    edit(cps)
    with pytest.raises(ValueError, match=match):
        small_trainer().load_state_dict(payload_state)
    torch.save({"x": 1}, tmp_path / "junk")  # and through a file: a SessionError, never a traceback
    path = save_session(tmp_path / "bad.rnnlab", tr)
    payload = torch.load(path, weights_only=True)
    payload["trainer_state"] = payload_state
    torch.save(payload, path)
    with pytest.raises(SessionError, match="do not fit"):
        load_session(path)
