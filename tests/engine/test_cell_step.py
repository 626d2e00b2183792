"""cell_internals / cell_wires against an independent numpy recurrence from the weights, and the wire
gradients against the probe's reverse recursion and autograd through torch's fused modules."""
import itertools

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model
from engine.analysis import cell_internals, cell_wires
from engine.analysis import cell_step as cs
from engine.network.probe import forward_backward, probe
from tests.engine.test_engine_parity import ToyTask

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def sig(a):
    return 1 / (1 + np.exp(-a))


def make(cell, layers=2, bidir=True, h0="random", head="final", seed=3, T=7):
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidir, embedding_dim=4, h0=h0)
    task = ToyTask(head)
    model = build_model(cfg, task, seed=seed)
    if h0 == "learned":  # a learned initial state the training moved away from zero
        with torch.no_grad():
            for name in ("h0", "c0"):
                if hasattr(model, name):
                    getattr(model, name).copy_(torch.randn(getattr(model, name).shape) * 0.7)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(seed))
    return model, inputs[:, :T], targets[:, :T] if head == "per_step" else targets


def numpy_chains(model, inputs):
    """{(layer, d): [dict per input position]} by a numpy recurrence from the encoder's weights."""
    cfg = model.config
    L, D, H = cfg.num_layers, cfg.num_directions, cfg.hidden_size
    enc = {k: v.detach().numpy().astype(np.float64) for k, v in model.encoder.named_parameters()}
    x = model.embed(inputs)[0].detach().numpy().astype(np.float64)  # (T, E)
    T = x.shape[0]
    h0 = np.zeros((L * D, H)) if getattr(model, "h0", None) is None else model.h0.detach().numpy()
    c0 = np.zeros((L * D, H)) if getattr(model, "c0", None) is None else model.c0.detach().numpy()
    out, layer_in = {}, x
    for layer in range(L):
        outs = []
        for d in range(D):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            W, U = enc[f"weight_ih{sfx}"], enc[f"weight_hh{sfx}"]
            bi, bh = enc[f"bias_ih{sfx}"], enc[f"bias_hh{sfx}"]
            h, c = h0[layer * D + d].astype(np.float64), c0[layer * D + d].astype(np.float64)
            steps = [None] * T
            for t in (range(T) if d == 0 else reversed(range(T))):
                a, b = W @ layer_in[t] + bi, U @ h + bh
                s = {"h_prev": h, "c_prev": c}
                if cfg.cell.startswith("rnn"):
                    pre = a + b
                    s.update(wx=a, wh=b, pre=pre, h=np.tanh(pre) if cfg.cell == "rnn_tanh" else np.maximum(pre, 0))
                elif cfg.cell == "gru":
                    r, z = sig(a[:H] + b[:H]), sig(a[H:2 * H] + b[H:2 * H])
                    n = np.tanh(a[2 * H:] + r * b[2 * H:])
                    s.update(r=r, z=z, n=n, hn=b[2 * H:], h=(1 - z) * n + z * h)
                else:
                    g4 = a + b
                    i, f, o = sig(g4[:H]), sig(g4[H:2 * H]), sig(g4[3 * H:])
                    g = np.tanh(g4[2 * H:3 * H])
                    cn = f * c + i * g
                    s.update(i=i, f=f, g=g, o=o, c=cn, h=o * np.tanh(cn))
                    c = cn
                h = s["h"]
                steps[t] = s
            out[(layer, d)] = steps
            outs.append(np.stack([s["h"] for s in steps]))
        layer_in = np.concatenate(outs, axis=1)
    return out


@pytest.mark.parametrize("cell,h0", list(itertools.product(CELLS, ("random", "learned"))))
def test_cell_internals_equal_numpy_recurrence(cell, h0):
    model, inputs, _ = make(cell, h0=h0)
    ref = numpy_chains(model, inputs)
    assert np.abs(ref[(0, 0)][0]["h_prev"]).max() > 0.1  # the model's own non-zero h0 is used
    rng = np.random.default_rng(len(cell))
    T = inputs.shape[1]
    for layer, d in itertools.product((0, 1), (0, 1)):
        for t in sorted(set(rng.integers(1, T + 1, size=3)) | {1, T}):
            got = cell_internals(model, inputs, int(t), layer=layer, direction=d)
            assert tuple(got) == cs.INTERNALS[cell]
            for k, v in got.items():
                assert v.shape == (5,) and v.dtype == np.float32
                np.testing.assert_allclose(v, ref[(layer, d)][t - 1][k], atol=1e-5, rtol=0, err_msg=f"{k} t={t}")
    # the backward chain at t = T starts from its own h0, the forward chain at t = 1 from its own
    last = cell_internals(model, inputs, T, layer=1, direction=1)
    np.testing.assert_allclose(last["h_prev"], model.h0[3].detach().numpy(), atol=1e-6)


