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

from engine.analysis.states import StepMap, batch_states, full_state, neutral_input

DEFAULTS = dict(n_starts=64, max_iters=1500, lr=0.02, q_tol=1e-12, slow_tol=1e-4, unique_tol=1e-3,
                newton_steps=12, budget_s=3.0, batch_examples=32, noise=0.1)


def _q(fmap: StepMap, s: torch.Tensor) -> torch.Tensor:
    return 0.5 * (fmap(s) - s).pow(2).sum(-1)  # (N,)


class Clock:
    """Compute time of a search that may be paused between slices (the pauses do not count)."""

    def __init__(self):
        self.start = time.perf_counter()
        self.paused = 0.0
        self._since = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.start - self.paused

    def pause(self) -> None:
        self._since = time.perf_counter()

    def resume(self) -> None:
        if self._since is not None:
            self.paused += time.perf_counter() - self._since
            self._since = None


def _yield(clock: Clock, fraction: float, text: str):
    """Yield progress; time spent outside the generator is not charged to the search."""
    clock.pause()
    yield min(max(fraction, 0.0), 1.0), text
    clock.resume()


def _adam(fmap, s, max_iters, lr, q_tol, clock, budget):
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
        if it % 25 == 0:
            done = max(it / max_iters, clock.elapsed() / budget)
            yield from _yield(clock, 0.8 * min(done, 1.0), f"optimising {len(s)} starts: step {it}, "
                                                          f"median q {float(q.detach().median()):.2e}")
            if clock.elapsed() > budget:
                break
    return s.detach(), it


def _polish(fmap, s, q_tol, steps, clock, budget, chunk: int = 16):
    """Damped Gauss-Newton on r(s) = F(s) - s; a row moves only when its q decreases, and rows
    already below ``q_tol`` are left alone (their Jacobians are not even computed). Rows are
    refined ``chunk`` at a time, with a progress yield (and a budget check) after each chunk."""
    eye = torch.eye(s.shape[1], dtype=s.dtype)
    mu = torch.full((len(s),), 1e-6, dtype=s.dtype)
    with torch.no_grad():
        q = _q(fmap, s)
    for k in range(steps):
        todo = torch.nonzero((q >= q_tol * 1e-6) & (mu < 1e6)).squeeze(1)
        if len(todo) == 0 or clock.elapsed() > budget:
            break
        for first in range(0, len(todo), chunk):
            rows = todo[first:first + chunk]
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
            yield from _yield(clock, 0.8 + 0.15 * (k + 1) / steps,
                              f"refining {len(todo)} points: Gauss-Newton step {k + 1}")
            if clock.elapsed() > budget:
                break
    return s, q


def merge_unique(points: np.ndarray, q: np.ndarray, tol: float) -> np.ndarray:
    """Indices of points kept after merging any two closer than ``tol`` (the lower q wins)."""
    kept: list[int] = []
    for i in np.argsort(q, kind="stable"):
        if all(np.linalg.norm(points[i] - points[k]) > tol for k in kept):
            kept.append(int(i))
    return np.array(kept, dtype=np.int64)


def fixed_points(model, x_const=None, n_starts: int = DEFAULTS["n_starts"], seed: int = 0, *,
                 progress=None, **options) -> dict:
    """Search the fixed and slow points of ``model`` under the constant input x* (see the module doc).

    ``x_const``: None (the task's "no new information" input), a token, ``ZERO_INPUT`` or a real
    vector. ``progress(fraction, text)`` is called now and then. ``options`` are those of
    ``search_fixed_points``. Returns its result dict.
    """
    search = search_fixed_points(model, x_const, n_starts, seed, **options)
    while True:
        try:
            fraction, text = next(search)
        except StopIteration as done:
            result = done.value
            break
        if progress is not None:
            progress(fraction, text)
    if progress is not None:
        progress(1.0, result["summary"])
    return result


