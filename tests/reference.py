"""Independent reference computations with torch's own fused modules (for parity tests)."""
from __future__ import annotations

import torch
from torch import nn

from engine.network.model import make_encoder


def single(model, layer: int, direction: int) -> nn.Module:
    """A one-layer, one-direction fused module holding the weights of (layer, direction)."""
    cfg = model.config
    enc = model.encoder
    in_size = enc.input_size if layer == 0 else cfg.hidden_size * cfg.num_directions
    mod = make_encoder(type(cfg)(**{**cfg.to_dict(), "num_layers": 1, "bidirectional": False}), in_size)
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    with torch.no_grad():
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(mod, f"{n}_l0").copy_(getattr(enc, f"{n}{sfx}"))
    return mod


def run_dir(mod, x, state=None):
    """Run a one-direction module over x (B, T, I) -> (out (B, T, H), final state)."""
    return mod(x, state)


def layerwise(model, inputs, leaf=None, initial=None):
    """Forward through per-(layer, direction) fused modules.

    initial = (h0, c0 or None), each (L*D, B, H) in PyTorch's layout: every chain's starting state
    (default zeros).

    leaf = (layer, direction, t): h_t of that layer/direction is cut out of the graph and replaced
    by a leaf tensor requiring grad (split the sequence at t and restart from the leaf).
    Returns (per-layer outputs [(B, T, D*H)], final states, leaf tensor or None).
    """
    cfg = model.config
    x = model.embed(inputs)  # (B, T, E)
    T = x.shape[1]
    layer_outs, finals, leaf_tensor = [], [], None
    for layer in range(cfg.num_layers):
        outs = []
        for d in range(cfg.num_directions):
            mod = single(model, layer, d)
            seq = x if d == 0 else x.flip(1)  # the backward direction reads right to left
            start = None
            if initial is not None:
                k = layer * cfg.num_directions + d
                h0, c0 = initial
                start = h0[k:k + 1] if c0 is None else (h0[k:k + 1], c0[k:k + 1])  # (1, B, H)
            if leaf is not None and leaf[:2] == (layer, d):
                t = leaf[2] if d == 0 else T - 1 - leaf[2]  # position in the direction's own time
                out1, st1 = mod(seq[:, : t + 1], start)
                h_leaf = out1[:, -1].detach().requires_grad_(True)  # (B, H)
                leaf_tensor = h_leaf
                if isinstance(st1, tuple):
                    state = (h_leaf.unsqueeze(0), st1[1])
                else:
                    state = h_leaf.unsqueeze(0)
                if t + 1 < T:
                    out2, st = mod(seq[:, t + 1:], state)
                    out = torch.cat([out1[:, :-1], h_leaf.unsqueeze(1), out2], dim=1)
                else:
                    out, st = torch.cat([out1[:, :-1], h_leaf.unsqueeze(1)], dim=1), state
            else:
                out, st = mod(seq, start)
            if d == 1:
                out = out.flip(1)
            outs.append(out)
            finals.append(st)
        x = torch.cat(outs, dim=-1)  # (B, T, D*H)
        layer_outs.append(x)
    return layer_outs, finals, leaf_tensor