def test_cell_internals_negative_control(monkeypatch):
    """A wrong GRU (z and 1 - z swapped) no longer matches the reference."""
    model, inputs, _ = make("gru")
    ref = numpy_chains(model, inputs)
    right = cs.step

    def wrong(cell, x, h_prev, c_prev, weights):
        w = right(cell, x, h_prev, c_prev, weights)
        w["h"] = w["z"] * w["n"] + (1 - w["z"]) * h_prev
        return w

    monkeypatch.setattr(cs, "step", wrong)
    got = cell_internals(model, inputs, 4, layer=1, direction=0)
    assert np.abs(got["h"] - ref[(1, 0)][3]["h"]).max() > 1e-3


def test_cell_internals_bad_arguments():
    model, inputs, _ = make("lstm", layers=1, bidir=False)
    for kw in ({"t": 0}, {"t": inputs.shape[1] + 1}, {"t": 2, "layer": 1}, {"t": 2, "direction": 1},
               {"t": 1.5}):
        with pytest.raises(ValueError, match="must be a whole number"):
            cell_internals(model, inputs, **kw)


@pytest.mark.parametrize("cell", CELLS)
def test_cell_wires_values_and_gradients(cell):
    model, inputs, targets = make(cell, head="per_step")
    p = cell_wires(model, inputs, targets)
    tr = probe(model, inputs, targets)
    fb = forward_backward(model, inputs, targets)
    H, T = 5, inputs.shape[1]
    v, g = p["values"], p["grads"]
    np.testing.assert_allclose(v["h"], tr.hidden, atol=1e-5)  # the wires hold the trace's h_t
    assert abs(p["loss"] - tr.loss) < 1e-5
    if cell.startswith("rnn"):  # the trace's operands (tooltips read them) are the wires' values
        np.testing.assert_allclose(tr.preact_x, v["wx"], atol=1e-5)
        np.testing.assert_allclose(tr.preact_h, v["wh"], atol=1e-5)
    elif cell == "gru":
        np.testing.assert_allclose(tr.preact_h[..., 2 * H:], v["hn"], atol=1e-5)
    # the wire h_t carries the total dL/dh_t: its norm is the probe's reverse recursion's
    np.testing.assert_allclose(np.linalg.norm(g["h"], axis=-1), tr.grad_norm, rtol=1e-4, atol=1e-7)
    for layer, d in itertools.product((0, 1), (0, 1)):
        dxp, dhp = fb.directions[layer][d].dxp, fb.directions[layer][d].dhp  # (T, G*H)
        if cell.startswith("rnn"):
            np.testing.assert_allclose(g["pre"][layer, d], dxp, atol=1e-6)
            np.testing.assert_allclose(g["wh"][layer, d], dhp, atol=1e-6)
        elif cell == "lstm":
            for k, (name, deriv) in enumerate((("i", lambda a: a * (1 - a)), ("f", lambda a: a * (1 - a)),
                                               ("g", lambda a: 1 - a * a), ("o", lambda a: a * (1 - a)))):
                a = v[name][layer, d]
                np.testing.assert_allclose(g[name][layer, d] * deriv(a), dxp[:, k * H:(k + 1) * H], atol=1e-6)
        else:
            r, z = v["r"][layer, d], v["z"][layer, d]
            np.testing.assert_allclose(g["r"][layer, d] * r * (1 - r), dhp[:, :H], atol=1e-6)
            np.testing.assert_allclose(g["z"][layer, d] * z * (1 - z), dhp[:, H:2 * H], atol=1e-6)
            np.testing.assert_allclose(g["hn"][layer, d], dhp[:, 2 * H:], atol=1e-6)
    # x_t of layer 1: the two directions' uses add up to autograd's dL/dx_t through torch's fused module
    x = model.embed(inputs).detach().requires_grad_(True)
    h, c = model.initial_state(1)
    out, _ = model.encoder(x, h if c is None else (h, c))
    loss = model.task.loss(model.head_forward(out).outputs, targets)
    (dx,) = torch.autograd.grad(loss, x)
    E = p["x_size"][0]
    np.testing.assert_allclose(g["x"][0, :, :, :E].sum(0), dx[0].numpy(), atol=1e-6)
    assert T == v["x"].shape[2]


def test_cell_wires_gradient_negative_control(monkeypatch):
    """Gradients through a wrong step (o and tanh c swapped in h) disagree with the probe's."""
    model, inputs, targets = make("lstm", layers=1, bidir=False)
    right = cs.step

    def wrong(cell, x, h_prev, c_prev, weights):
        w = right(cell, x, h_prev, c_prev, weights)
        w["h"] = w["o"] * w["c"]
        return w

    monkeypatch.setattr(cs, "step", wrong)
    p = cell_wires(model, inputs, targets)
    tr = probe(model, inputs, targets)
    assert np.abs(np.linalg.norm(p["grads"]["h"], axis=-1) - tr.grad_norm).max() > 1e-3
