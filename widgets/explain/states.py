"""Explain texts of the states and gates of one step (hidden heatmap, unrolled view, gates panel).

Operands come from the trace: the gates, h_t, c_t, the initial state, and ``preact_x`` /
``preact_h`` (W_ih x_t + b_ih and W_hh h_prev + b_hh per gate block, torch's chunk order). PyTorch
keeps two bias vectors; the deck's b is their sum, so each of its brackets carries one of them.

Sources (what a hovered number was computed from, for highlighting in other panels) are tuples:
  ("h", layer, d, position, unit or None)   a state (position 0-based; -1 / T: the initial state)
  ("c", layer, d, position, unit)           the LSTM memory
  ("gate", name, layer, d, position, unit)  a gate value (trace.gates names)
  ("x", layer, position)                    the step's input (layer > 0: the layer below's h)
"""
from __future__ import annotations

import numpy as np

from widgets.explain.text import adding_up, chain_name, num, paren, prev_step, product, sym, terms, through

ACTIVATIONS = {"σ": lambda v: 1.0 / (1.0 + np.exp(-v)), "tanh": np.tanh, "ReLU": lambda v: max(v, 0.0)}

BLOCKS = {"lstm": ("input", "forget", "cell_candidate", "output"), "gru": ("reset", "update", "new")}
SYMBOLS = {"input": "i", "forget": "f", "cell_candidate": "g", "output": "o", "reset": "r", "update": "z",
           "new": "n"}
SUFFIX = {"input": "i", "forget": "f", "cell_candidate": "g", "output": "o", "reset": "r", "update": "z",
          "new": "n"}


def previous(trace, name: str, layer: int, d: int, pos: int) -> np.ndarray:
    """The state step ``pos`` (0-based) of a chain read: its neighbour, or the chain's initial state."""
    T = trace.seq_len
    src = trace.hidden if name == "h" else trace.cell
    init = trace.initial_hidden if name == "h" else trace.initial_cell
    p = pos - 1 if d == 0 else pos + 1
    if 0 <= p < T:
        return src[layer, d, p]
    H = trace.hidden_size
    return np.zeros(H, np.float32) if init is None else np.asarray(init)[layer, d]


def prev_label(trace, name: str, d: int, t: int, unit=None) -> str:
    """h_{t−1} (forward), h←_{t+1} (backward); the initial state is h_0 (forward) or h←_{T+1}."""
    return sym(name, d, trace.num_directions, prev_step(t, d), unit)


def _parts(trace, gate: str | None, layer: int, d: int, pos: int, u: int):
    """(x part, h part) of a pre-activation: the gate's block of preact_x / preact_h, or None."""
    px, ph = getattr(trace, "preact_x", None), getattr(trace, "preact_h", None)
    if px is None or ph is None:
        return None
    H = trace.hidden_size
    k = BLOCKS[trace.cell_type].index(gate) if gate else 0
    return float(px[layer, d, pos, k * H + u]), float(ph[layer, d, pos, k * H + u])


def explain_state(trace, layer: int, d: int, t: int, u: int, which: str = "h") -> str:
    """h_t[u] (or the LSTM's c_t[u]) of one chain, t 1-based: formula, operands, value."""
    D, pos, cell = trace.num_directions, t - 1, trace.cell_type
    g = {k: float(v[layer, d, pos, u]) for k, v in trace.gates.items()}
    name = sym(which, d, D, t, u)
    where = f"  ({chain_name(layer, d, D)}, unit {u}, t = {t})"
    if which == "c":
        c_prev = float(previous(trace, "c", layer, d, pos)[u])
        cp = prev_label(trace, "c", d, t, u)
        value = float(trace.cell[layer, d, pos, u])
        f, i, gc = g["forget"], g["input"], g["cell_candidate"]
        k = adding_up((f, c_prev, i, gc), value, lambda v: v[0] * v[1] + v[2] * v[3])
        return (f"{name} = f·{cp} + i·g = {num(f, k)}·{paren(c_prev, k)} + {num(i, k)}·{paren(gc, k)} = "
                f"{num(value)}{where}\n"
                f"memory: what the forget gate f keeps of {cp} plus what the input gate i writes of g")
    value = float(trace.hidden[layer, d, pos, u])
    hp = prev_label(trace, "h", d, t, u)
    h_prev = float(previous(trace, "h", layer, d, pos)[u])
    if cell == "gru":
        z, n = g["update"], g["new"]
        k = adding_up((z, n, h_prev), value, lambda v: (1 - v[0]) * v[1] + v[0] * v[2])
        return (f"{name} = (1 − z)·n + z·{hp} = (1 − {num(z, k)})·{paren(n, k)} + {num(z, k)}·{paren(h_prev, k)} = "
                f"{num(value)}{where}\n"
                f"the update gate z = {num(z)} keeps that much of {hp} = {num(h_prev)}, the rest is the "
                f"candidate n")
    if cell == "lstm":
        o, c = g["output"], float(trace.cell[layer, d, pos, u])
        k = adding_up((o, np.tanh(c)), value, product)
        kc = through(np.tanh, c, np.tanh(c), shown=k)  # (tanh of the c printed gives the tanh(c) printed)
        return (f"{name} = o·tanh(c) = {num(o, k)}·tanh({num(c, kc)}) = {num(o, k)}·{paren(np.tanh(c), k)} = "
                f"{num(value)}"
                f"{where}\nthe output gate o shows that much of the memory c = {sym('c', d, D, t, u)}")
    phi = "tanh" if cell == "rnn_tanh" else "ReLU"
    x = f"x_{t}" if layer == 0 else f"x_{t} (layer {layer}'s output)"
    formula = f"{name} = {phi}(W_xh[{u},:]·{x} + W_hh[{u},:]·{sym('h', d, D, prev_step(t, d))} + b[{u}])"
    parts = _parts(trace, None, layer, d, pos, u)
    if parts is None:
        return f"{formula} = {num(value)}{where}"
    return (f"{formula} = {applied(phi, parts, value)}{where}\n"
            f"W_xh x + b_ih = {num(parts[0])} (the input), W_hh {sym('h', d, D, prev_step(t, d))} + b_hh = "
            f"{num(parts[1])} (the previous state); b = b_ih + b_hh")


