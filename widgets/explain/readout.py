"""Explain texts of the head's numbers and the gradients (attention, next character, dL/dh_t, BPTT sum).

A softmax's logits are not in the snapshot, only its probabilities; but softmax is unchanged by a
shift, so each text writes the stable form exp(e_t − max_j e_j) / Σ_j exp(e_j − max_j e_j), whose
operands follow from the probabilities exactly: exp(e_t − e_max) = p_t / p_max.
"""
from __future__ import annotations

import numpy as np

from widgets.explain.text import adding_up, chain_name, num, prev_step, product, quotient, sym


def explain_attention(trace, t: int) -> str:
    """α_t = exp(e_t) / Σ_j exp(e_j), e_j = w_αᵀ h_j."""
    a = np.asarray(trace.attention, dtype=np.float64)
    value = float(a[t - 1])
    top = float(a.max())
    num_t, den = value / top, float(a.sum() / top)
    return (f"α_{t} = exp(e_{t}) / Σ_j exp(e_j) = exp(e_{t} − e_max) / Σ_j exp(e_j − e_max) = "
            f"{quotient(num_t, den, value)}\n"
            f"e_j = w_αᵀ h_j, the score of step j; e_max = the largest of the {len(a)} scores "
            f"(step {int(a.argmax()) + 1}). y reads Σ_i α_i h_i: {100 * value:.1f}% of it is h_{t}.")


def explain_next(trace, t: int, index: int, label: str) -> str:
    """P(x_{t+1} = c | x_1..x_t) of one class (the next-character bars)."""
    p = np.asarray(trace.outputs[t - 1], dtype=np.float64)
    value = float(p[index])
    top = float(p.max())
    best = int(p.argmax())
    return (f"P(x_{t + 1} = ‘{label}’ | x_1..x_{t}) = softmax(W_hy h_{t} + b_y)[‘{label}’] = "
            f"exp(z − z_max) / Σ_j exp(z_j − z_max) = {quotient(value / top, 1.0 / top, value)}\n"
            f"z = W_hy h_{t} + b_y, one score per class; the most likely class has probability {num(top)} "
            f"(class {best})")


def explain_grad_norm(trace, t: int, layer: int = 0, d: int = 0) -> str:
    """‖dL/dh_t‖ of one chain: the direct part plus the Jacobian of the next step times its gradient."""
    g = np.asarray(trace.grad_norm, dtype=np.float64)[layer, d]
    T, D = len(g), trace.num_directions
    value = float(g[t - 1])
    name = f"‖dL/d{sym('h', d, D, t)}‖"
    nxt = t + 1 if d == 0 else t - 1  # the step that reads h_t (the backward chain's runs right to left)
    jac = {"rnn_tanh": f"W_hhᵀ diag(1 − {sym('h', d, D, nxt)}²)", "rnn_relu": f"W_hhᵀ diag(1[pre_{nxt} > 0])"}
    J = jac.get(trace.cell_type, f"(∂{sym('h', d, D, nxt)}/∂{sym('h', d, D, t)})ᵀ")
    where = f"  ({chain_name(layer, d, D)})"
    if not 1 <= nxt <= T:
        return (f"{name} = ‖∂L/∂{sym('h', d, D, t)}‖ = {num(value)}{where}\n"
                f"the chain's last step: only the head (or the layer above) reads it, no later step")
    after = float(g[nxt - 1])
    gain = value / after if after > 0 else float("nan")
    k = adding_up((gain, after), value, product)
    return (f"{name} = ‖∂L/∂{sym('h', d, D, t)} + {J} dL/d{sym('h', d, D, nxt)}‖ = {num(gain, k)} × "
            f"{num(after, k)} = {num(value)}{where}\n"
            f"the gradient arriving from step {nxt} (‖·‖ = {num(after)}) times this step's gain "
            f"{num(gain)}, plus what the head reads directly at step {t}")


def explain_bptt(trace, payload: dict, param: str, lecture: str, t: int) -> str:
    """Step t's term of dL/dθ for layer 1 and the running sum in BPTT's order."""
    data = payload[param]
    step, T = np.asarray(data["step"], dtype=np.float64), len(data["step"])
    backward = param.endswith("_reverse")
    running = np.asarray(data["running" if backward else "running_back"], dtype=np.float64)
    value = float(step[t - 1])
    d, D = int(backward), trace.num_directions
    order = f"Σ_(s≤{t})" if backward else f"Σ_(s≥{t})"
    tail = (f"\nrunning sum in BPTT's order, ‖{order} term_s‖_F = {num(running[t - 1])}; over all {T} steps "
            f"‖dL/d{lecture}‖_F = {num(data['total'])}")
    delta = f"δ{'←' if D == 2 and d else ('→' if D == 2 else '')}_{t}"
    if param.startswith("weight_hh"):
        prev = previous_norm(trace, d, t)
        dn = value / prev if prev > 0 else float("nan")
        hp = sym("h", d, D, prev_step(t, d))
        k = adding_up((dn, prev), value, product)
        return (f"‖{delta} {hp}ᵀ‖_F = ‖{delta}‖·‖{hp}‖ = {num(dn, k)} × {num(prev, k)} = {num(value)}"
                f"   (step {t}'s term of dL/d{lecture}){tail}")
    if param.startswith("weight_ih"):
        return f"‖{delta} x_{t}ᵀ‖_F = ‖{delta}‖·‖x_{t}‖ = {num(value)}   (step {t}'s term of dL/d{lecture}){tail}"
    return f"‖{delta}‖ = ‖dL/d(pre-activation at {t})‖ = {num(value)}   (step {t}'s term of dL/d{lecture}){tail}"


def previous_norm(trace, d: int, t: int) -> float:
    """‖h_prev‖ of layer 1's chain d at step t (the initial state at the chain's first step)."""
    T = trace.seq_len
    p = t - 2 if d == 0 else t
    if 0 <= p < T:
        return float(np.linalg.norm(trace.hidden[0, d, p]))
    init = trace.initial_hidden
    return 0.0 if init is None else float(np.linalg.norm(np.asarray(init)[0, d]))


def explain_product(payload: dict, layer: int, d: int, t: int, u: int) -> str:
    """Every gating product of unit u at step t: x ⊙ y = value (the gate products panel)."""
    lines = []
    for _name, title, factors in payload["products"]:
        (la, _, a), (lb, _, b), (lc, _, c) = factors
        x, y, v = (float(arr[layer, d, t - 1, u]) for arr in (a, b, c))
        k = adding_up((x, y), v, product)
        lines.append(f"{lc.split(' = ')[-1]}[{u}] = {la}·{lb} = {num(x, k)}·{num(y, k)} = {num(v)}   ({title})")
    return "\n".join(lines).replace("_t", f"_{t}").replace("_{t−1}", f"_{t - 1 if d == 0 else t + 1}")
