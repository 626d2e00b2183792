"""BPTT's sum over time: each step's contribution to the first layer's weight gradients.

The lecture: dL/dW_hh = sum_t delta_t h_{t-1}^T, dL/dW_xh = sum_t delta_t x_t^T, dL/db = sum_t delta_t,
where delta_t = dL/d(pre-activation at step t) (for gated cells, the (G*H,) vector of every gate's
pre-activation in torch's chunk order; for the GRU the n block of W_hh's delta carries r_t, because
b_hn sits inside r * (W_hn h + b_hn)). The deltas come from the probe's reverse recursion
(``engine.network.probe.forward_backward``), so no per-step autograd graph is built.

Steps are indexed by input position t = 0..T-1 in both directions; the backward chain's step at
position t reads h_{t+1} as its previous state (it runs right to left).
"""
from __future__ import annotations

import numpy as np

from engine.network.probe import forward_backward

MAX_ELEMENTS = 40_000_000  # T x parameter size of every returned array together (~160 MB float32)


def _layer0(model, inputs, targets, h0, c0):
    p = forward_backward(model, inputs, targets, h0, c0)
    for d, direction in enumerate(p.directions[0]):
        yield "_l0" + ("_reverse" if d else ""), direction, p


def bptt_contributions(model, inputs, targets, h0=None, c0=None) -> dict[str, np.ndarray]:
    """{parameter name: (T, *param.shape)} float32 for weight_ih_l0, weight_hh_l0, bias_ih_l0,
    bias_hh_l0 (and the _reverse ones): step t's term delta_t x_t^T, delta_t h_prev_t^T, delta_t.

    Summed over t each equals autograd's gradient of that parameter. ValueError when the arrays
    would be too large (use ``bptt_summary``, which never builds them).
    """
    enc = model.encoder
    T = inputs.shape[1]
    size = T * sum(getattr(enc, f"{n}{s}").numel() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                   for s in ["_l0"] + (["_l0_reverse"] if model.config.bidirectional else []))
    if size > MAX_ELEMENTS:
        raise ValueError(f"per-step contributions would hold {size:,} numbers (limit {MAX_ELEMENTS:,}); "
                         f"use a shorter sequence or a smaller model")
    out = {}
    for sfx, d, _ in _layer0(model, inputs, targets, h0, c0):
        out[f"weight_ih{sfx}"] = d.dxp[:, :, None] * d.layer_in[:, None, :]  # (T, G*H, I)
        out[f"weight_hh{sfx}"] = d.dhp[:, :, None] * d.h_prev[:, None, :]  # (T, G*H, H)
        out[f"bias_ih{sfx}"] = d.dxp.copy()  # (T, G*H)
        out[f"bias_hh{sfx}"] = d.dhp.copy()
    return out


def bptt_summary(model, inputs, targets, h0=None, c0=None) -> dict[str, dict[str, np.ndarray]]:
    """Norms for a view, without building the (T, *shape) arrays (any length).

    {parameter name: {"step": (T,) ||term_t||_F, "running": (T,) ||sum_{s<=t} term_s||_F (input
    order), "running_back": (T,) ||sum_{s>=t} term_s||_F (the order BPTT visits the steps),
    "total": () ||dL/dtheta||_F}} in float64. For an outer product a b^T, ||a b^T||_F = |a| |b| and
    ||sum a_s b_s^T||_F^2 = sum_{s,s'} (a_s . a_s')(b_s . b_s'), computed in row blocks.
    """
    result = {}
    for sfx, d, _ in _layer0(model, inputs, targets, h0, c0):
        dxp, dhp = d.dxp.astype(np.float64), d.dhp.astype(np.float64)
        for name, a, b in ((f"weight_ih{sfx}", dxp, d.layer_in), (f"weight_hh{sfx}", dhp, d.h_prev),
                           (f"bias_ih{sfx}", dxp, None), (f"bias_hh{sfx}", dhp, None)):
            with np.errstate(all="ignore"):  # a diverged model: non-finite norms, no warnings
                result[name] = _norms(a, None if b is None else b.astype(np.float64))
    return result


def _norms(a: np.ndarray, b: np.ndarray | None, block: int = 512) -> dict[str, np.ndarray]:
    if b is None:  # bias: the term is a_t itself
        fwd = np.linalg.norm(np.cumsum(a, axis=0), axis=1)
        back = np.linalg.norm(np.cumsum(a[::-1], axis=0), axis=1)[::-1]
        return {"step": np.linalg.norm(a, axis=1), "running": fwd, "running_back": back,
                "total": np.float64(fwd[-1])}
    step = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    fwd, back = _running(a, b, block), _running(a[::-1], b[::-1], block)[::-1]
    return {"step": step, "running": fwd, "running_back": back, "total": np.float64(fwd[-1])}


def _running(a: np.ndarray, b: np.ndarray, block: int) -> np.ndarray:
    """||sum_{s<=t} a_s b_s^T||_F for every t: N_t = N_{t-1} + 2 sum_{s<t} M_ts + M_tt, M = AA^T o BB^T."""
    T = a.shape[0]
    inc = np.empty(T)
    for t0 in range(0, T, block):
        t1 = min(T, t0 + block)
        m = (a[t0:t1] @ a[:t1].T) * (b[t0:t1] @ b[:t1].T)  # (rows, t1)
        m = np.tril(m, k=t0)  # keep s <= t
        inc[t0:t1] = 2 * m.sum(axis=1) - m[np.arange(t1 - t0), np.arange(t0, t1)]
    return np.sqrt(np.maximum(np.cumsum(inc), 0.0))
