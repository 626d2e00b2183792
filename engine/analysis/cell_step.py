"""One recurrent step opened up: every intermediate vector ("wire") of the cell, and dL/d(wire).

``cell_internals`` returns the vectors the issue names for one step of one chain. ``cell_wires``
returns, for every layer, direction and step, the wires the cell view draws (the named vectors plus
the elementwise products between them) and the gradient of the example's loss with respect to each
wire, by autograd through a step-by-step graph of the whole model (one backward pass).

Steps are 1-based on screen (``t``) and stored by input position (index t-1) in the arrays. The
backward chain (direction 1) runs right to left: its previous state at position t is h_{t+1}.
Wire formulas mirror ``torch/nn/modules/rnn.py`` (LSTM i, f, g, o; GRU r, z, n with
n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))).
"""
from __future__ import annotations

import time

import numpy as np
import torch

from engine.network.probe import initial_tensors
from engine.network.recurrence import layer_weights

# what cell_internals returns, in the order
INTERNALS = {
    "rnn_tanh": ("h_prev", "wx", "wh", "pre", "h"),
    "rnn_relu": ("h_prev", "wx", "wh", "pre", "h"),
    "gru": ("h_prev", "r", "z", "n", "hn", "h"),
    "lstm": ("h_prev", "c_prev", "i", "f", "g", "o", "c", "h"),
}
# what the cell view draws (cell_wires): the internals plus the products the diagram shows
WIRES = {
    "rnn_tanh": ("x", "h_prev", "wx", "wh", "pre", "h"),
    "rnn_relu": ("x", "h_prev", "wx", "wh", "pre", "h"),
    "gru": ("x", "h_prev", "r", "z", "hn", "r_hn", "n", "one_minus_z", "zn", "zh", "h"),
    "lstm": ("x", "h_prev", "c_prev", "f", "i", "g", "o", "fc", "ig", "c", "tanh_c", "h"),
}
BUDGET = 0.1  # fraction of wall time cell_wires may take while training (CellWires)


def step(cell: str, x, h_prev, c_prev, weights) -> dict:
    """Every wire of one step as tensors (in the autograd graph of the inputs).

    x (I,), h_prev (H,), c_prev (H,) or None; weights (w_ih, w_hh, b_ih, b_hh) of the chain."""
    w_ih, w_hh, b_ih, b_hh = weights
    wx_all = torch.mv(w_ih, x) + b_ih  # (G*H,)
    wh_all = torch.mv(w_hh, h_prev) + b_hh  # (G*H,)
    w = {"x": x, "h_prev": h_prev}
    if cell in ("rnn_tanh", "rnn_relu"):
        pre = wx_all + wh_all
        w.update(wx=wx_all, wh=wh_all, pre=pre, h=torch.tanh(pre) if cell == "rnn_tanh" else torch.relu(pre))
    elif cell == "gru":
        x_r, x_z, x_n = wx_all.chunk(3)
        h_r, h_z, hn = wh_all.chunk(3)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        r_hn = r * hn
        n = torch.tanh(x_n + r_hn)
        one_minus_z = 1 - z
        zn, zh = one_minus_z * n, z * h_prev
        w.update(r=r, z=z, hn=hn, r_hn=r_hn, n=n, one_minus_z=one_minus_z, zn=zn, zh=zh, h=zn + zh)
    else:
        i, f, g, o = (wx_all + wh_all).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        fc, ig = f * c_prev, i * g
        c = fc + ig
        tanh_c = torch.tanh(c)
        w.update(c_prev=c_prev, f=f, i=i, g=g, o=o, fc=fc, ig=ig, c=c, tanh_c=tanh_c, h=o * tanh_c)
    return w


def _forward(model, x: torch.Tensor, layers: int, grads: bool):
    """Step-by-step run of the first ``layers`` layers over x (T, E) from the model's own h0/c0.

    Returns (wires[l][d][t] dicts by input position, top layer output (T, D*H)). With ``grads``, each
    step reads its own copies of x_t, h_prev, c_prev, so dL/d(those) counts this step's use only."""
    cfg = model.config
    D, T = cfg.num_directions, x.shape[0]
    h_init, c_init = initial_tensors(model)  # (L*D, 1, H)
    if grads:  # every wire in the graph, the first step's h_prev and c_prev too
        h_init, c_init = (None if s is None else s.detach().requires_grad_(True) for s in (h_init, c_init))
    wires, layer_in = [], x
    for layer in range(layers):
        per_d, outs = [], []
        for d in range(D):
            weights = layer_weights(model.encoder, layer, d)
            h = h_init[layer * D + d, 0]
            c = c_init[layer * D + d, 0] if c_init is not None else None
            steps = [None] * T
            for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
                ins = (layer_in[t], h, c)
                if grads:
                    ins = tuple(None if v is None else v.clone() for v in ins)
                w = step(cfg.cell, *ins, weights)
                steps[t] = w
                h, c = w["h"], w.get("c")
            per_d.append(steps)
            outs.append(torch.stack([s["h"] for s in steps]))  # (T, H)
        wires.append(per_d)
        layer_in = torch.cat(outs, dim=-1)  # (T, D*H)
    return wires, layer_in


