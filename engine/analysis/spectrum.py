"""Why gradients vanish: eigenvalues of the recurrent weights and the Jacobian product dh_T/dh_t.

Backpropagation through time multiplies by one step Jacobian per step. For a simple RNN
h_t = g(W_ih x_t + b + W_hh h_{t-1}), so

    dh_T/dh_t = prod_{k=t+1..T} diag(g'(a_k)) W_hh,

and its size shrinks (|lambda| < 1, vanishing) or grows (|lambda| > 1, exploding) roughly like
rho(W_hh)^(T - t), rho = max |eigenvalue| (the spectral radius), times the squashing g' <= 1.

Which matrix is shown (``recurrent_matrices``), in torch's chunk order of ``weight_hh``:
  rnn_tanh / rnn_relu  W_hh, the whole (H, H) weight_hh.
  gru (r, z, n)        W_hn = weight_hh[2H:3H], the candidate block: n = tanh(W_in x + b_in +
                       r * (W_hn h + b_hn)). Its step Jacobian adds diag(z) (the update gate's
                       copy path), so gated cells keep dh_T/dh_t larger than rho alone suggests.
  lstm (i, f, g, o)    W_hg = weight_hh[2H:3H], the cell-candidate block g = tanh(W_ig x + b_ig +
                       W_hg h + b_hg), the LSTM's counterpart of the simple RNN's W_hh; the memory
                       c_t = f * c_{t-1} + i * g carries gradient through the forget gate instead.

Everything here is pure torch + numpy, never touches ``.grad`` and returns numpy arrays.
"""
from __future__ import annotations

import numpy as np
import torch

from engine.network.model import SequenceModel, gate_count
from engine.network.probe import encoder_weights, unroll

CANDIDATE_BLOCK = 2  # index of the candidate block in weight_hh: GRU (r, z, n), LSTM (i, f, g, o)


def matrix_note(cell: str) -> str:
    """One line naming the matrix whose eigenvalues are shown, for a panel caption."""
    if cell == "gru":
        return "GRU: eigenvalues of W_hn, the candidate block of weight_hh (rows 2H:3H, order r, z, n)"
    if cell == "lstm":
        return ("LSTM: eigenvalues of W_hg, the cell-candidate block of weight_hh "
                "(rows 2H:3H, order i, f, g, o)")
    return "simple RNN: eigenvalues of W_hh"


def _keys(model: SequenceModel) -> list[tuple[int, int]]:
    cfg = model.config
    return [(layer, d) for layer in range(cfg.num_layers) for d in range(cfg.num_directions)]


def recurrent_matrices(model: SequenceModel) -> dict[tuple[int, int], np.ndarray]:
    """{(layer, direction): (H, H) float64} the matrix whose eigenvalues matter (see module doc)."""
    cfg = model.config
    H, k = cfg.hidden_size, gate_count(cfg.cell)
    out = {}
    for layer, d in _keys(model):
        w_hh = encoder_weights(model.encoder, layer, d)[1].detach()  # (k*H, H)
        block = w_hh if k == 1 else w_hh.view(k, H, H)[CANDIDATE_BLOCK]  # (H, H)
        out[(layer, d)] = block.to(torch.float64).numpy().copy()
    return out


def _eigvals(m: np.ndarray) -> np.ndarray:
    """Complex eigenvalues (H,); all NaN when the matrix is not finite (a diverged model)."""
    if not np.isfinite(m).all():
        return np.full(m.shape[0], np.nan + 0j, dtype=np.complex128)
    return np.linalg.eigvals(m).astype(np.complex128)


def spectra(model: SequenceModel) -> dict[tuple[int, int], np.ndarray]:
    """{(layer, direction): complex128 (H,)} eigenvalues of ``recurrent_matrices(model)``."""
    return {key: _eigvals(m) for key, m in recurrent_matrices(model).items()}


def spectral_radii(model: SequenceModel) -> dict[tuple[int, int], float]:
    """{(layer, direction): rho} with rho = max |eigenvalue| (NaN for a non-finite matrix)."""
    return {key: float(np.max(np.abs(ev))) for key, ev in spectra(model).items()}


def spectral_radius(model: SequenceModel) -> float:
    """The largest spectral radius over all layers and directions (NaN if any matrix is non-finite)."""
    radii = list(spectral_radii(model).values())
    return float("nan") if any(np.isnan(radii)) else float(max(radii))


