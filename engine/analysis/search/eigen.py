"""Eigenvalues of step Jacobians: all of them for small states, the largest few for large ones.

A fixed point's stability needs only the eigenvalues of largest modulus. For a state of size
S <= ``FULL_EIG_MAX`` every eigenvalue is computed (LAPACK, through torch: about 0.5 s at S = 512
on one core); above it, Arnoldi iteration with explicit restarts gives the ``TOP_K`` outermost
ones (measured on an LSTM step Jacobian at S = 1024: 0.6 s instead of 1.2 s for all of them, the
top moduli within 3e-4 of LAPACK's; tests/engine/test_fixed_point_search.py checks S = 600).
"""
from __future__ import annotations

import numpy as np
import torch

FULL_EIG_MAX = 512  # state sizes up to this get every eigenvalue
TOP_K = 16  # eigenvalues reported above it
KRYLOV = 96  # Arnoldi basis size
RESTARTS = 4  # explicit restarts (each from the combination of the top Ritz vectors)


def eigen(J: torch.Tensor) -> tuple[np.ndarray, np.ndarray, str]:
    """(eigenvalues sorted by decreasing |lambda| (S,), the top eigenvector (S,) complex, method).

    ``J`` (S, S) float64. Above ``FULL_EIG_MAX`` only the first ``TOP_K`` entries are known; the
    rest are NaN. ``method`` is "all" or "top 16 (Arnoldi)".
    """
    S = J.shape[0]
    if not torch.isfinite(J).all():
        return np.full(S, np.nan + 0j), np.zeros(S, complex), "all"
    if S <= FULL_EIG_MAX:
        lam, vec = (a.numpy() for a in torch.linalg.eig(J))
        order = np.argsort(-np.abs(lam), kind="stable")
        return lam[order], vec[:, order[0]], "all"
    lam, vec = top_eigen(J, TOP_K)
    out = np.full(S, np.nan + 0j)
    out[:len(lam)] = lam
    return out, vec[:, 0], f"top {TOP_K} (Arnoldi)"


def top_eigen(J: torch.Tensor, k: int, m: int = KRYLOV, restarts: int = RESTARTS, seed: int = 0):
    """The ``k`` eigenvalues of largest modulus of ``J`` (S, S) and their vectors (S, k), by Arnoldi."""
    S = J.shape[0]
    m = min(m, S)
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(S, dtype=torch.float64, generator=g)
    lam = vec = None
    for _ in range(restarts + 1):
        Q, Hm = _arnoldi(J, v, m)
        ritz, y = torch.linalg.eig(Hm)  # (m,), (m, m) complex
        order = torch.argsort(-ritz.abs())
        ritz, y = ritz[order], y[:, order]
        lam, vec = ritz[:k], Q.to(torch.complex128) @ y[:, :k]  # (k,), (S, k)
        v = vec.real.sum(1) + vec.imag.sum(1)  # restart inside the wanted invariant subspace
        if not torch.isfinite(v).all() or float(v.norm()) == 0:
            break
    return lam.numpy(), vec.numpy()


def _arnoldi(J, v, m):
    """Orthonormal Q (S, m') and the Hessenberg H (m', m') with J Q ~ Q H (m' <= m on breakdown)."""
    S = J.shape[0]
    Q = torch.zeros(S, m, dtype=torch.float64)
    H = torch.zeros(m, m, dtype=torch.float64)
    Q[:, 0] = v / v.norm()
    for j in range(m):
        w = J @ Q[:, j]
        for _ in range(2):  # twice: classical Gram-Schmidt with reorthogonalisation
            c = Q[:, :j + 1].T @ w
            w = w - Q[:, :j + 1] @ c
            H[:j + 1, j] += c
        if j + 1 < m:
            nrm = w.norm()
            if float(nrm) < 1e-12:
                return Q[:, :j + 1], H[:j + 1, :j + 1]
            H[j + 1, j] = nrm
            Q[:, j + 1] = w / nrm
    return Q, H
