"""Instrumented single-step cell equations, mirroring ``torch/nn/modules/rnn.py``.

Each step takes the precomputed input projection ``xp = W_ih x_t + b_ih`` (G*H,), the previous
state and the recurrent weights, and returns ``(h_t, c_t or None, {gate name: values})``.
Chunk order is torch's: LSTM i, f, g, o; GRU r, z, n with
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
"""
from __future__ import annotations

import torch

LSTM_GATES = ("input", "forget", "cell_candidate", "output")
GRU_GATES = ("reset", "update", "new")


def gate_names(cell: str) -> tuple[str, ...]:
    return {"lstm": LSTM_GATES, "gru": GRU_GATES}.get(cell, ())


def rnn_tanh_step(xp, h, c, w_hh, b_hh):
    return torch.tanh(xp + torch.mv(w_hh, h) + b_hh), None, {}


def rnn_relu_step(xp, h, c, w_hh, b_hh):
    return torch.relu(xp + torch.mv(w_hh, h) + b_hh), None, {}


def gru_step(xp, h, c, w_hh, b_hh):
    hp = torch.mv(w_hh, h) + b_hh  # (3H,)
    x_r, x_z, x_n = xp.chunk(3)
    h_r, h_z, h_n = hp.chunk(3)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    h_new = (1 - z) * n + z * h
    return h_new, None, {"reset": r, "update": z, "new": n}


def lstm_step(xp, h, c, w_hh, b_hh):
    gates = xp + torch.mv(w_hh, h) + b_hh  # (4H,)
    i, f, g, o = gates.chunk(4)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new, {"input": i, "forget": f, "cell_candidate": g, "output": o}


def step_function(cell: str):
    """The step for a cell type, looked up at call time (tests swap it for negative controls)."""
    return globals()[f"{cell}_step"]
