"""The batched probe at long sequences, and the vector the final/regression head reads.

Long sequences: every cell and head, bidirectional and 2 layers, against torch's fused modules
(values 1e-5, gradients 1e-4) and against the step-by-step instrumented cells (``engine.network.cells``
through ``engine.network.probe.unroll``, per-step autograd: the probe's previous implementation).
"""
import itertools

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.network.probe import probe, unroll
from tests.engine.test_engine_parity import ToyTask, check_gates_reproduce_states
from tests.reference import layerwise

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")
HEADS = ("per_step", "final", "attention", "regression")


def long_example(cell, head, T, layers=2, bidir=True, merge="sum", H=8, seed=0):
    cfg = ModelConfig(cell=cell, hidden_size=H, num_layers=layers, bidirectional=bidir, merge=merge,
                      embedding_dim=6, init="orthogonal")
    if head == "regression":
        task = make_task("adding", seq_len=T)
        inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(seed))
    else:
        task = ToyTask(head)
        g = torch.Generator().manual_seed(seed)
        inputs = torch.randint(0, 5, (1, T), generator=g)
        targets = inputs % 3 if head == "per_step" else inputs[:, :1].sum(1) % 3
    return build_model(cfg, task, seed=seed), task, inputs, targets


def step_by_step(model, task, inputs, targets):
    """The instrumented cells one step at a time with autograd: (hidden, gates, cells, ||dL/dh_t||)."""
    x = model.embed(inputs)[0]
    out, states, cell_states, gate_values = unroll(model, x)
    loss = task.loss(model.head_forward(out.unsqueeze(0)).outputs, targets)
    flat = [h for per_l in states for per_d in per_l for h in per_d]
    grads = torch.autograd.grad(loss, flat)
    L, D, T = len(states), len(states[0]), x.shape[0]
    norms = np.array([g.norm().item() for g in grads]).reshape(L, D, T)
    hidden = torch.stack([torch.stack([torch.stack(ts) for ts in per_d]) for per_d in states]).detach().numpy()
    gates = {k: np.stack([[[g[k].numpy() for g in per_d] for per_d in per_l] for per_l in gate_values])
             for k in gate_values[0][0][0]}
    c = None if cell_states[0][0][0] is None else np.stack(
        [[[ct.numpy() for ct in per_d] for per_d in per_l] for per_l in cell_states])
    return hidden, gates, c, norms


