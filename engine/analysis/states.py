"""Hidden states of a whole batch of examples, and the one-step map F(s, x) of the recurrence.

``batch_states`` runs the encoder's own weights step by step on a batch (B, T) with batched
matrix products (one Python loop over t, not over examples) and returns every layer's and
direction's h_t, the LSTM memory c_t and every gate, shaped (L, D, B, T, H). The tests check h
against the fused ``nn.RNN``/``nn.GRU``/``nn.LSTM`` output.

``StepMap`` is the recurrence as a function of the full state, for the fixed-point search of a
left-to-right model: s = [h_1; c_1; h_2; c_2; ...] (c only for an LSTM), size S = L * H or
2 * L * H, and F(s, x*) runs one step of every layer with the constant input x*.
"""
from __future__ import annotations

import numpy as np
import torch

from engine.network.cells import gate_names
from engine.network.probe import encoder_weights, initial_tensors

ZERO_INPUT = "zero input"  # x* = an embedded input of all zeros (no token at all)
# The per-task "no new information" input x* is the task's own ``neutral_token`` (engine.tasks.base.Task).


def batched_step(cell: str, xp: torch.Tensor, h: torch.Tensor, c, w_hh, b_hh):
    """One step for a batch: xp (N, G*H) = W_ih x + b_ih, h (N, H) -> (h', c', {gate: (N, H)})."""
    hp = h @ w_hh.t() + b_hh  # (N, G*H)
    if cell == "lstm":
        i, f, g, o = (xp + hp).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c_new = f * c + i * g
        return o * torch.tanh(c_new), c_new, {"input": i, "forget": f, "cell_candidate": g, "output": o}
    if cell == "gru":
        x_r, x_z, x_n = xp.chunk(3, dim=-1)
        h_r, h_z, h_n = hp.chunk(3, dim=-1)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h, None, {"reset": r, "update": z, "new": n}
    act = torch.relu if cell == "rnn_relu" else torch.tanh
    return act(xp + hp), None, {}


def initial_states(model, batch: int):
    """(h0, c0 or None), each (L*D, B, H): the model's own initial state, zeros where it has none."""
    h, c = initial_tensors(model)  # (L*D, 1, H) each
    return h.detach().expand(-1, batch, -1), None if c is None else c.detach().expand(-1, batch, -1)


@torch.no_grad()
def batch_states(model, inputs: torch.Tensor) -> dict:
    """Every state of a batch: {"hidden": (L, D, B, T, H), "cell": same or None, "gates": {name: ...}}.

    float32 numpy arrays; direction 1 is the right-to-left chain, indexed by input position. Every
    layer and direction starts from the model's own initial state (``ModelConfig.h0``: zero, random
    or learned), as the model's forward run does.
    """
    cfg = model.config
    L, D, H = cfg.num_layers, cfg.num_directions, cfg.hidden_size
    layer_in = model.embed(inputs)  # (B, T, E)
    B, T = layer_in.shape[:2]
    h_init, c_init = initial_states(model, B)  # (L*D, B, H) each (c None unless LSTM)
    names = gate_names(cfg.cell)
    hidden = np.zeros((L, D, B, T, H), np.float32)
    cell = np.zeros_like(hidden) if cfg.cell == "lstm" else None
    gates = {n: np.zeros_like(hidden) for n in names}
    for layer in range(L):
        outs = []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = encoder_weights(model.encoder, layer, d)
            xp = layer_in @ w_ih.t() + b_ih  # (B, T, G*H)
            h = h_init[layer * D + d]  # (B, H)
            c = None if c_init is None else c_init[layer * D + d]
            hs = [None] * T
            for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
                h, c, g = batched_step(cfg.cell, xp[:, t], h, c, w_hh, b_hh)
                hs[t] = h
                if c is not None:
                    cell[layer, d, :, t] = c.numpy()
                for n in names:
                    gates[n][layer, d, :, t] = g[n].numpy()
            outs.append(torch.stack(hs, dim=1))  # (B, T, H)
            hidden[layer, d] = outs[-1].numpy()
        layer_in = torch.cat(outs, dim=-1)  # (B, T, D*H)
    return {"hidden": hidden, "cell": cell, "gates": gates}


def full_state(states: dict) -> np.ndarray:
    """(B, T, S) the state vector s_t of a left-to-right model, laid out as ``StepMap`` expects."""
    parts = []
    for layer in range(states["hidden"].shape[0]):
        parts.append(states["hidden"][layer, 0])  # (B, T, H)
        if states["cell"] is not None:
            parts.append(states["cell"][layer, 0])
    return np.concatenate(parts, axis=-1)