def _check(model, T: int, t: int, layer: int, direction: int) -> None:
    cfg = model.config
    for name, value, hi in (("t", t, T), ("layer", layer + 1, cfg.num_layers),
                            ("direction", direction + 1, cfg.num_directions)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= hi:
            shown = value if name == "t" else value - 1
            rng = f"1..{T}" if name == "t" else f"0..{hi - 1}"
            raise ValueError(f"{name} must be a whole number in {rng}; got {shown!r}")


def cell_internals(model, inputs: torch.Tensor, t: int, layer: int = 0, direction: int = 0) -> dict:
    """Every intermediate vector of step ``t`` (1-based) of one chain, each (H,) float32 numpy.

    inputs: one example (1, T, ...) as ``Task.sample_batch`` gives. ``direction`` 1 is the backward
    chain, whose previous state is h_{t+1}. Uses the model's own h0/c0, and for layer > 0 the layer
    below's output as PyTorch feeds it. Keys: ``INTERNALS[cell]``."""
    T = inputs.shape[1]
    _check(model, T, t, layer, direction)
    with torch.no_grad():
        x = model.embed(inputs)[0]  # (T, E)
        wires, _ = _forward(model, x, layer + 1, grads=False)
    w = wires[layer][direction][t - 1]
    return {k: w[k].detach().numpy().astype(np.float32) for k in INTERNALS[model.config.cell]}


def cell_wires(model, inputs: torch.Tensor, targets: torch.Tensor) -> dict:
    """Values and gradients of every wire of every step, for the cell view.

    {"cell", "names": WIRES[cell], "values": {name: (L, D, T, n)}, "grads": {name: (L, D, T, n)},
    "loss"}, float32; n = H except x (the layer's input size; layers above the first read D*H, so
    x is zero-padded to the widest input and "x_size" (L,) says how many entries are real)."""
    cfg = model.config
    L, D, T = cfg.num_layers, cfg.num_directions, inputs.shape[1]
    names = WIRES[cfg.cell]
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x = model.embed(inputs)[0].detach().requires_grad_(True)  # (T, E)
            wires, top = _forward(model, x, L, grads=True)
            loss = model.task.loss(model.head_forward(top.unsqueeze(0)).outputs, targets)
            flat = [wires[la][d][s][k] for la in range(L) for d in range(D) for s in range(T) for k in names]
            grads = torch.autograd.grad(loss, flat, allow_unused=True)
    finally:
        model.train(was_training)
    sizes = np.array([len(wires[la][0][0]["x"]) for la in range(L)])
    width = {k: (int(sizes.max()) if k == "x" else cfg.hidden_size) for k in names}
    values = {k: np.zeros((L, D, T, width[k]), np.float32) for k in names}
    gvals = {k: np.zeros((L, D, T, width[k]), np.float32) for k in names}
    it = iter(zip(flat, grads, strict=True))
    for la in range(L):
        for d in range(D):
            for s in range(T):
                for k in names:
                    v, g = next(it)
                    n = v.shape[0]
                    values[k][la, d, s, :n] = v.detach().numpy()
                    if g is not None:
                        gvals[k][la, d, s, :n] = g.numpy()
    return {"cell": cfg.cell, "names": names, "values": values, "grads": gvals, "x_size": sizes,
            "loss": float(loss.detach())}


class CellWires:
    """The live analysis behind the cell view: recomputed when the weights or the example change,
    at most BUDGET of the time while training (a stale payload says which training step it shows)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self._payload, self._key, self._next = None, None, 0.0

    def __call__(self, session, trace) -> dict:
        key = (session.timeline.step(session.trainer), session.example_key(), id(session.shown_model()))
        now = time.perf_counter()
        if self._payload is not None and (key == self._key or (
                session.state == "training" and now < self._next)):
            return self._payload
        payload = cell_wires(session.shown_model(), *session.example)
        payload["step"] = key[0]
        self._payload, self._key = payload, key
        self._next = now + (time.perf_counter() - now) / BUDGET
        return payload