@pytest.mark.parametrize("cell,head", list(itertools.product(CELLS, HEADS)))
def test_long_sequence_matches_fused_and_step_by_step(cell, head):
    T = 120
    model, task, inputs, targets = long_example(cell, head, T, merge="concat" if head == "attention" else "sum")
    trace = probe(model, inputs, targets)
    with torch.no_grad():
        layer_outs, finals, _ = layerwise(model, inputs)
    H = 8
    for layer, d in itertools.product(range(2), range(2)):
        np.testing.assert_allclose(trace.hidden[layer, d], layer_outs[layer][0, :, d * H:(d + 1) * H].numpy(),
                                   atol=1e-5, rtol=0)
        if cell == "lstm":  # c_n of the chain: its last step (t = T-1 forward, t = 0 backward)
            c_n = finals[layer * 2 + d][1][0, 0].numpy()
            np.testing.assert_allclose(trace.cell[layer, d, T - 1 if d == 0 else 0], c_n, atol=1e-5, rtol=0)
    check_gates_reproduce_states(trace)
    model.zero_grad()
    loss = task.loss(model(inputs), targets)
    loss.backward()
    assert trace.loss == pytest.approx(loss.item(), rel=1e-6, abs=1e-6)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(trace.param_grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
    hidden, gates, c, norms = step_by_step(model, task, inputs, targets)
    np.testing.assert_allclose(trace.hidden, hidden, atol=1e-5, rtol=0)
    for k, v in gates.items():
        np.testing.assert_allclose(trace.gates[k], v, atol=1e-5, rtol=0, err_msg=k)
    if c is not None:
        np.testing.assert_allclose(trace.cell, c, atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace.grad_norm, norms, rtol=1e-4, atol=1e-7)
    assert trace.grad_norm.shape == (2, 2, T) and np.isfinite(trace.grad_norm).all()


@pytest.mark.parametrize("cell", CELLS)
def test_one_direction_one_layer_long(cell):
    """The plain lecture model at T = 400: gradients reach t = 0 exactly as autograd says."""
    T = 400
    model, task, inputs, targets = long_example(cell, "regression", T, layers=1, bidir=False, H=16)
    trace = probe(model, inputs, targets)
    for t in (0, 150, T - 1):
        layer_outs, _, leaf = layerwise(model, inputs, leaf=(0, 0, t))
        loss = task.loss(model.head_forward(layer_outs[-1]).outputs, targets)
        (grad,) = torch.autograd.grad(loss, [leaf])
        assert trace.grad_norm[0, 0, t] == pytest.approx(grad.norm().item(), rel=1e-4, abs=1e-9)
    model.zero_grad()
    task.loss(model(inputs), targets).backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(trace.param_grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


# ---- Trace.head_input ----------------------------------------------------------------------
def head_reads(model, inputs) -> np.ndarray:
    """What model.head receives in the model's own forward (a forward pre-hook)."""
    seen = []
    handle = model.head.register_forward_pre_hook(lambda mod, args: seen.append(args[0].detach()))
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        handle.remove()
    return seen[0][0].numpy()


@pytest.mark.parametrize("layers,merge,head", list(itertools.product((1, 2), ("sum", "concat"),
                                                                      ("final", "regression"))))
def test_head_input_is_what_the_head_reads(layers, merge, head):
    model, task, inputs, targets = long_example("gru", head, 15, layers=layers, merge=merge, seed=layers)
    trace = probe(model, inputs, targets)
    expect = head_reads(model, inputs)
    np.testing.assert_allclose(trace.head_input, expect, atol=1e-6, rtol=0)
    H = 8
    fwd_n, bwd_1 = trace.hidden[-1, 0, -1], trace.hidden[-1, 1, 0]  # h->_n and h<-_1 of the top layer
    if merge == "sum":
        assert trace.head_input.shape == (H,)
        np.testing.assert_allclose(trace.head_input, fwd_n + bwd_1, atol=1e-6)
        wrong = fwd_n + trace.hidden[-1, 1, -1]  # h->_n + h<-_n: what the Equations panel printed
        assert np.abs(wrong - expect).max() > 1e-3  # negative control: the misleading sum differs
    else:
        assert trace.head_input.shape == (2 * H,)
        np.testing.assert_allclose(trace.head_input, np.concatenate([fwd_n, bwd_1]), atol=1e-6)
        wrong = np.concatenate([fwd_n, trace.hidden[-1, 1, -1]])
        assert np.abs(wrong - expect).max() > 1e-3
    if layers == 2:  # the top layer, not the first
        assert np.abs(trace.hidden[0, 0, -1] - fwd_n).max() > 1e-3


def test_head_input_one_direction_and_none_for_other_heads():
    model, task, inputs, targets = long_example("lstm", "final", 10, layers=2, bidir=False)
    trace = probe(model, inputs, targets)
    np.testing.assert_allclose(trace.head_input, trace.hidden[1, 0, -1], atol=0)
    np.testing.assert_allclose(trace.head_input, head_reads(model, inputs), atol=1e-6)
    for head in ("per_step", "attention"):
        model, task, inputs, targets = long_example("lstm", head, 10)
        assert probe(model, inputs, targets).head_input is None


@pytest.mark.parametrize("cell", CELLS)
def test_probe_of_a_diverged_model_returns_without_warnings(cell):
    """Huge or non-finite weights give non-finite numbers in the trace, never an exception or a
    numpy warning (the suite turns warnings into errors)."""
    from engine.analysis import bptt_summary

    model, task, inputs, targets = long_example(cell, "per_step", 60, H=8)
    with torch.no_grad():
        model.encoder.weight_hh_l0.mul_(1e6)
        model.encoder.bias_ih_l1[0] = float("nan")
    trace = probe(model, inputs, targets)
    assert trace.hidden.shape == (2, 2, 60, 8)
    assert not np.isfinite(trace.grad_norm).all() or trace.grad_norm.max() > 1e6
    bptt_summary(model, inputs, targets)
    with torch.no_grad():
        model.encoder.weight_hh_l0.fill_(float("inf"))
    probe(model, inputs, targets)


@pytest.mark.parametrize("cell,head", list(itertools.product(CELLS, ("per_step", "final", "attention"))))
def test_one_and_two_step_sequences(cell, head):
    """T = 1 and 2 (a typed one-character text): the backward chain's single step too."""
    for T in (1, 2):
        model, task, inputs, targets = long_example(cell, head, T, merge="concat" if head == "attention" else "sum")
        trace = probe(model, inputs, targets)
        with torch.no_grad():
            layer_outs, _, _ = layerwise(model, inputs)
        np.testing.assert_allclose(trace.hidden[1].transpose(1, 0, 2).reshape(T, -1), layer_outs[1][0].numpy(),
                                   atol=1e-5, rtol=0)
        check_gates_reproduce_states(trace)
        model.zero_grad()
        task.loss(model(inputs), targets).backward()
        for name, p in model.named_parameters():
            np.testing.assert_allclose(trace.param_grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