def neutral_input(task, x_const=None) -> tuple[str, object]:
    """(label, value) of x*: a token index, a real vector (F,), or None for an all-zero embedding.

    ``x_const``: None for the task's default, ``ZERO_INPUT``, a token of the vocabulary, or (real
    tasks) a list of ``input_dim`` numbers. ValueError names what is allowed.
    """
    if task.input_kind == "real":
        if x_const is None or x_const == ZERO_INPUT:
            return "all-zero input (no value, no marker)", np.zeros(task.input_dim)
        value = np.asarray(x_const, dtype=np.float64)
        if value.shape != (task.input_dim,) or not np.isfinite(value).all():
            raise ValueError(f"x* must be {task.input_dim} finite numbers for {task.title}")
        return "x* = [" + ", ".join(f"{v:g}" for v in value) + "]", value
    if x_const is None:
        x_const = getattr(task, "neutral_token", None) or ZERO_INPUT
    if x_const == ZERO_INPUT:
        return "zero input (embedding 0: no token)", None
    if x_const not in task.vocab:
        shown = " ".join(task.vocab) if len(task.vocab) <= 40 else f"{len(task.vocab)} symbols"
        raise ValueError(f"x* must be a token of the task ({shown}) or '{ZERO_INPUT}'; got {x_const!r}")
    return f"token '{x_const}' held fixed", task.vocab.index(x_const)


class StepMap:
    """s -> F(s, x*) of a left-to-right model, in float64, batched over rows of s (N, S)."""

    def __init__(self, model, x_value, period: int = 1):
        cfg = model.config
        self.period = period  # F applied this many times: period-k points are fixed points of F^k
        if cfg.bidirectional:
            raise ValueError("fixed points need a left-to-right model: a bidirectional one reads the "
                             "sequence from both ends, so it has no single state to iterate")
        self.cell, self.L, self.H = cfg.cell, cfg.num_layers, cfg.hidden_size
        self.parts = 2 if cfg.cell == "lstm" else 1
        self.size = self.L * self.H * self.parts
        with torch.no_grad():
            if isinstance(x_value, np.ndarray):  # real input (F,)
                emb = model.embed(torch.as_tensor(x_value, dtype=torch.float32)[None])[0]
            elif x_value is None:
                emb = torch.zeros(model.encoder.input_size)
            else:
                emb = model.embed(torch.tensor([int(x_value)]))[0]
            self.weights = [tuple(w.detach().double() for w in encoder_weights(model.encoder, layer, 0))
                            for layer in range(self.L)]
            w_ih, _, b_ih, _ = self.weights[0]
            self.xp0 = emb.double() @ w_ih.t() + b_ih  # (G*H,) constant drive of layer 1

    def __call__(self, s: torch.Tensor) -> torch.Tensor:
        """(N, S) float64 -> (N, S): ``period`` steps under x*."""
        for _ in range(self.period):
            s = self.once(s)
        return s

    def once(self, s: torch.Tensor) -> torch.Tensor:
        """One step of every layer under x*: (N, S) -> (N, S)."""
        H, out = self.H, []
        below = None
        for layer in range(self.L):
            w_ih, w_hh, b_ih, b_hh = self.weights[layer]
            base = layer * H * self.parts
            h = s[:, base:base + H]
            c = s[:, base + H:base + 2 * H] if self.parts == 2 else None
            xp = self.xp0.expand(s.shape[0], -1) if layer == 0 else below @ w_ih.t() + b_ih
            h, c, _ = batched_step(self.cell, xp, h, c, w_hh, b_hh)
            out += [h] if c is None else [h, c]
            below = h
        return torch.cat(out, dim=-1)

    def jacobians(self, s: torch.Tensor) -> torch.Tensor:
        """(N, S) -> (N, S, S) dF/ds (of F^period) at each row, by one backward pass over S copies of each row.

        Rows never interact, so copy i of point n only needs the gradient of output i.
        """
        N, S = s.shape
        rep = s.detach().repeat_interleave(S, dim=0).requires_grad_(True)  # (N*S, S)
        with torch.enable_grad():
            f = self(rep).view(N, S, S)  # [n, copy i, output j]
            pick = torch.eye(S, dtype=s.dtype).expand(N, S, S)  # copy i keeps output i
            (grad,) = torch.autograd.grad((f * pick).sum(), rep)
        return grad.view(N, S, S)  # (N, S_out, S_in)
