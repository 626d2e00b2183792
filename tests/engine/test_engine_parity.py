"""The probe (fused kernels, rebuilt gates, reverse recursion) equals torch's fused modules: values and gradients."""
import itertools

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.network import recurrence
from engine.network.probe import probe
from engine.tasks.base import Task
from tests.reference import layerwise

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")
COMBOS = [c for c in itertools.product(CELLS, (1, 2), (False, True), ("sum", "concat"))
          if c[2] or c[3] == "sum"]  # merge only matters for bidirectional models


class ToyTask(Task):
    """Tokens task with a chosen head, for exercising every head."""

    name = "toy"
    vocab = tuple("abcde")
    classes = ("no", "yes", "maybe")

    def __init__(self, output_kind):
        self.output_kind = output_kind
        super().__init__()

    def sample_batch(self, batch_size, generator):
        x = torch.randint(0, 5, (batch_size, 7), generator=generator)  # (B, T)
        if self.output_kind == "per_step":
            return x, x % 3
        return x, x[:, 0] % 3


def make(cell, layers, bidir, merge, head="final", seed=0):
    cfg = ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bidir,
                      merge=merge, embedding_dim=5)
    task = make_task("adding", seq_len=7) if head == "regression" else ToyTask(head)
    model = build_model(cfg, task, seed=seed)
    g = torch.Generator().manual_seed(seed)
    inputs, targets = task.sample_batch(1, g)
    return model, task, inputs, targets


def check_parity(cell, layers, bidir, merge, head):
    model, task, inputs, targets = make(cell, layers, bidir, merge, head)
    trace = probe(model, inputs, targets)
    L, D, H, T = layers, 2 if bidir else 1, 6, inputs.shape[1]
    with torch.no_grad():
        out, state = model.encoder(model.embed(inputs))  # out (1, T, D*H)
        layer_outs, _, _ = layerwise(model, inputs)
    h_n = state[0] if cell == "lstm" else state  # (L*D, 1, H)
    for layer in range(L):
        for d in range(D):
            expect = layer_outs[layer][0, :, d * H:(d + 1) * H].numpy()  # (T, H)
            np.testing.assert_allclose(trace.hidden[layer, d], expect, atol=1e-5, rtol=0)
            last = T - 1 if d == 0 else 0
            np.testing.assert_allclose(trace.hidden[layer, d, last], h_n[layer * D + d, 0].numpy(),
                                       atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace.hidden[L - 1].transpose(1, 0, 2).reshape(T, D * H),
                               out[0].numpy(), atol=1e-5, rtol=0)
    if cell == "lstm":
        c_n = state[1]
        for layer, d in itertools.product(range(L), range(D)):
            last = T - 1 if d == 0 else 0
            np.testing.assert_allclose(trace.cell[layer, d, last], c_n[layer * D + d, 0].numpy(), atol=1e-5)
        if L == 1:  # c_t at every t: rerun the fused LSTM on the prefix (forward) or suffix (backward)
            for t in range(T):
                with torch.no_grad():
                    _, (_, c_f) = model.encoder(model.embed(inputs[:, : t + 1]))
                    np.testing.assert_allclose(trace.cell[0, 0, t], c_f[0, 0].numpy(), atol=1e-5)
                    if D == 2:
                        _, (_, c_b) = model.encoder(model.embed(inputs[:, t:]))
                        np.testing.assert_allclose(trace.cell[0, 1, t], c_b[1, 0].numpy(), atol=1e-5)
    check_gates_reproduce_states(trace)
    # loss and parameter gradients through the fused path
    model.zero_grad()
    loss = task.loss(model(inputs), targets)
    loss.backward()
    assert trace.loss == pytest.approx(loss.item(), abs=1e-6)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(trace.param_grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)
    return model, task, inputs, targets, trace


@pytest.mark.parametrize("cell,layers,bidir,merge", COMBOS)
def test_probe_matches_fused_modules(cell, layers, bidir, merge):
    check_parity(cell, layers, bidir, merge, "final")


@pytest.mark.parametrize("head", ["per_step", "attention", "regression"])
@pytest.mark.parametrize("cell", CELLS)
def test_probe_matches_fused_for_every_head(cell, head):
    check_parity(cell, 2, True, "concat", head)
    check_parity(cell, 1, True, "sum", head)


@pytest.mark.parametrize("cell,layers,bidir,merge", [c for c in COMBOS if c[1] == 2 or c[0] == "gru"])
def test_grad_norm_is_the_total_derivative(cell, layers, bidir, merge):
    """Split the sequence at t, restart from a leaf h_t, backpropagate: ||dL/dh_t|| must match."""
    model, task, inputs, targets = make(cell, layers, bidir, merge, "per_step")
    trace = probe(model, inputs, targets)
    T = inputs.shape[1]
    for layer, d, t in itertools.product(range(layers), range(2 if bidir else 1), (0, 3, T - 1)):
        layer_outs, _, leaf = layerwise(model, inputs, leaf=(layer, d, t))
        loss = task.loss(model.head_forward(layer_outs[-1]).outputs, targets)
        (grad,) = torch.autograd.grad(loss, [leaf])
        assert trace.grad_norm[layer, d, t] == pytest.approx(grad.norm().item(), rel=1e-4, abs=1e-7)