def explain_gate(trace, gate: str, layer: int, d: int, t: int, u: int) -> str:
    """One gate value, e.g. z_3[1] = σ((W_iz x_3 + b_iz)[1] + (W_hz h_2 + b_hz)[1]) = σ(0.41 − 1.02) = 0.352."""
    D, pos = trace.num_directions, t - 1
    s = SYMBOLS.get(gate, gate)
    k = SUFFIX.get(gate, gate)
    value = float(trace.gates[gate][layer, d, pos, u])
    hp = sym("h", d, D, prev_step(t, d))
    act = "tanh" if gate in ("cell_candidate", "new") else "σ"
    parts = _parts(trace, gate, layer, d, pos, u)
    name = sym(s, d, D, t, u)
    if gate == "new":  # GRU: r multiplies the recurrent part, inside the tanh
        r = float(trace.gates["reset"][layer, d, pos, u])
        formula = f"{name} = tanh((W_in x_{t} + b_in)[{u}] + r·(W_hn {hp} + b_hn)[{u}])"
        if parts is None:
            return f"{formula} = {num(value)}"
        inner = parts[0] + r * parts[1]
        ks = through(np.tanh, inner, value)
        k = adding_up((parts[0], r, parts[1]), inner, lambda v: v[0] + v[1] * v[2], shown=ks)
        return (f"{formula} = tanh({num(parts[0], k)} + {num(r, k)}·{paren(parts[1], k)}) = tanh({num(inner, ks)}) "
                f"= {num(value)}")
    formula = f"{name} = {act}((W_i{k} x_{t} + b_i{k})[{u}] + (W_h{k} {hp} + b_h{k})[{u}])"
    if parts is None:
        return f"{formula} = {num(value)}"
    return f"{formula} = {applied(act, parts, value)}"


def applied(act: str, parts, value: float) -> str:
    """act(a + b) = act(s) = v, in digits that check out: s as printed gives v, a and b as printed give s."""
    s = sum(parts)
    ks = through(ACTIVATIONS[act], s, value)
    return f"{act}({terms(parts, adding_up(parts, s, shown=ks))}) = {act}({num(s, ks)}) = {num(value)}"


def explain_gates(trace, layer: int, d: int, t: int, u: int) -> str:
    """Every gate of unit u at step t, one line each (the gates panel's text)."""
    if not trace.gates:
        return explain_state(trace, layer, d, t, u)
    D = trace.num_directions
    lines = [explain_gate(trace, g, layer, d, t, u) for g in trace.gates]
    lines.append(f"({chain_name(layer, d, D)}, unit {u}, t = {t})")
    return "\n".join(lines)


def state_sources(trace, layer: int, d: int, t: int, u: int, which: str = "h") -> list[tuple]:
    """What h_t[u] (c_t[u]) was computed from."""
    pos, cell = t - 1, trace.cell_type
    prev = pos - 1 if d == 0 else pos + 1
    out: list[tuple] = [(which, layer, d, pos, u)]
    if which == "c":
        return out + [("c", layer, d, prev, u), ("gate", "forget", layer, d, pos, u),
                      ("gate", "input", layer, d, pos, u), ("gate", "cell_candidate", layer, d, pos, u)]
    if cell == "gru":
        return out + [("h", layer, d, prev, u), ("gate", "update", layer, d, pos, u),
                      ("gate", "new", layer, d, pos, u)]
    if cell == "lstm":
        return out + [("c", layer, d, pos, u), ("gate", "output", layer, d, pos, u)]
    return out + [("h", layer, d, prev, None), ("x", layer, pos)]


def gate_sources(trace, layer: int, d: int, t: int, u: int) -> list[tuple]:
    pos = t - 1
    prev = pos - 1 if d == 0 else pos + 1
    return [("gate", g, layer, d, pos, u) for g in trace.gates] + [("h", layer, d, prev, None), ("x", layer, pos)]
