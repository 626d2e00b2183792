"""Fixed and slow points of the recurrence (Sussillo & Barak 2013; mattgolub/fixed-point-finder).

With the input held at a constant x* ("no new information", ``states.neutral_input``), a trained
network's state s moves by F(s, x*) - s each step. The search minimises

    q(s) = 1/2 ||F(s, x*) - s||^2

from ``n_starts`` states sampled on real trajectories (batched: every start is one row), first
with Adam and then with a few damped Gauss-Newton (Levenberg-Marquardt) steps that take points
near a fixed point to machine precision. Points with q < ``q_tol`` are fixed points; points with
q < ``slow_tol`` are slow points (the state barely moves: a line attractor is a line of them).
Duplicates closer than ``unique_tol`` are merged (the lower q is kept). At every point the step
Jacobian dF/ds is eigendecomposed: all |lambda| < 1 is a stable point (an attractor), otherwise
a saddle whose unstable directions are the eigenvectors with |lambda| > 1.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from .states import StepMap, batch_states, full_state, neutral_input

DEFAULTS = dict(n_starts=64, max_iters=1500, lr=0.02, q_tol=1e-12, slow_tol=1e-6, unique_tol=1e-3,
                newton_steps=12, budget_s=3.0, batch_examples=32, noise=0.1)


def _q(fmap: StepMap, s: torch.Tensor) -> torch.Tensor:
    return 0.5 * (fmap(s) - s).pow(2).sum(-1)  # (N,)


def _adam(fmap, s, max_iters, lr, q_tol, deadline, progress):
    begin = time.perf_counter()
    s = s.clone().requires_grad_(True)
    opt = torch.optim.Adam([s], lr=lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.997)
    it = 0
    for it in range(1, max_iters + 1):  # noqa: B007 - the count is returned
        opt.zero_grad()
        q = _q(fmap, s)
        if float(q.detach().max()) < q_tol:
            break
        q.sum().backward()  # rows are independent: each gets the gradient of its own q
        opt.step()
        sched.step()
        if it % 50 == 0:
            now = time.perf_counter()
            if progress is not None:
                done = max(it / max_iters, (now - begin) / max(deadline - begin, 1e-9))
                progress(0.8 * min(done, 1.0), f"optimising {len(s)} starts: step {it}, "
                                               f"median q {float(q.detach().median()):.2e}")
            if now > deadline:
                break
    return s.detach(), it


def _polish(fmap, s, q_tol, steps, deadline):
    """Damped Gauss-Newton on r(s) = F(s) - s; a row moves only when its q decreases, and rows
    already below ``q_tol`` are left alone (their Jacobians are not even computed)."""
    eye = torch.eye(s.shape[1], dtype=s.dtype)
    mu = torch.full((len(s),), 1e-6, dtype=s.dtype)
    with torch.no_grad():
        q = _q(fmap, s)
    for _ in range(steps):
        rows = torch.nonzero((q >= q_tol * 1e-6) & (mu < 1e6)).squeeze(1)
        if len(rows) == 0 or time.perf_counter() > deadline:
            break
        sub, m = s[rows], mu[rows]
        A = fmap.jacobians(sub) - eye  # (n, S, S)
        with torch.no_grad():
            r = fmap(sub) - sub  # (n, S)
            At = A.transpose(1, 2)
            step = -torch.linalg.solve(At @ A + m[:, None, None] * eye, At @ r.unsqueeze(-1)).squeeze(-1)
            cand = sub + step
            q_new = _q(fmap, cand)
            better = torch.isfinite(q_new) & (q_new < q[rows])
            s[rows] = torch.where(better[:, None], cand, sub)
            q[rows] = torch.where(better, q_new, q[rows])
            mu[rows] = torch.where(better, m * 0.1, m * 10).clamp(1e-12, 1e7)
    return s, q


def merge_unique(points: np.ndarray, q: np.ndarray, tol: float) -> np.ndarray:
    """Indices of points kept after merging any two closer than ``tol`` (the lower q wins)."""
    kept: list[int] = []
    for i in np.argsort(q, kind="stable"):
        if all(np.linalg.norm(points[i] - points[k]) > tol for k in kept):
            kept.append(int(i))
    return np.array(kept, dtype=np.int64)


def fixed_points(model, x_const=None, n_starts: int = DEFAULTS["n_starts"], seed: int = 0, *,
                 inputs: torch.Tensor | None = None, max_iters: int = DEFAULTS["max_iters"],
                 lr: float = DEFAULTS["lr"], q_tol: float = DEFAULTS["q_tol"],
                 slow_tol: float = DEFAULTS["slow_tol"], unique_tol: float = DEFAULTS["unique_tol"],
                 newton_steps: int = DEFAULTS["newton_steps"], budget_s: float = DEFAULTS["budget_s"],
                 noise: float = DEFAULTS["noise"], period: int = 1, progress=None) -> dict:
    """Search the fixed and slow points of ``model`` under the constant input x* (see the module doc).

    ``x_const``: None (the task's "no new information" input), a token, ``ZERO_INPUT`` or a real
    vector; ``inputs``: the examples whose states seed the search (default: a batch drawn with
    ``seed``); ``noise``: std of the Gaussian jitter added to the starts; ``budget_s``: wall-clock
    limit for the whole search (the optimisation stops early and the result says ``timed_out``);
    ``period``: search the fixed points of F applied ``period`` times (a network may hold its
    memory in a cycle, flipping its state at every step of x*: then its memories are period-2
    points); ``progress(fraction, text)`` is called now and then.

    Returns plain numpy data, one row per merged point, sorted fixed first then by q:
      points (K, S) float64 states s = [h_1; (c_1;) h_2; ...]; q (K,); fixed (K,) bool (q < q_tol)
      eigenvalues (K, S) complex, by decreasing |lambda|; top_abs (K,); stable (K,) all |lambda| < 1
      unstable_dir (K, S) unit real direction of the top eigenvector (where a saddle leaves)
      x_label, n_starts, iterations, seconds, timed_out, hidden_size, num_layers, parts ("h" or "h,c")
    """
    for name, v, lo, hi in (("n_starts", n_starts, 1, 4096), ("max_iters", max_iters, 0, 100_000),
                            ("period", period, 1, 8),
                            ("newton_steps", newton_steps, 0, 200)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {v!r}")
    if not (isinstance(budget_s, (int, float)) and 0 < budget_s <= 600):
        raise ValueError(f"budget_s must be a number of seconds in (0, 600]; got {budget_s!r}")
    start = time.perf_counter()
    deadline = start + float(budget_s)
    task = model.task
    label, value = neutral_input(task, x_const)
    fmap = StepMap(model, value, period)
    if period > 1:
        label += f", {period} steps at a time"
    g = torch.Generator().manual_seed(int(seed))
    if inputs is None:
        inputs, _ = task.sample_batch(DEFAULTS["batch_examples"], g)
    was_training = model.training
    model.eval()
    try:
        flat = full_state(batch_states(model, inputs)).reshape(-1, fmap.size)  # (B*T, S)
    finally:
        model.train(was_training)
    pick = torch.randint(0, len(flat), (n_starts,), generator=g) if len(flat) < n_starts \
        else torch.randperm(len(flat), generator=g)[:n_starts]
    s0 = torch.as_tensor(flat[pick.numpy()], dtype=torch.float64)  # (N, S)
    # jitter the starts (fixed-point-finder does too): states a trajectory never visits get explored
    s0 = s0 + float(noise) * torch.randn(s0.shape, generator=g, dtype=torch.float64)
    if progress is not None:
        progress(0.0, f"optimising {n_starts} starts under {label}")
    s, iters = _adam(fmap, s0, max_iters, lr, q_tol, deadline, progress)
    with torch.no_grad():
        q = _q(fmap, s)
    # starts that reached the same point need refining only once
    first = merge_unique(s.numpy(), q.numpy(), unique_tol)
    s = s[torch.as_tensor(first)]
    if progress is not None:
        progress(0.8, f"refining {len(s)} distinct points with Gauss-Newton steps")
    # the polish may overrun the budget by one step: give it a short grace period
    s, q = _polish(fmap, s, q_tol, newton_steps, max(deadline, time.perf_counter() + 0.1 * budget_s))
    s_np, q_np = s.numpy(), q.numpy()
    # drop runaways: further from the data's centre than 10x the states' mean distance to it
    centre = flat.mean(0)
    scale = np.linalg.norm(flat - centre, axis=1).mean() + 1e-12
    keep = np.isfinite(q_np) & (q_np < slow_tol) & (np.linalg.norm(s_np - centre, axis=1) < 10 * scale)
    idx = np.flatnonzero(keep)
    idx = idx[merge_unique(s_np[idx], q_np[idx], unique_tol)] if len(idx) else idx
    fixed = q_np[idx] < q_tol
    order = np.lexsort((q_np[idx], ~fixed))
    idx = idx[order]
    points, qs = s_np[idx], q_np[idx]
    S = fmap.size
    eig = np.zeros((len(idx), S), np.complex128)
    direction = np.zeros((len(idx), S))
    if len(idx):
        if progress is not None:
            progress(0.95, f"eigenvalues of dF/ds at {len(idx)} points")
        jac = fmap.jacobians(torch.as_tensor(points)).numpy()  # (K, S, S)
        for k, J in enumerate(jac):
            lam, vec = np.linalg.eig(J)
            o = np.argsort(-np.abs(lam), kind="stable")
            eig[k] = lam[o]
            v = np.real(vec[:, o[0]])
            direction[k] = v / (np.linalg.norm(v) + 1e-300)
    top = np.abs(eig[:, 0]) if len(idx) else np.zeros(0)
    seconds = time.perf_counter() - start
    if progress is not None:
        progress(1.0, f"{int(fixed.sum())} fixed and {int((~fixed).sum())} slow points in {seconds:.1f} s")
    return {"points": points, "q": qs, "fixed": fixed[order], "eigenvalues": eig, "top_abs": top,
            "stable": top < 1.0, "unstable_dir": direction, "x_label": label, "n_starts": n_starts,
            "iterations": int(iters), "seconds": seconds, "timed_out": time.perf_counter() > deadline,
            "hidden_size": fmap.H, "num_layers": fmap.L, "period": period, "parts": "h,c" if fmap.parts == 2 else "h",
            "q_tol": q_tol, "slow_tol": slow_tol}


def hidden_part(result: dict, layer: int = -1) -> np.ndarray:
    """(K, H) the h of one layer (default the top one) of each point in ``result["points"]``."""
    H, parts, L = result["hidden_size"], 2 if result["parts"] == "h,c" else 1, result["num_layers"]
    layer = layer % L
    base = layer * H * parts
    return result["points"][:, base:base + H]
