"""PCA of hidden states: fit on a batch's states, project trajectories, refit only when needed.

``fit_pca`` centres the stacked states X (N, H); with the SVD X - mean = U S V^T the components
are the rows of V^T, the explained variance of component k is S_k^2 / (N - 1) and its ratio
S_k^2 / sum S^2. They are computed from the eigendecomposition of the H x H Gram matrix
(X - mean)^T (X - mean) = V S^2 V^T: the same numbers (the tests compare with numpy's SVD), but
LAPACK's SVD of a tall (N >> H) matrix took ~0.5 s on the busy test machine and this takes ~1 ms.
``project`` maps states into that basis.

``PCATracker`` keeps the axes still while a model trains, so trajectories do not jump around
between snapshots: it refits only when the old axes no longer describe the new states - their
captured variance fraction fell by more than ``drift`` (relative) from what it was at the fit, or
the model was rebuilt. Each refit flips component signs to agree with the previous axes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

REFIT_DRIFT = 0.05  # refit when the captured variance fraction falls 5% below its value at the fit


@dataclass(frozen=True)
class PCA:
    mean: np.ndarray  # (H,)
    components: np.ndarray  # (k, H) orthonormal rows, by decreasing variance
    explained_variance: np.ndarray  # (k,) variance along each component
    explained_ratio: np.ndarray  # (k,) fraction of the total variance

    def project(self, states: np.ndarray) -> np.ndarray:
        """(..., H) -> (..., k)."""
        return (np.asarray(states, np.float64) - self.mean) @ self.components.T

    def captured(self, states: np.ndarray) -> float:
        """Fraction of the variance of ``states`` (N, H) around their own mean that these axes hold."""
        x = np.asarray(states, np.float64).reshape(-1, self.mean.shape[0])
        x = x - x.mean(0)
        total = float((x * x).sum())
        return 1.0 if total == 0 else float(self.variance_ratios(states).sum())


    def variance_ratios(self, states: np.ndarray) -> np.ndarray:
        """(k,) share of the variance of ``states`` (N, H) (around their own mean) along each axis: what
        the axes show of these states, not of the states they were fitted to."""
        x = np.asarray(states, np.float64).reshape(-1, self.mean.shape[0])
        x = x - x.mean(0)
        total = float((x * x).sum())
        along = ((x @ self.components.T) ** 2).sum(0)  # (k,)
        return np.zeros(len(self.components)) if total == 0 else along / total


def fit_pca(states: np.ndarray, k: int = 3) -> PCA:
    """PCA of (N, H) states (any leading shape is flattened), keeping ``k`` components."""
    x = np.asarray(states, np.float64)
    x = x.reshape(-1, x.shape[-1])  # (N, H)
    if len(x) < 2:
        raise ValueError("PCA needs at least two states")
    mean = x.mean(0)
    xc = torch.from_numpy(x - mean)
    # torch, not numpy: numpy's OpenBLAS starts a thread per core for these and, on a busy machine,
    # an eigendecomposition that takes 2 ms alone takes seconds (torch follows set_num_threads)
    w, v = (a.numpy() for a in torch.linalg.eigh(xc.T @ xc))  # ascending eigenvalues S^2, vectors in columns
    order = np.argsort(-w, kind="stable")
    s2, vt = np.clip(w[order], 0.0, None), v[:, order].T  # (H,), (H, H) rows = components
    k = min(k, len(s2))
    var = s2 / (len(x) - 1)
    total = var.sum()
    ratio = var / total if total > 0 else np.zeros_like(var)
    return PCA(mean=mean, components=vt[:k], explained_variance=var[:k], explained_ratio=ratio[:k])


def align_signs(new: PCA, old: PCA | None) -> PCA:
    """Flip components of ``new`` that point against the same component of ``old``."""
    if old is None or old.components.shape != new.components.shape:
        return new
    signs = np.where((new.components * old.components).sum(1) < 0, -1.0, 1.0)
    return PCA(new.mean, new.components * signs[:, None], new.explained_variance, new.explained_ratio)


class PCATracker:
    """The current PCA of one layer's states, refitted by the policy in the module doc."""

    def __init__(self, k: int = 3, drift: float = REFIT_DRIFT):
        self.k, self.drift = k, drift
        self.pca: PCA | None = None
        self.fit_captured = 0.0  # captured fraction at the last fit
        self.key = None  # what the states belong to (layer, direction, model generation)
        self.refits = 0

    def reset(self) -> None:
        self.pca, self.key = None, None

    def update(self, states: np.ndarray, key=None) -> tuple[PCA, bool]:
        """Return (pca, refitted) for these states, refitting only when needed."""
        if self.pca is not None and key == self.key:
            if self.pca.captured(states) >= self.fit_captured * (1 - self.drift):
                return self.pca, False
        old = self.pca if key == self.key else None
        self.pca = align_signs(fit_pca(states, self.k), old)
        self.fit_captured = self.pca.captured(states)
        self.key = key
        self.refits += 1
        return self.pca, True
