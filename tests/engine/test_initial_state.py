"""Initial state h_0 (and c_0): the probe and the model's forward equal torch.nn.RNN/GRU/LSTM run
with the same weights and h0; ModelConfig.h0 = zero / random / learned; sessions keep it."""
import itertools

import numpy as np
import pytest
import torch
from torch import nn

from engine import ModelConfig, TrainConfig, Trainer, build_model, load_session, make_task, save_session
from engine.network.probe import probe
from tests.engine.test_engine_parity import ToyTask, check_gates_reproduce_states
from tests.reference import layerwise

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def torch_module(model) -> nn.RNNBase:
    """A plain torch.nn.RNN/GRU/LSTM (sequence-first, as the deck writes it) with the model's weights."""
    cfg = model.config
    kinds = {"lstm": nn.LSTM, "gru": nn.GRU}
    kw = {} if cfg.cell in kinds else {"nonlinearity": cfg.cell.removeprefix("rnn_")}
    mod = kinds.get(cfg.cell, nn.RNN)(cfg.embedding_dim, cfg.hidden_size, cfg.num_layers,
                                      bidirectional=cfg.bidirectional, **kw)
    mod.load_state_dict({k.removeprefix("encoder."): v for k, v in model.state_dict().items()
                         if k.startswith("encoder.")})
    return mod


def setup(cell, layers, bidir, head="final", seed=0, T=9):
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidir, embedding_dim=4,
                      merge="concat" if head == "attention" else "sum")
    task = ToyTask(head)
    model = build_model(cfg, task, seed=seed)
    g = torch.Generator().manual_seed(seed + 7)
    inputs = torch.randint(0, 5, (1, T), generator=g)
    targets = inputs % 3 if head == "per_step" else inputs[:, 0] % 3
    LD = layers * (2 if bidir else 1)
    h0 = torch.randn(LD, 5, generator=g)
    c0 = torch.randn(LD, 5, generator=g) if cell == "lstm" else None
    return model, task, inputs, targets, h0, c0


def reference(model, task, inputs, targets, h0, c0):
    """Outputs, final state, loss and parameter gradients through torch's own module."""
    mod = torch_module(model)
    x = model.embed(inputs).transpose(0, 1)  # (T, 1, E): the deck's (seq, batch, feature)
    state = h0.unsqueeze(1) if c0 is None else (h0.unsqueeze(1), c0.unsqueeze(1))  # (L*D, 1, H)
    out, final = mod(x, state)  # (T, 1, D*H)
    loss = task.loss(model.head_forward(out.transpose(0, 1)).outputs, targets)
    names = [n for n, _ in model.named_parameters() if not n.startswith("encoder.")]
    grads = torch.autograd.grad(loss, [p for n, p in model.named_parameters() if n in names]
                                + list(mod.parameters()))
    named = dict(zip(names + [f"encoder.{n}" for n, _ in mod.named_parameters()], grads, strict=True))
    return out.detach()[:, 0], final, float(loss.detach()), named


COMBOS = list(itertools.product(CELLS, (1, 2), (False, True)))


