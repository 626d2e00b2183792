"""The deck's gate g = x ⊙ y, for every gating product of an LSTM or GRU in one probed example.

Each product is three (L, D, T, H) arrays: the two factors and their elementwise product.
  LSTM  forget: f_t, c_{t-1}, f_t ⊙ c_{t-1}     input: i_t, g_t, i_t ⊙ g_t
        output: o_t, tanh c_t, h_t = o_t ⊙ tanh c_t
  GRU   update: z_t, h_{t-1}, z_t ⊙ h_{t-1}
        reset:  r_t, W_hn h_{t-1} + b_hn, r_t ⊙ (W_hn h_{t-1} + b_hn)   (inside n_t's tanh)
The previous state of each chain is its predecessor in reading order (t-1 forward, t+1 backward),
the initial state h_0 / c_0 of the trace before the first step. W_hn h + b_hn is not in the trace:
it is computed here from the encoder's weights.
"""
from __future__ import annotations

import numpy as np

# (name, title, (label, kind) of factor 1, factor 2, product); kind picks the colour scale:
# gate (0, 1), state (-1, 1), cell (c_t, unbounded, shown on (-2, 2))
PRODUCTS = {
    "lstm": (("forget", "forget gate: what survives of the memory",
              (("f_t", "gate"), ("c_{t−1}", "cell"), ("f_t ⊙ c_{t−1}", "cell"))),
             ("input", "input gate: what is written",
              (("i_t", "gate"), ("g_t", "state"), ("i_t ⊙ g_t", "state"))),
             ("output", "output gate: what is shown",
              (("o_t", "gate"), ("tanh c_t", "state"), ("h_t = o_t ⊙ tanh c_t", "state")))),
    "gru": (("update", "update gate: how much of h_{t−1} is kept",
             (("z_t", "gate"), ("h_{t−1}", "state"), ("z_t ⊙ h_{t−1}", "state"))),
            ("reset", "reset gate: how much of h_{t−1} the candidate sees",
             (("r_t", "gate"), ("W_hn h_{t−1} + b_hn", "cell"), ("r_t ⊙ (W_hn h_{t−1} + b_hn)", "cell")))),
}


def previous(states: np.ndarray, initial: np.ndarray | None) -> np.ndarray:
    """(L, D, T, H) states -> the state each step read before it: t-1 forward, t+1 backward, h_0 first."""
    L, D, T, H = states.shape
    init = np.zeros((L, D, H), states.dtype) if initial is None else np.asarray(initial, states.dtype)
    prev = np.empty_like(states)
    prev[:, 0, 1:], prev[:, 0, 0] = states[:, 0, :-1], init[:, 0]
    if D == 2:
        prev[:, 1, :-1], prev[:, 1, -1] = states[:, 1, 1:], init[:, 1]
    return prev


def gate_products(model, trace) -> dict | None:
    """{"cell", "products": [(name, title, [(label, kind, (L, D, T, H) float32), x3])]}, or None for a
    simple RNN (it has no gates)."""
    cell = trace.cell_type
    if cell not in PRODUCTS:
        return None
    g, h = trace.gates, np.asarray(trace.hidden, np.float32)
    h_prev = previous(h, trace.initial_hidden)
    if cell == "lstm":
        c = np.asarray(trace.cell, np.float32)
        c_prev = previous(c, trace.initial_cell)
        arrays = {"forget": (g["forget"], c_prev, g["forget"] * c_prev),
                  "input": (g["input"], g["cell_candidate"], g["input"] * g["cell_candidate"]),
                  "output": (g["output"], np.tanh(c), g["output"] * np.tanh(c))}
    else:
        hn = np.empty_like(h)
        H = h.shape[3]
        for layer in range(h.shape[0]):
            for d in range(h.shape[1]):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                w = getattr(model.encoder, f"weight_hh{sfx}").detach().numpy()[2 * H:]  # (H, H) W_hn
                b = getattr(model.encoder, f"bias_hh{sfx}").detach().numpy()[2 * H:]  # (H,) b_hn
                hn[layer, d] = h_prev[layer, d] @ w.T + b  # (T, H)
        arrays = {"update": (g["update"], h_prev, g["update"] * h_prev),
                  "reset": (g["reset"], hn, g["reset"] * hn)}
    products = []
    for name, title, factors in PRODUCTS[cell]:
        products.append((name, title, [(label, kind, np.ascontiguousarray(a, dtype=np.float32))
                                       for (label, kind), a in zip(factors, arrays[name], strict=True)]))
    return {"cell": cell, "products": products}
