"""probe(): re-run one example step by step from the fused encoder's own weights.

Training uses the fused ``nn.RNN``/``nn.GRU``/``nn.LSTM``; the probe recomputes the same
forward pass with the instrumented steps in ``engine.cells`` so every intermediate value
(states, gates, dL/dh_t) can be shown. It never touches ``.grad`` of the model.
"""
from __future__ import annotations

import numpy as np
import torch

from . import cells
from .model import SequenceModel
from .trace import Trace, frozen


def encoder_weights(encoder, layer: int, direction: int):
    """(w_ih, w_hh, b_ih, b_hh) of one layer and direction, by torch's parameter names."""
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    return tuple(getattr(encoder, f"{n}{sfx}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def unroll(model: SequenceModel, x: torch.Tensor):
    """Step-by-step encoder over one embedded sequence x (T, E).

    Returns (out (T, D*H) top-layer outputs, states, cells, gates) where states[l][d] is the list
    of T h_t tensors (in the graph), cells[l][d] the detached c_t list, gates[l][d] a list of
    per-step gate dicts (detached).
    """
    cfg = model.config
    L, D, H, T = cfg.num_layers, cfg.num_directions, cfg.hidden_size, x.shape[0]
    step = cells.step_function(cfg.cell)
    layer_in = x  # (T, E) then (T, D*H)
    states, cell_states, gate_values = [], [], []
    for layer in range(L):
        outs, st_l, c_l, g_l = [], [], [], []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = encoder_weights(model.encoder, layer, d)
            xp = torch.addmm(b_ih, layer_in, w_ih.t())  # (T, G*H)
            h = x.new_zeros(H)
            c = x.new_zeros(H) if cfg.cell == "lstm" else None
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


def _stack(nested) -> np.ndarray:
    """[L][D][T] tensors of (H,) -> (L, D, T, H) float32."""
    return torch.stack([torch.stack([torch.stack(ts) for ts in per_d]) for per_d in nested]).numpy()


def probe(model: SequenceModel, inputs: torch.Tensor, targets: torch.Tensor, step: int = 0) -> Trace:
    """Instrumented forward + backward of one example (shapes as ``task.sample_batch(1, g)``)."""
    task = model.task
    cfg = model.config
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x = model.embed(inputs)[0]  # (T, E)
            out, states, cell_states, gate_values = unroll(model, x)
            res = model.head_forward(out.unsqueeze(0))  # batch of one
            loss = task.loss(res.outputs, targets)
            flat_h = [h for per_l in states for per_d in per_l for h in per_d]
            names, params = zip(*model.named_parameters(), strict=True)
            grads = torch.autograd.grad(loss, flat_h + list(params), allow_unused=True)
    finally:
        model.train(was_training)
    L, D, T = cfg.num_layers, cfg.num_directions, x.shape[0]
    h_grads = grads[: len(flat_h)]
    norms = np.array([0.0 if g is None else float(torch.linalg.vector_norm(g)) for g in h_grads],
                     dtype=np.float64).reshape(L, D, T)
    param_grads = {n: frozen(np.zeros(tuple(p.shape), np.float32) if g is None else g.numpy())
                   for n, p, g in zip(names, params, grads[len(flat_h):], strict=True)}
    gate_arrays = {}
    for name in cells.gate_names(cfg.cell):
        gate_arrays[name] = frozen(_stack([[[g[name] for g in per_d] for per_d in per_l]
                                           for per_l in gate_values]))
    with torch.no_grad():
        hidden = frozen(_stack([[[h.detach() for h in per_d] for per_d in per_l] for per_l in states]))
        cell = frozen(_stack(cell_states)) if cfg.cell == "lstm" else None
        probs = model.probabilities(res.outputs.detach())[0]
        encoded = frozen(res.encoded.detach()[0].numpy())
        attention = None if res.attention is None else frozen(res.attention.detach()[0].numpy())
    return Trace(
        hidden=hidden, cell=cell, gates=gate_arrays, encoded=encoded, attention=attention,
        outputs=frozen(probs.numpy()), loss=float(loss.detach()), grad_norm=frozen(norms),
        tokens=tuple(task.render_inputs(inputs[0])), targets=tuple(task.render_targets(targets[0])),
        predictions=tuple(_predictions(task, probs)), input_values=frozen(inputs[0].numpy()),
        cell_type=cfg.cell, output_kind=task.output_kind, merge=cfg.merge, step=step,
        param_grads=param_grads,
    )


def _predictions(task, probs: torch.Tensor) -> list[str]:
    if task.output_kind == "regression":
        return [f"{float(probs):.3f}"]
    return [task.classes[i] for i in probs.argmax(-1).reshape(-1).tolist()]