@pytest.mark.parametrize("cell,layers,bidir", COMBOS)
def test_probe_with_h0_equals_torch_module(cell, layers, bidir):
    model, task, inputs, targets, h0, c0 = setup(cell, layers, bidir, "per_step")
    trace = probe(model, inputs, targets, h0=h0, c0=c0)
    out, final, loss, grads = reference(model, task, inputs, targets, h0, c0)
    L, D, H, T = layers, 2 if bidir else 1, 5, inputs.shape[1]
    np.testing.assert_allclose(trace.hidden[L - 1].transpose(1, 0, 2).reshape(T, D * H), out.numpy(),
                               atol=1e-5, rtol=0)
    with torch.no_grad():
        initial = (h0.unsqueeze(1), None if c0 is None else c0.unsqueeze(1))
        layer_outs, _, _ = layerwise(model, inputs, initial=initial)
    for layer, d in itertools.product(range(L), range(D)):
        np.testing.assert_allclose(trace.hidden[layer, d], layer_outs[layer][0, :, d * H:(d + 1) * H].numpy(),
                                   atol=1e-5, rtol=0)
        h_n = final[0] if cell == "lstm" else final
        np.testing.assert_allclose(trace.hidden[layer, d, T - 1 if d == 0 else 0],
                                   h_n[layer * D + d, 0].detach().numpy(), atol=1e-5, rtol=0)
        if cell == "lstm":
            np.testing.assert_allclose(trace.cell[layer, d, T - 1 if d == 0 else 0],
                                       final[1][layer * D + d, 0].detach().numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace.initial_hidden.reshape(L * D, H), h0.numpy())
    check_gates_reproduce_states(trace)
    assert trace.loss == pytest.approx(loss, abs=1e-6)
    for name, g in grads.items():
        np.testing.assert_allclose(trace.param_grads[name], g.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
    # dL/dh_t at a few steps: restart the chain from a leaf h_t
    for layer, d, t in itertools.product(range(L), range(D), (0, 4, T - 1)):
        layer_outs, _, leaf = layerwise(model, inputs, leaf=(layer, d, t), initial=initial)
        loss = task.loss(model.head_forward(layer_outs[-1]).outputs, targets)
        (grad,) = torch.autograd.grad(loss, [leaf])
        assert trace.grad_norm[layer, d, t] == pytest.approx(grad.norm().item(), rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("cell", CELLS)
def test_negative_control_ignoring_h0_fails(cell):
    """A probe that starts from zeros instead of the given h0 misses torch's values."""
    model, task, inputs, targets, h0, c0 = setup(cell, 2, True, "per_step")
    out, _, _, _ = reference(model, task, inputs, targets, h0, c0)
    trace = probe(model, inputs, targets)  # h0 not passed: zeros
    H = 5
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(trace.hidden[1].transpose(1, 0, 2).reshape(-1, 2 * H), out.numpy(),
                                   atol=1e-5, rtol=0)


def test_h0_shapes_follow_pytorch_layout():
    model, task, inputs, targets, h0, c0 = setup("lstm", 2, True)
    batch = torch.randint(0, 5, (3, 9))
    per_example = torch.randn(4, 3, 5)
    mod = torch_module(model)
    ref, _ = mod(model.embed(batch).transpose(0, 1), (per_example, per_example * 0.5))  # (T, 3, 2H)
    ours = model.run(batch, h0=per_example, c0=per_example * 0.5).encoded  # (3, T, H) summed
    np.testing.assert_allclose(ours.detach().numpy(), (ref[..., :5] + ref[..., 5:]).transpose(0, 1).detach().numpy(),
                               atol=1e-5)
    shared = model.run(batch, h0=h0, c0=c0).encoded  # (L*D, H) for every example
    one = model.run(batch[1:2], h0=h0.unsqueeze(1), c0=c0.unsqueeze(1)).encoded
    np.testing.assert_allclose(shared[1:2].detach().numpy(), one.detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match=r"h0 must have shape \(4, 5\)"):
        model(batch, h0=torch.zeros(2, 5))
    gru, *_ = setup("gru", 1, False)
    with pytest.raises(ValueError, match="c0"):
        gru(batch, h0=torch.zeros(1, 5), c0=torch.zeros(1, 5))


def test_config_field_h0_is_validated_and_defaults_to_zero():
    assert ModelConfig().h0 == "zero"
    with pytest.raises(ValueError, match="h0 must be one of zero, random, learned"):
        ModelConfig(h0="ones")
    old = ModelConfig().to_dict()
    del old["h0"]
    assert ModelConfig.from_dict(old).h0 == "zero"


def test_random_h0_is_seeded_fixed_and_used():
    task = make_task("adding", seq_len=12)
    cfg = ModelConfig(cell="lstm", hidden_size=6, num_layers=2, h0="random")
    a, b, c = build_model(cfg, task, seed=3), build_model(cfg, task, seed=3), build_model(cfg, task, seed=4)
    assert a.h0.shape == a.c0.shape == (2, 6)
    assert torch.equal(a.h0, b.h0) and not torch.equal(a.h0, c.h0)
    assert "h0" not in dict(a.named_parameters())  # fixed, not trained
    zero = build_model(ModelConfig(cell="lstm", hidden_size=6, num_layers=2), task, seed=3)
    for n, p in zero.named_parameters():  # drawing h0 last leaves every weight as before
        assert torch.equal(p, dict(a.named_parameters())[n])
    x, y = task.sample_batch(4, torch.Generator().manual_seed(0))
    expect = a.head_forward(a.encoder(a.embed(x), (a.h0.unsqueeze(1).expand(2, 4, 6).contiguous(),
                                                   a.c0.unsqueeze(1).expand(2, 4, 6).contiguous()))[0]).outputs
    torch.testing.assert_close(a(x), expect)
    assert not torch.allclose(a(x), zero(x))
    trace = probe(a, x[:1], y[:1])
    np.testing.assert_allclose(trace.initial_hidden[:, 0], a.h0.numpy())
    check_gates_reproduce_states(trace)


def test_learned_h0_trains_and_its_gradient_matches_autograd():
    task = ToyTask("per_step")
    model = build_model(ModelConfig(cell="gru", hidden_size=5, num_layers=2, bidirectional=True,
                                    embedding_dim=4, h0="learned"), task, seed=1)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.h0.copy_(torch.randn(4, 5))
    trace = probe(model, x, y)
    model.zero_grad()
    task.loss(model(x), y).backward()
    np.testing.assert_allclose(trace.param_grads["h0"], model.h0.grad.numpy(), rtol=1e-4, atol=1e-6)
    assert np.abs(trace.param_grads["h0"]).max() > 1e-4
    lstm = build_model(ModelConfig(cell="lstm", hidden_size=5, embedding_dim=4, h0="learned"), task, seed=1)
    trace = probe(lstm, x, y)
    lstm.zero_grad()
    task.loss(lstm(x), y).backward()
    for name in ("h0", "c0"):
        np.testing.assert_allclose(trace.param_grads[name], getattr(lstm, name).grad.numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=name)
    before = model.h0.detach().clone()
    trainer = Trainer(model, task, TrainConfig(lr=1e-2, batch_size=8))
    for _ in range(3):
        trainer.step()
    assert not torch.equal(before, model.h0.detach())


def test_session_round_trips_h0(tmp_path):
    task = make_task("adding", seq_len=10)
    model = build_model(ModelConfig(cell="lstm", hidden_size=6, h0="learned"), task, seed=0)
    trainer = Trainer(model, task, TrainConfig(lr=1e-2, batch_size=4))
    for _ in range(3):
        trainer.step()
    path = save_session(tmp_path / "a.rnnlab", trainer)
    s = load_session(path)
    assert s.model_config.h0 == "learned"
    assert torch.equal(s.trainer.model.h0, model.h0) and torch.equal(s.trainer.model.c0, model.c0)
    rand = build_model(ModelConfig(cell="gru", hidden_size=6, h0="random"), task, seed=5)
    path = save_session(tmp_path / "b.rnnlab", Trainer(rand, task, TrainConfig()))
    assert torch.equal(load_session(path).trainer.model.h0, rand.h0)


def test_old_session_without_h0_loads_as_zero(tmp_path):
    task = make_task("adding", seq_len=10)
    model = build_model(ModelConfig(cell="gru", hidden_size=6), task, seed=0)
    path = save_session(tmp_path / "old.rnnlab", Trainer(model, task, TrainConfig()))
    payload = torch.load(path, weights_only=True)
    del payload["model_config"]["h0"]  # as written before the field existed
    torch.save(payload, path)
    s = load_session(path)
    assert s.model_config.h0 == "zero" and not hasattr(s.trainer.model, "h0")


def test_session_with_non_finite_random_h0_is_refused(tmp_path):
    from engine import SessionError

    task = make_task("adding", seq_len=10)
    model = build_model(ModelConfig(cell="gru", hidden_size=6, h0="random"), task, seed=0)
    path = save_session(tmp_path / "bad.rnnlab", Trainer(model, task, TrainConfig()))
    payload = torch.load(path, weights_only=True)
    payload["model_state"]["h0"][0, 0] = float("nan")
    torch.save(payload, path)
    with pytest.raises(SessionError, match="h0 is not finite"):
        load_session(path)