def jacobian_norms(model: SequenceModel, inputs: torch.Tensor) -> np.ndarray:
    """(L, D, T) float64: out[l, d, k] = ||dh_T/dh_{T-k}||_2 of layer l, direction d, at lag k.

    The norm is the spectral norm (largest singular value) of the (H, H) Jacobian of the
    direction's last state with respect to its state k steps earlier, computed from the model's
    own weights along the actual example ``inputs`` (shaped as ``task.sample_batch(1, g)``
    returns, batch of one). Index k is the lag T - t, so out[..., 0] = ||I|| = 1.
    Forward direction: "last" is input position T-1 and lag k is position T-1-k. Backward
    direction (d = 1, reads right to left): its last step is input position 0, so lag k is
    position k. It is the derivative along the layer's own recurrence only (the layer's inputs
    held fixed). For an LSTM the state is (h, c): h_t is varied with its c_t held fixed and the
    paths through c_{t+1}, c_{t+2}, ... are included, which is what autograd gives for dh_T/dh_t.

    How: one step-by-step forward (``engine.network.probe.unroll``, no graph), then the local step
    Jacobians ds_k/ds_{k-1} of all steps at once in closed form (``step_jacobians``), multiplied
    from the end in float64 (so very long lags underflow late).
    Cost per layer/direction: T products (H x S)(S x H), S = 2H for an LSTM, else H, and one
    H x H symmetric eigenproblem per lag; about 10 ms for an LSTM with T = 50, H = 64 on one
    core, cubic in H. ``.grad`` is never touched.
    """
    cfg = model.config
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = model.embed(inputs)[0]  # (T, E)
            _, states, cell_states, _ = unroll(model, x)
            T = x.shape[0]
            out = np.empty((cfg.num_layers, cfg.num_directions, T), dtype=np.float64)
            layer_in = x  # (T, E), then (T, D*H)
            for layer in range(cfg.num_layers):
                for d in range(cfg.num_directions):
                    w_ih, w_hh, b_ih, b_hh = (w.detach() for w in encoder_weights(model.encoder, layer, d))
                    xp = torch.addmm(b_ih, layer_in, w_ih.t())  # (T, G*H)
                    h = torch.stack(states[layer][d])  # (T, H) by input position
                    c = torch.stack(cell_states[layer][d]) if cfg.cell == "lstm" else None
                    if d == 1:  # the direction's own time order
                        xp, h = xp.flip(0), h.flip(0)
                        c = None if c is None else c.flip(0)
                    out[layer, d] = _chain_norms(cfg.cell, xp, h, c, w_hh, b_hh)
                layer_in = torch.cat([torch.stack(states[layer][d]) for d in range(cfg.num_directions)],
                                     dim=-1)  # (T, D*H)
    finally:
        model.train(was_training)
    return out


CHUNK_FLOATS = 1 << 22  # local Jacobians held at once: 4M floats (32 MB in float64)


def step_jacobians(cell: str, xp, h_prev, c_prev, w_hh, b_hh) -> torch.Tensor:
    """(n, S, S) float64 local Jacobians ds_k/ds_{k-1} of n steps, in closed form.

    xp (n, G*H) input projections of the steps, h_prev / c_prev (n, H) the states they start from
    (c_prev None unless LSTM); S = 2H for an LSTM (state [h; c]), else H. The formulas mirror
    ``engine.network.cells`` (torch's equations and chunk order); tests check them against autograd.
    """
    into_h, diags = _local_jacobians(cell, xp, h_prev, c_prev, w_hh, b_hh)
    if diags is None:
        return into_h
    n, S, H = into_h.shape
    out = torch.zeros(n, S, S, dtype=torch.float64)
    out[:, :, :H] = into_h  # d[h_k; c_k]/dh_{k-1}
    idx = torch.arange(H)
    out[:, idx, H + idx] = diags[0]  # dh_k/dc_{k-1}, diagonal
    out[:, H + idx, H + idx] = diags[1]  # dc_k/dc_{k-1} = diag(f), diagonal
    return out


