"""Batched recurrence math behind the probe: the fused encoder's states, every gate, c_t and dL/dh_t.

No step-by-step autograd: each layer runs as one fused call (``torch.lstm``/``torch.gru``/
``torch.rnn_tanh``/``torch.rnn_relu``, the kernels ``nn.LSTM`` etc. call), so every h_t is known.
Then, per layer and direction, in the direction's own time s = 0..T-1 (input position t = s forward,
t = T-1-s backward):

  gates   all steps at once from xp = W_ih x + b_ih (T, G*H) and hp = W_hh h_{s-1} + b_hh (T, G*H),
          where h_{s-1} is the fused output shifted by one step (h_init at s = 0);
  c_s     LSTM only, the elementwise recurrence c_s = f_s * c_{s-1} + i_s * g_s;
  dL/dh_s the total derivative, by the reverse recursion through the step Jacobians
          dh_s = e_s + J_{s+1}^T dh_{s+1}, where e_s = dL/d(output s) from the layer above or the
          head (one autograd pass through the fused calls gives it). Each Jacobian is a diagonal
          factor computed for all steps at once and one product with W_hh, in numpy (small arrays:
          a numpy call costs ~1 us, a torch call ~5 us).

The recursion also yields the gradient with respect to each step's pre-activations (``dxp``, ``dhp``:
delta_s of the lecture's BPTT), which ``engine.analysis.bptt`` turns into per-step contributions.
Gate formulas are looked up at call time (``gate_function``) so tests can swap them for wrong ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.util.blas import one_thread

FUSED = {"lstm": torch.lstm, "gru": torch.gru, "rnn_tanh": torch.rnn_tanh, "rnn_relu": torch.rnn_relu}


def layer_weights(encoder, layer: int, direction: int):
    """(w_ih, w_hh, b_ih, b_hh) of one layer and direction, by torch's parameter names."""
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    return tuple(getattr(encoder, f"{n}{sfx}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def run_layers(model, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor | None) -> list[torch.Tensor]:
    """Each layer's fused output (B, T, D*H) for x (B, T, E), from h0/c0 (L*D, B, H)."""
    cfg = model.config
    L, D = cfg.num_layers, cfg.num_directions
    fused = FUSED[cfg.cell]
    outs, layer_in = [], x
    for layer in range(L):
        params = [w for d in range(D) for w in layer_weights(model.encoder, layer, d)]
        h = h0[layer * D:(layer + 1) * D]  # (D, B, H)
        if c0 is not None:
            out = fused(layer_in, (h, c0[layer * D:(layer + 1) * D]), params, True, 1, 0.0, False,
                        D == 2, True)[0]
        else:
            out = fused(layer_in, h, params, True, 1, 0.0, False, D == 2, True)[0]
        outs.append(out)  # (B, T, D*H)
        layer_in = out
    return outs


# ---- gates, all steps at once (torch, float32) -----------------------------------------------
def lstm_gates(xp, hp, h_prev):
    """LSTM i, f, g, o in torch's chunk order from xp, hp (S, 4H)."""
    i, f, g, o = (xp + hp).chunk(4, dim=-1)
    return {"input": torch.sigmoid(i), "forget": torch.sigmoid(f), "cell_candidate": torch.tanh(g),
            "output": torch.sigmoid(o)}


def gru_gates(xp, hp, h_prev):
    """GRU r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), torch's form."""
    x_r, x_z, x_n = xp.chunk(3, dim=-1)
    h_r, h_z, h_n = hp.chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    return {"reset": r, "update": z, "new": torch.tanh(x_n + r * h_n)}


def rnn_tanh_gates(xp, hp, h_prev):
    return {}


def rnn_relu_gates(xp, hp, h_prev):
    return {}


def gate_function(cell: str):
    """The batched gate formula of a cell, looked up at call time (tests swap it for wrong ones)."""
    return globals()[f"{cell}_gates"]


@dataclass
class Direction:
    """One layer and direction of one example, every array in input-position order (t = 0..T-1)."""

    hidden: np.ndarray  # (T, H) h_t
    cell: np.ndarray | None  # (T, H) c_t, LSTM only
    gates: dict  # {name: (T, H)}
    h_prev: np.ndarray  # (T, H) the state each step reads: h_{t-1} forward, h_{t+1} backward
    layer_in: np.ndarray  # (T, I) what the layer reads at each position
    dh: np.ndarray | None = None  # (T, H) total dL/dh_t
    dxp: np.ndarray | None = None  # (T, G*H) dL/d(W_ih x_t + b_ih)
    dhp: np.ndarray | None = None  # (T, G*H) dL/d(W_hh h_prev + b_hh)
    dh_init: np.ndarray | None = None  # (H,) dL/dh_0 of this direction
    dc_init: np.ndarray | None = None  # (H,) dL/dc_0, LSTM only
    xp: np.ndarray | None = None  # (T, G*H) W_ih x_t + b_ih, the input's part of every pre-activation
    hp: np.ndarray | None = None  # (T, G*H) W_hh h_prev + b_hh, the previous state's part


def rebuild(cell: str, layer_in: torch.Tensor, hidden: torch.Tensor, h_init: torch.Tensor,
            c_init: torch.Tensor | None, weights, reverse: bool) -> tuple[Direction, dict]:
    """Gates and c_t of one direction from its fused states ``hidden`` (T, H) and input (T, I).

    Returns the Direction (input-position order) and the own-time factors the backward pass needs.
    """
    w_ih, w_hh, b_ih, b_hh = weights
    own = (lambda a: a.flip(0)) if reverse else (lambda a: a)
    h_own = own(hidden)  # (S, H) in the direction's own time
    h_prev = torch.cat([h_init.unsqueeze(0), h_own[:-1]])  # (S, H)
    xp = torch.addmm(b_ih, own(layer_in), w_ih.t())  # (S, G*H)
    hp = torch.addmm(b_hh, h_prev, w_hh.t())  # (S, G*H)
    gates = gate_function(cell)(xp, hp, h_prev)
    np_gates = {k: v.numpy() for k, v in gates.items()}
    with np.errstate(all="ignore"):  # a diverging model may overflow; the values say so
        factors, c_own = _factors(cell, np_gates, h_own, h_prev, hp, c_init, w_hh)
    # own time <-> input order; always a fresh, positively strided array (torch.from_numpy refuses
    # negative strides, which numpy keeps for a reversed single-step array it calls contiguous)
    back = (lambda a: a[::-1].copy()) if reverse else np.ascontiguousarray
    direction = Direction(
        hidden=hidden.numpy(), cell=None if c_own is None else back(c_own),
        gates={k: back(v) for k, v in np_gates.items()}, h_prev=back(h_prev.numpy()),
        layer_in=layer_in.numpy(), xp=back(xp.numpy()), hp=back(hp.numpy()))
    factors["back"] = back
    return direction, factors


def _factors(cell, np_gates, h_own, h_prev, hp, c_init, w_hh):
    """The diagonal parts of every step's Jacobian (own time), and c_t for the LSTM."""
    factors: dict = {"cell": cell, "w_hh": w_hh.numpy()}
    c_own = None
    if cell == "lstm":
        i, f, g, o = (np_gates[k] for k in ("input", "forget", "cell_candidate", "output"))
        c_own = np.empty_like(i)
        ig = i * g
        c = c_init.numpy()
        for s in range(len(ig)):
            c = np.multiply(f[s], c, out=c_own[s])
            c += ig[s]
        c_prev = np.concatenate([c_init.numpy()[None], c_own[:-1]])
        tanh_c = np.tanh(c_own)
        factors.update(
            f=f, dc_from_dh=o * (1 - tanh_c * tanh_c),
            k=np.stack([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g)], axis=1),  # (S, 3, H)
            k_o=tanh_c * o * (1 - o))
    elif cell == "gru":
        r, z, n = (np_gates[k] for k in ("reset", "update", "new"))
        H = r.shape[1]
        h_n = hp.numpy()[:, 2 * H:]
        hpv = h_prev.numpy()
        dn = (1 - z) * (1 - n * n)  # dh/d(n pre-activation)
        factors.update(z=z, k=np.stack([dn * h_n * r * (1 - r), (hpv - n) * z * (1 - z), dn * r], axis=1),
                       dn=dn)
    elif cell == "rnn_tanh":
        hv = h_own.numpy()
        factors["k"] = 1 - hv * hv
    else:
        factors["k"] = (h_own.numpy() > 0).astype(np.float32)
    return factors, c_own


def backward(direction: Direction, factors: dict, e: np.ndarray) -> None:
    """Fill direction.dh/dxp/dhp/dh_init/dc_init from e = dL/d(output_t) (T, H), input order."""
    back = factors["back"]
    e_own = back(e)
    with np.errstate(all="ignore"), one_thread():  # a diverging model may overflow; the values say so
        dh, dxp, dhp, dh_init, dc_init = _RECURSIONS[factors["cell"]](factors, e_own)
    direction.dh, direction.dxp, direction.dhp = back(dh), back(dxp), back(dhp)
    direction.dh_init, direction.dc_init = dh_init, dc_init


def _simple_recursion(fx, e):
    """h_s = phi(pre_s): dpre_s = dh_s * phi'(s); dh_{s-1} += W_hh^T dpre_s."""
    w, k = fx["w_hh"], fx["k"]
    S, H = e.shape
    dh = np.empty_like(e)
    dpre = np.empty_like(e)
    carry = np.zeros(H, np.float32)
    for s in range(S - 1, -1, -1):
        np.add(e[s], carry, out=dh[s])
        np.multiply(dh[s], k[s], out=dpre[s])
        carry = dpre[s] @ w  # (H,)
    return dh, dpre, dpre, carry, None


def _gru_recursion(fx, e):
    """h_s = (1 - z) n + z h_{s-1}: dhp_s = dh_s * k_s (r, z, n blocks); carry = dh z + W_hh^T dhp."""
    w, k, z = fx["w_hh"], fx["k"], fx["z"]
    S, H = e.shape
    dh = np.empty_like(e)
    dhp = np.empty((S, 3, H), np.float32)
    carry = np.zeros(H, np.float32)
    for s in range(S - 1, -1, -1):
        d = np.add(e[s], carry, out=dh[s])
        np.multiply(k[s], d, out=dhp[s])
        carry = dhp[s].reshape(-1) @ w
        carry += d * z[s]
    dxp = dhp.copy()
    dxp[:, 2] = dh * fx["dn"]  # W_in x + b_in sits outside r * (...)
    return dh, dxp.reshape(S, 3 * H), dhp.reshape(S, 3 * H), carry, None


def _lstm_recursion(fx, e):
    """c_s = f c_{s-1} + i g, h_s = o tanh(c_s): dc_s = dh_s o tanh'(c_s) + dc_{s+1} f_{s+1}."""
    w, k, k_o, f, dc_from_dh = fx["w_hh"], fx["k"], fx["k_o"], fx["f"], fx["dc_from_dh"]
    S, H = e.shape
    dh = np.empty_like(e)
    dpre = np.empty((S, 4, H), np.float32)
    carry = np.zeros(H, np.float32)
    dc_next = np.zeros(H, np.float32)  # dc_{s+1} * f_{s+1}
    for s in range(S - 1, -1, -1):
        d = np.add(e[s], carry, out=dh[s])
        dc = d * dc_from_dh[s]
        dc += dc_next
        np.multiply(k[s], dc, out=dpre[s, :3])
        np.multiply(k_o[s], d, out=dpre[s, 3])
        carry = dpre[s].reshape(-1) @ w
        dc_next = dc * f[s]
    dpre = dpre.reshape(S, 4 * H)
    return dh, dpre, dpre, carry, dc_next


_RECURSIONS = {"rnn_tanh": _simple_recursion, "rnn_relu": _simple_recursion, "gru": _gru_recursion,
               "lstm": _lstm_recursion}