def test_gates_follow_torch_chunk_order():
    """Gate values recomputed from torch's chunk layout: LSTM i,f,g,o at t=0 from h_0 = 0."""
    model, task, inputs, targets = make("lstm", 1, False, "sum")
    trace = probe(model, inputs, targets)
    x0 = model.embed(inputs)[0, 0]
    pre = (model.encoder.weight_ih_l0 @ x0 + model.encoder.bias_ih_l0 + model.encoder.bias_hh_l0).detach()
    i, f, g, o = pre.chunk(4)
    np.testing.assert_allclose(trace.gates["forget"][0, 0, 0], torch.sigmoid(f).numpy(), atol=1e-6)
    np.testing.assert_allclose(trace.gates["cell_candidate"][0, 0, 0], torch.tanh(g).numpy(), atol=1e-6)
    assert set(trace.gates) == {"input", "forget", "cell_candidate", "output"}


def check_gates_reproduce_states(trace, atol=1e-5):
    """The probe's gates (and c_t) put back into the cell's update equation give torch's h_t."""
    h = trace.hidden.astype(np.float64)  # (L, D, T, H)
    h0 = np.zeros_like(h[:, :, :1]) if trace.initial_hidden is None else trace.initial_hidden[:, :, None]
    fwd_prev = np.concatenate([h0[:, :1], h[:, :1, :-1]], axis=2)  # h_{t-1}
    bwd_prev = np.concatenate([h[:, 1:, 1:], h0[:, 1:]], axis=2)  # h_{t+1}, the backward chain's past
    h_prev = np.concatenate([fwd_prev, bwd_prev], axis=1)
    g = {k: v.astype(np.float64) for k, v in trace.gates.items()}
    if trace.cell_type == "lstm":
        c = trace.cell.astype(np.float64)
        c0 = np.zeros_like(c[:, :, :1]) if trace.initial_cell is None else trace.initial_cell[:, :, None]
        c_prev = np.concatenate([np.concatenate([c0[:, :1], c[:, :1, :-1]], axis=2),
                                 np.concatenate([c[:, 1:, 1:], c0[:, 1:]], axis=2)], axis=1)
        np.testing.assert_allclose(c, g["forget"] * c_prev + g["input"] * g["cell_candidate"], atol=atol)
        np.testing.assert_allclose(h, g["output"] * np.tanh(c), atol=atol)
    elif trace.cell_type == "gru":
        np.testing.assert_allclose(h, (1 - g["update"]) * g["new"] + g["update"] * h_prev, atol=atol)


def wrong_lstm_gates(xp, hp, h_prev):
    """LSTM with the gate chunks read in the wrong order (i, f, o, g)."""
    i, f, o, g = (xp + hp).chunk(4, dim=-1)
    return {"input": torch.sigmoid(i), "forget": torch.sigmoid(f), "cell_candidate": torch.tanh(g),
            "output": torch.sigmoid(o)}


def wrong_gru_gates(xp, hp, h_prev):
    """GRU with the reset gate applied after the recurrent matmul's bias is split off wrongly:
    n = tanh(W_in x + b_in + W_hn h + b_hn) * r (r outside the tanh)."""
    x_r, x_z, x_n = xp.chunk(3, dim=-1)
    h_r, h_z, h_n = hp.chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    return {"reset": r, "update": z, "new": r * torch.tanh(x_n + h_n)}


def swapped_gru_gates(xp, hp, h_prev):
    """GRU with r and z chunks swapped (z, r, n)."""
    x_z, x_r, x_n = xp.chunk(3, dim=-1)
    h_z, h_r, h_n = hp.chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    return {"reset": r, "update": z, "new": torch.tanh(x_n + r * h_n)}


@pytest.mark.parametrize("cell,wrong", [("lstm", wrong_lstm_gates), ("gru", wrong_gru_gates),
                                        ("gru", swapped_gru_gates)])
def test_negative_control_wrong_equations_fail(monkeypatch, cell, wrong):
    monkeypatch.setattr(recurrence, f"{cell}_gates", wrong)
    with pytest.raises(AssertionError):
        check_parity(cell, 1, False, "sum", "final")


def lstm_recursion_without_memory_path(fx, e):
    """BPTT that forgets the memory cell's own path back in time (dc_{t+1} f_{t+1})."""
    fx = {**fx, "f": np.zeros_like(fx["f"])}
    return recurrence._lstm_recursion(fx, e)


def gru_recursion_without_leak(fx, e):
    """BPTT that drops the GRU's direct path z_t * h_{t-1}."""
    fx = {**fx, "z": np.zeros_like(fx["z"])}
    return recurrence._gru_recursion(fx, e)


@pytest.mark.parametrize("cell,wrong", [("lstm", lstm_recursion_without_memory_path),
                                        ("gru", gru_recursion_without_leak)])
def test_negative_control_wrong_backward_fails(monkeypatch, cell, wrong):
    """A reverse recursion missing one path gives wrong dL/dh_t and wrong weight gradients."""
    monkeypatch.setitem(recurrence._RECURSIONS, cell, wrong)
    with pytest.raises(AssertionError):
        check_parity(cell, 1, False, "sum", "per_step")
    with pytest.raises(AssertionError):
        test_grad_norm_is_the_total_derivative(cell, 1, False, "sum")


def test_probe_leaves_model_grads_and_mode_alone():
    model, task, inputs, targets = make("gru", 1, False, "sum")
    model.train()
    probe(model, inputs, targets)
    assert model.training
    assert all(p.grad is None for p in model.parameters())


def test_trace_is_immutable():
    model, task, inputs, targets = make("lstm", 1, True, "concat", "attention")
    trace = probe(model, inputs, targets)
    assert trace.encoded.shape == (7, 12) and trace.attention.shape == (7,)
    assert trace.attention.sum() == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError):
        trace.hidden[0, 0, 0, 0] = 1.0