def _local_jacobians(cell: str, xp, h_prev, c_prev, w_hh, b_hh):
    """(d s_k / d h_{k-1} (n, S, H) float64, None or the LSTM's two diagonals (n, H) into c_{k-1})."""
    f64 = torch.float64
    xp, h_prev, w_hh, b_hh = (t.to(f64) for t in (xp, h_prev, w_hh, b_hh))
    H = h_prev.shape[1]
    hp = torch.addmm(b_hh, h_prev, w_hh.t())  # (n, G*H): W_hh h_{k-1} + b_hh
    col = lambda v: v.unsqueeze(-1)  # (n, H) -> (n, H, 1): diag(v) @ W by broadcasting
    if cell == "rnn_tanh":
        h = torch.tanh(xp + hp)  # (n, H)
        return col(1 - h * h) * w_hh, None
    if cell == "rnn_relu":
        return col((xp + hp > 0).to(f64)) * w_hh, None  # relu' = 1 where the pre-activation is > 0
    blocks = w_hh.view(gate_count(cell), H, H)  # (G, H, H)
    if cell == "gru":
        x_r, x_z, x_n = xp.chunk(3, -1)
        h_r, h_z, h_n = hp.chunk(3, -1)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        nn_ = torch.tanh(x_n + r * h_n)
        w_r, w_z, w_n = blocks
        dn = col(1 - nn_ * nn_) * (col(r) * w_n + col(h_n * r * (1 - r)) * w_r)  # dn/dh_{k-1}
        eye = torch.eye(H, dtype=f64)
        return col(z) * eye + col(1 - z) * dn + col((h_prev - nn_) * z * (1 - z)) * w_z, None
    c_prev = c_prev.to(f64)
    i, f, g, o = (xp + hp).chunk(4, -1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    tc = torch.tanh(f * c_prev + i * g)  # tanh(c_k)
    w_i, w_f, w_g, w_o = blocks
    into_h = torch.empty(h_prev.shape[0], 2 * H, H, dtype=f64)  # rows: h_k then c_k
    dc_dh = into_h[:, H:]
    torch.mul(col(c_prev * f * (1 - f)), w_f, out=dc_dh)
    dc_dh += col(g * i * (1 - i)) * w_i
    dc_dh += col(i * (1 - g * g)) * w_g
    into_h[:, :H] = col(tc * o * (1 - o)) * w_o + col(o * (1 - tc * tc)) * dc_dh
    return into_h, (o * (1 - tc * tc) * f, f)  # dh_k/dc_{k-1}, dc_k/dc_{k-1}


def _chain_norms(cell: str, xp, h, c, w_hh, b_hh) -> np.ndarray:
    """Norms of dh_{T-1}/dh_{T-1-k} for k = 0..T-1; xp (T, G*H), h and c (T, H) in step order.

    The running product is [P, Q] = dh_T/d[h_k; c_k] (H, 2H) for an LSTM, P = dh_T/dh_k else; a
    step back is P <- [P, Q] @ d[h_k; c_k]/dh_{k-1} and Q <- P diag(a) + Q diag(f) (the two
    diagonal blocks into c_{k-1}), which costs 2H^3 instead of a full (2H)^3 product.
    """
    T, H = h.shape
    norms = np.empty(T, dtype=np.float64)
    norms[0] = 1.0  # dh_T/dh_T = I
    p = torch.eye(H, dtype=torch.float64)  # dh_T/dh_k, starting at k = T-1
    q = torch.zeros(H, H, dtype=torch.float64) if c is not None else None  # dh_T/dc_k
    chunk = max(1, CHUNK_FLOATS // (2 * H * H))
    hi = T - 1  # steps k in [lo, hi] with k >= 1 need ds_k/ds_{k-1}
    while hi >= 1:
        lo = max(1, hi - chunk + 1)
        into_h, diags = _local_jacobians(cell, xp[lo:hi + 1], h[lo - 1:hi],
                                         None if c is None else c[lo - 1:hi], w_hh, b_hh)
        blocks = torch.empty(hi - lo + 1, H, H, dtype=torch.float64)  # dh_T/dh_{k-1}, by lag
        for i in range(hi - lo, -1, -1):
            if q is None:
                p = p @ into_h[i]  # (H, H)
            else:
                p, q = torch.cat([p, q], dim=1) @ into_h[i], p * diags[0][i] + q * diags[1][i]
            blocks[hi - lo - i] = p
        norms[T - hi:T - lo + 1] = _spectral_norms(blocks)  # lags T-hi .. T-lo
        hi = lo - 1
    return norms


def _spectral_norms(jac: torch.Tensor) -> np.ndarray:
    """(T, H, H) -> (T,) largest singular values; NaN where a matrix is not finite.

    sigma_max(J) = sqrt(lambda_max(J J^T)) in float64: a symmetric eigensolver is ~3x faster than
    an SVD here and accurate to ~1e-15 relative (float32 Jacobian entries square without underflow).
    """
    jac = jac.detach().to(torch.float64)
    ok = torch.isfinite(jac).flatten(1).all(1)  # (T,)
    norms = torch.full((jac.shape[0],), float("nan"), dtype=torch.float64)
    if bool(ok.any()):
        j = jac[ok]  # (n, H, H)
        norms[ok] = torch.linalg.eigvalsh(j @ j.mT)[:, -1].clamp_min(0).sqrt()
    return norms.numpy()


def analysis_dict(model: SequenceModel, inputs: torch.Tensor, radius_history=None) -> dict:
    """Everything VanishingPanel.set_analysis draws, as plain numpy (string keys "l{layer}d{dir}").

    radius_history: {"step": sequence, "radius": sequence} of equal length (the caller's
    bookkeeping of ``spectral_radius`` over training), or None for no history yet.
    Returns {"eigenvalues": {"l0d0": complex128 (H,), ...}, "radius": float,
    "radius_history": {"step": float64 (N,), "radius": float64 (N,)},
    "jacobian_norms": float64 (L, D, T) (see ``jacobian_norms``), "matrix_note": str}.
    """
    hist = radius_history or {}
    steps = np.asarray(hist.get("step", ()), dtype=np.float64).reshape(-1)
    radii = np.asarray(hist.get("radius", ()), dtype=np.float64).reshape(-1)
    if steps.shape != radii.shape:
        raise ValueError(f"radius_history step and radius differ in length: {steps.size} vs {radii.size}")
    eig = spectra(model)
    finite = [float(np.max(np.abs(ev))) for ev in eig.values()]
    return {
        "eigenvalues": {f"l{layer}d{d}": ev for (layer, d), ev in eig.items()},
        "radius": float("nan") if any(np.isnan(finite)) else float(max(finite)),
        "radius_history": {"step": steps.copy(), "radius": radii.copy()},
        "jacobian_norms": jacobian_norms(model, inputs),
        "matrix_note": matrix_note(model.config.cell),
    }
