"""probe(): every intermediate value of one example, from the fused encoder's own computation.

Training uses the fused ``nn.RNN``/``nn.GRU``/``nn.LSTM``; the probe runs the same fused kernels one
layer at a time (so every layer's h_t is known), rebuilds each gate for all steps at once, c_t by
its elementwise recurrence, and dL/dh_t by a reverse recursion through the step Jacobians
(``engine.network.recurrence``). One autograd pass through the fused calls gives the parameter gradients
and what each layer's outputs receive from above. It never touches ``.grad`` of the model.

``unroll`` is the step-by-step form (one instrumented step per t, ``engine.network.cells``) that analyses
needing exact per-step arithmetic (counterfactual, Jacobian spectra) use.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.network import cells, recurrence
from engine.network.model import SequenceModel
from engine.network.recurrence import layer_weights as encoder_weights
from engine.network.trace import Trace, frozen

__all__ = ["probe", "forward_backward", "unroll", "encoder_weights", "initial_tensors", "Pass"]


def initial_tensors(model: SequenceModel, h0=None, c0=None):
    """(h0, c0 or None) for one example as (L*D, 1, H) tensors; zeros where the model has none."""
    cfg = model.config
    h, c = model.initial_state(1, h0, c0)
    zeros = torch.zeros(cfg.num_layers * cfg.num_directions, 1, cfg.hidden_size)
    h = zeros if h is None else h
    if cfg.cell == "lstm":
        c = zeros if c is None else c
    return h, c


@dataclass
class Pass:
    """One forward + backward of one example: what the probe and the BPTT analysis read."""

    x: torch.Tensor  # (1, T, E) embedded inputs
    outs: list  # per layer (1, T, D*H), detached
    head: object  # HeadResult (detached)
    loss: float
    param_grads: dict  # name -> np.ndarray, zeros for unused parameters
    directions: list  # [L][D] Direction with values and gradients
    h_init: torch.Tensor  # (L*D, 1, H)
    c_init: torch.Tensor | None


def forward_backward(model: SequenceModel, inputs: torch.Tensor, targets: torch.Tensor,
                     h0=None, c0=None) -> Pass:
    """Forward through the fused kernels, backward by the reverse recursion (no graph per step).

    Autograd runs only through the head (from the top layer's outputs, a leaf) and the embedding;
    the encoder's parameter gradients are sums over t of each step's contribution (delta_t x^T,
    delta_t h_{t-1}^T, delta_t), and what a lower layer's outputs receive is delta_t W_ih.
    """
    task, L = model.task, model.config.num_layers
    named = dict(model.named_parameters())
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x = model.embed(inputs)  # (1, T, E)
        with torch.no_grad():
            h_init, c_init = (None if s is None else s.detach() for s in initial_tensors(model, h0, c0))
            outs = recurrence.run_layers(model, x.detach(), h_init, c_init)  # L x (1, T, D*H)
        top = outs[-1].requires_grad_(True)
        with torch.enable_grad():
            res = model.head_forward(top)
            loss = task.loss(res.outputs, targets)
            grads = torch.autograd.grad(loss, [top, *named.values()], allow_unused=True)
        outs[-1] = top.detach()
        param_grads = {n: None if g is None else g.numpy() for n, g in zip(named, grads[1:], strict=True)}
        directions: list = [None] * L
        e_layer = grads[0][0].numpy()  # (T, D*H) dL/d(outputs) from above
        with torch.no_grad():
            for layer in range(L - 1, -1, -1):
                layer_in = (x.detach() if layer == 0 else outs[layer - 1])[0]  # (T, I)
                directions[layer], e_layer = _layer_backward(model, layer, layer_in, outs[layer][0],
                                                             h_init, c_init, e_layer, param_grads)
        with torch.enable_grad():
            embed = [(n, p) for n, p in named.items() if n.startswith("embed.")]
            for (n, _), g in zip(embed, torch.autograd.grad(x, [p for _, p in embed],
                                                            torch.from_numpy(e_layer)[None]), strict=True):
                param_grads[n] = g.numpy()
    finally:
        model.train(was_training)
    for name in ("h0", "c0"):  # a learned initial state (not one given to this call)
        if name in named and (h0 if name == "h0" else c0) is None:
            attr = "dh_init" if name == "h0" else "dc_init"
            param_grads[name] = np.stack([getattr(d, attr) for per_d in directions for d in per_d])
    param_grads = {n: np.zeros(tuple(named[n].shape), np.float32) if g is None else g
                   for n, g in param_grads.items()}
    head = type(res)(res.outputs.detach(), res.encoded.detach(),
                     None if res.attention is None else res.attention.detach())
    return Pass(x.detach(), outs, head, float(loss.detach()), param_grads, directions, h_init, c_init)


def _layer_backward(model, layer, layer_in, out, h_init, c_init, e_layer, param_grads):
    """Rebuild and backpropagate both directions of one layer; fills its parameter gradients.

    Returns ([Direction] per direction, dL/d(layer input) (T, I))."""
    cfg = model.config
    D, H = cfg.num_directions, cfg.hidden_size
    per_d, e_below = [], None
    for d in range(D):
        k = layer * D + d
        weights = tuple(w.detach() for w in encoder_weights(model.encoder, layer, d))
        direction, factors = recurrence.rebuild(
            cfg.cell, layer_in, out[:, d * H:(d + 1) * H], h_init[k, 0],
            None if c_init is None else c_init[k, 0], weights, reverse=d == 1)
        recurrence.backward(direction, factors, np.ascontiguousarray(e_layer[:, d * H:(d + 1) * H]))
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        dxp, dhp = torch.from_numpy(direction.dxp), torch.from_numpy(direction.dhp)  # (T, G*H)
        param_grads[f"encoder.weight_ih{sfx}"] = (dxp.t() @ layer_in).numpy()
        param_grads[f"encoder.weight_hh{sfx}"] = (dhp.t() @ torch.from_numpy(direction.h_prev)).numpy()
        param_grads[f"encoder.bias_ih{sfx}"] = dxp.sum(0).numpy()
        param_grads[f"encoder.bias_hh{sfx}"] = dhp.sum(0).numpy()
        below = dxp @ weights[0]  # (T, I)
        e_below = below if e_below is None else e_below + below
        per_d.append(direction)
    return per_d, e_below.numpy()


def probe(model: SequenceModel, inputs: torch.Tensor, targets: torch.Tensor, step: int = 0,
          h0: torch.Tensor | None = None, c0: torch.Tensor | None = None) -> Trace:
    """Values and gradients of one example (shapes as ``task.sample_batch(1, g)``).

    h0/c0: the initial state, (L*D, H) or (L*D, 1, H) in PyTorch's layout; default the model's own
    (``ModelConfig.h0``: zero, random or learned).
    """
    task, cfg = model.task, model.config
    p = forward_backward(model, inputs, targets, h0, c0)
    dirs = p.directions

    def stack(get) -> np.ndarray:  # [L][D] (T, H) -> (L, D, T, H)
        return frozen(np.stack([np.stack([get(d) for d in per_d]) for per_d in dirs]))

    L, D, H = cfg.num_layers, cfg.num_directions, cfg.hidden_size
    with np.errstate(all="ignore"):
        norms = np.stack([np.stack([np.linalg.norm(d.dh, axis=1) for d in per_d]) for per_d in dirs])
    probs = model.probabilities(p.head.outputs)[0]
    head_input = None
    if task.output_kind in ("final", "regression"):
        head_input = frozen(model.final_state(p.outs[-1])[0].numpy())  # what model.head reads
    return Trace(
        hidden=stack(lambda d: d.hidden), cell=stack(lambda d: d.cell) if cfg.cell == "lstm" else None,
        gates={name: stack(lambda d, name=name: d.gates[name]) for name in cells.gate_names(cfg.cell)},
        encoded=frozen(p.head.encoded[0].numpy()),
        attention=None if p.head.attention is None else frozen(p.head.attention[0].numpy()),
        outputs=frozen(probs.numpy()), loss=p.loss, grad_norm=frozen(norms.astype(np.float64)),
        tokens=tuple(task.render_inputs(inputs[0])), targets=tuple(task.render_targets(targets[0])),
        predictions=tuple(_predictions(task, probs)), input_values=frozen(inputs[0].numpy()),
        cell_type=cfg.cell, output_kind=task.output_kind, merge=cfg.merge, step=step,
        param_grads={n: frozen(g) for n, g in p.param_grads.items()}, head_input=head_input,
        initial_hidden=frozen(p.h_init[:, 0].reshape(L, D, H).numpy()),
        initial_cell=None if p.c_init is None else frozen(p.c_init[:, 0].reshape(L, D, H).numpy()),
        preact_x=stack(lambda d: d.xp), preact_h=stack(lambda d: d.hp),
    )


def _predictions(task, probs: torch.Tensor) -> list[str]:
    if task.output_kind == "regression":
        return [f"{float(probs):.3f}"]
    if task.output_kind == "per_step_regression":
        return task.render_targets(probs)  # (T, K) values, labelled as the targets are
    return task.render_targets(probs.argmax(-1).reshape(-1))  # shown as the targets are: a space as ␣


def unroll(model: SequenceModel, x: torch.Tensor, h0=None, c0=None):
    """Step-by-step encoder over one embedded sequence x (T, E), from the model's initial state
    (or h0/c0, as ``probe`` takes them).

    Returns (out (T, D*H) top-layer outputs, states, cells, gates) where states[l][d] is the list
    of T h_t tensors (in the graph), cells[l][d] the detached c_t list, gates[l][d] a list of
    per-step gate dicts (detached).
    """
    cfg = model.config
    L, D, T = cfg.num_layers, cfg.num_directions, x.shape[0]
    step = cells.step_function(cfg.cell)
    h_init, c_init = initial_tensors(model, h0, c0)  # (L*D, 1, H)
    layer_in = x  # (T, E) then (T, D*H)
    states, cell_states, gate_values = [], [], []
    for layer in range(L):
        outs, st_l, c_l, g_l = [], [], [], []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = encoder_weights(model.encoder, layer, d)
            xp = torch.addmm(b_ih, layer_in, w_ih.t())  # (T, G*H)
            h = h_init[layer * D + d, 0]
            c = c_init[layer * D + d, 0] if cfg.cell == "lstm" else None
            hs, cs, gs = [None] * T, [None] * T, [None] * T
            for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
                h, c, g = step(xp[t], h, c, w_hh, b_hh)
                hs[t], gs[t] = h, {k: v.detach() for k, v in g.items()}
                cs[t] = None if c is None else c.detach()
            outs.append(torch.stack(hs))  # (T, H)
            st_l.append(hs)
            c_l.append(cs)
            g_l.append(gs)
        layer_in = torch.cat(outs, dim=-1)  # (T, D*H)
        states.append(st_l)
        cell_states.append(c_l)
        gate_values.append(g_l)
    return layer_in, states, cell_states, gate_values