def search_fixed_points(model, x_const=None, n_starts: int = DEFAULTS["n_starts"], seed: int = 0, *,
                        inputs: torch.Tensor | None = None, max_iters: int = DEFAULTS["max_iters"],
                        lr: float = DEFAULTS["lr"], q_tol: float = DEFAULTS["q_tol"],
                        slow_tol: float = DEFAULTS["slow_tol"], unique_tol: float = DEFAULTS["unique_tol"],
                        newton_steps: int = DEFAULTS["newton_steps"], budget_s: float = DEFAULTS["budget_s"],
                        noise: float = DEFAULTS["noise"], period: int = 1):
    """The search as a generator: it yields (fraction done, text) every few milliseconds of work and
    returns the result dict, so a caller can run it in slices between training steps.

    The model's weights are copied when the generator starts (training may go on between slices).
    ``inputs``: the examples whose states seed the search (default: a batch drawn with ``seed``);
    ``noise``: std of the Gaussian jitter added to the starts; ``budget_s``: compute-time limit of
    the whole search, pauses between slices not counted (the optimisation stops early and the
    result says ``timed_out``); ``period``: search the fixed points of F applied ``period`` times
    (a network may hold its memory in a cycle, flipping its state at every step of x*: then its
    memories are period-2 points). Bad arguments raise ValueError before the first yield.

    Result, one row per merged point, sorted fixed first then by q:
      points (K, S) float64 states s = [h_1; (c_1;) h_2; ...]; q (K,); fixed (K,) bool (q < q_tol)
      eigenvalues (K, S) complex, by decreasing |lambda|; top_abs (K,); stable (K,) all |lambda| < 1
      unstable_dir (K, S) unit real direction of the top eigenvector (where a saddle leaves)
      x_label, n_starts, iterations, seconds, timed_out, hidden_size, num_layers, parts ("h" or "h,c"),
      period, q_tol, slow_tol, summary (one line)
    """
    for name, v, lo, hi in (("n_starts", n_starts, 1, 4096), ("max_iters", max_iters, 0, 100_000),
                            ("period", period, 1, 8), ("newton_steps", newton_steps, 0, 200)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {v!r}")
    if isinstance(budget_s, bool) or not isinstance(budget_s, (int, float)) or not 0 < budget_s <= 600:
        raise ValueError(f"budget_s must be a number of seconds in (0, 600]; got {budget_s!r}")
    clock = Clock()
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
    return (yield from _search(fmap, flat, label, n_starts, g, clock, float(budget_s), max_iters, lr,
                               q_tol, slow_tol, unique_tol, newton_steps, noise))


def _search(fmap, flat, label, n_starts, g, clock, budget, max_iters, lr, q_tol, slow_tol, unique_tol,
            newton_steps, noise):
    pick = torch.randint(0, len(flat), (n_starts,), generator=g) if len(flat) < n_starts \
        else torch.randperm(len(flat), generator=g)[:n_starts]
    s0 = torch.as_tensor(flat[pick.numpy()], dtype=torch.float64)  # (N, S)
    # jitter the starts (fixed-point-finder does too): states a trajectory never visits get explored
    s0 = s0 + float(noise) * torch.randn(s0.shape, generator=g, dtype=torch.float64)
    yield from _yield(clock, 0.0, f"optimising {n_starts} starts under {label}")
    s, iters = yield from _adam(fmap, s0, max_iters, lr, q_tol, clock, budget)
    with torch.no_grad():
        q = _q(fmap, s)
    first = merge_unique(s.numpy(), q.numpy(), unique_tol)  # starts that met need refining only once
    s = s[torch.as_tensor(first)]
    yield from _yield(clock, 0.8, f"refining {len(s)} distinct points with Gauss-Newton steps")
    # the polish may overrun the budget by a little: give it a short grace period
    s, q = yield from _polish(fmap, s, q_tol, newton_steps, clock, max(budget, clock.elapsed() + 0.1 * budget))
    timed_out = clock.elapsed() > budget
    s_np, q_np = s.numpy(), q.numpy()
    # drop runaways: further from the data's centre than 10x the states' mean distance to it
    centre = flat.mean(0)
    scale = np.linalg.norm(flat - centre, axis=1).mean() + 1e-12
    keep = np.isfinite(q_np) & (q_np < slow_tol) & (np.linalg.norm(s_np - centre, axis=1) < 10 * scale)
    idx = np.flatnonzero(keep)
    idx = idx[merge_unique(s_np[idx], q_np[idx], unique_tol)] if len(idx) else idx
    fixed = q_np[idx] < q_tol
    order = np.lexsort((q_np[idx], ~fixed))
    idx, fixed = idx[order], fixed[order]
    points, qs = s_np[idx], q_np[idx]
    eig = np.zeros((len(idx), fmap.size), np.complex128)
    direction = np.zeros((len(idx), fmap.size))
    if len(idx):
        for k in range(len(idx)):
            if k % 8 == 0:
                yield from _yield(clock, 0.95, f"eigenvalues of dF/ds at {len(idx)} points")
                # torch, not numpy: numpy's OpenBLAS threads thrash on a busy machine (3 s vs 0.04 s)
                lams, vecs = (a.numpy() for a in torch.linalg.eig(fmap.jacobians(torch.as_tensor(points[k:k + 8]))))
            lam, vec = lams[k % 8], vecs[k % 8]
            o = np.argsort(-np.abs(lam), kind="stable")
            eig[k] = lam[o]
            v = np.real(vec[:, o[0]])
            direction[k] = v / (np.linalg.norm(v) + 1e-300)
    top = np.abs(eig[:, 0]) if len(idx) else np.zeros(0)
    seconds = clock.elapsed()
    stable = top < 1.0
    summary = (f"{int((fixed & stable).sum())} stable and {int((fixed & ~stable).sum())} unstable fixed points, "
               f"{int((~fixed).sum())} slow points ({label}; {seconds:.1f} s"
               + (", stopped at the time budget)" if timed_out else ")"))
    return {"points": points, "q": qs, "fixed": fixed, "eigenvalues": eig, "top_abs": top,
            "stable": stable, "unstable_dir": direction, "x_label": label, "n_starts": n_starts,
            "iterations": int(iters), "seconds": seconds, "timed_out": timed_out,
            "hidden_size": fmap.H, "num_layers": fmap.L, "period": fmap.period,
            "parts": "h,c" if fmap.parts == 2 else "h", "q_tol": q_tol, "slow_tol": slow_tol, "summary": summary}


def hidden_part(result: dict, layer: int = -1) -> np.ndarray:
    """(K, H) the h of one layer (default the top one) of each point in ``result["points"]``."""
    H, parts, L = result["hidden_size"], 2 if result["parts"] == "h,c" else 1, result["num_layers"]
    layer = layer % L
    base = layer * H * parts
    return result["points"][:, base:base + H]
