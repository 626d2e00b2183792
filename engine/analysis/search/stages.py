"""The stages of the fixed-point search (``engine.analysis.fixed_points``): starts, descent, polish.

Every stage is a generator that yields (fraction, text) now and then and checks ``stop()`` (the time
budget, or a cancel) so that the search can run in slices and stop at any of them.

starts   three kinds, so that states the data never visits are reached too:
         data     states s_t of real trajectories, jittered by ``noise``;
         iterate  data states run forward under x* for up to ``iterate_steps`` steps (what the
                  network does after its input ends: this is where an attractor far from the data
                  is found, e.g. a slowly leaking memory);
         spread   data states pushed 1.5-3x further from the data's centre, jittered.
descent  Adam on q(s) = 1/2 ||F(s) - s||^2; its step shrinks by 0.997 per iteration but never below
         ``LR_FLOOR`` of the start, so slow progress does not stall to zero.
polish   damped Gauss-Newton (Levenberg-Marquardt) on r(s) = F(s) - s for every candidate, lowest q
         first: near a fixed point it converges quadratically to machine precision.
"""
from __future__ import annotations

import time

import torch

LR_DECAY, LR_FLOOR = 0.997, 0.2  # Adam's rate: lr * max(LR_DECAY^it, LR_FLOOR)
ITERATE_STOPS = (64, 16, 4, 1)  # forward iterates are taken after iterate_steps // each of these steps
JACOBIAN_FLOATS = 1 << 22  # entries of stacked Jacobians held at once in the polish
CHUNK_SECONDS = 0.03  # rows refined between two progress reports (and budget checks)


def q_of(fmap, s: torch.Tensor) -> torch.Tensor:
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


def tick(clock: Clock, fraction: float, text: str):
    """Yield progress; time spent outside the generator is not charged to the search."""
    clock.pause()
    yield min(max(fraction, 0.0), 1.0), text
    clock.resume()


def split_starts(n: int) -> tuple[int, int, int]:
    """How many (data, iterate, spread) starts of ``n``: half from the data, a quarter of each other kind."""
    if n < 4:
        return n, 0, 0
    return n - 2 * (n // 4), n // 4, n // 4


def make_starts(fmap, flat: torch.Tensor, n_starts: int, g: torch.Generator, noise: float,
                iterate_steps: int, clock: Clock, stop, span=(0.0, 0.1)):
    """(starts (N, S), kinds list[str]) from data states ``flat`` (M, S) float64 (module doc)."""
    n_data, n_iter, n_spread = split_starts(n_starts)

    def pick(n):
        if len(flat) < n:
            return flat[torch.randint(0, len(flat), (n,), generator=g)]
        return flat[torch.randperm(len(flat), generator=g)[:n]]

    data = pick(n_data) + noise * torch.randn(n_data, flat.shape[1], generator=g, dtype=flat.dtype)
    centre = flat.mean(0)
    spread = pick(n_spread)
    factor = 1.5 + 1.5 * torch.rand(n_spread, 1, generator=g, dtype=flat.dtype)
    spread = centre + factor * (spread - centre) + noise * torch.randn(spread.shape, generator=g, dtype=flat.dtype)
    s = pick(n_iter)
    stops = [max(1, iterate_steps // k) for k in ITERATE_STOPS]  # 512: after 8, 32, 128 and 512 steps
    group = torch.arange(n_iter) % len(stops)  # which stop each iterate is taken at
    iterates = s.clone()
    with torch.no_grad():
        for step in range(1, (max(stops) if n_iter and iterate_steps else 0) + 1):
            s = fmap(s)
            for k, at in enumerate(stops):
                if at == step:
                    iterates[group == k] = s[group == k]
            if step % 32 == 0:
                yield from tick(clock, span[0] + (span[1] - span[0]) * step / max(stops),
                                f"running {n_iter} states forward under x*: step {step}")
                if stop():
                    break
    iterates = torch.where(torch.isfinite(iterates), iterates, torch.zeros_like(iterates))
    starts = torch.cat([data, iterates, spread])
    kinds = ["data"] * n_data + ["iterate"] * n_iter + ["spread"] * n_spread
    return starts, kinds


def descend(fmap, s, max_iters, lr, q_tol, clock, stop, span=(0.1, 0.65)):
    """Adam from every start at once (rows independent); returns (s, iterations run).

    Written out (Kingma & Ba 2015, beta 0.9 / 0.999, eps 1e-8) rather than torch.optim.Adam, whose
    first use in a process imports the compiler stack (seconds, charged to the budget).
    """
    s = s.clone()
    m, v = torch.zeros_like(s), torch.zeros_like(s)
    b1, b2, eps = 0.9, 0.999, 1e-8
    it = 0
    for it in range(1, max_iters + 1):  # noqa: B007 - the count is returned
        x = s.requires_grad_(True)
        with torch.enable_grad():
            q = q_of(fmap, x)
            (grad,) = torch.autograd.grad(q.sum(), x)  # each row gets the gradient of its own q
        s = x.detach()
        if float(q.detach().max()) < q_tol:
            break
        grad = torch.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0)
        m.mul_(b1).add_(grad, alpha=1 - b1)
        v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        rate = lr * max(LR_DECAY ** (it - 1), LR_FLOOR)
        s = s - rate * (m / (1 - b1 ** it)) / ((v / (1 - b2 ** it)).sqrt() + eps)
        if it % 25 == 0:
            yield from tick(clock, span[0] + (span[1] - span[0]) * it / max_iters,
                            f"optimising {len(s)} starts: step {it}, median q {float(q.detach().median()):.2e}")
            if stop():
                break
    return s.detach(), it


def polish(fmap, s, q_tol, steps, clock, stop, span=(0.65, 0.85)):
    """Levenberg-Marquardt on r(s) = F(s) - s, rows of lowest q first, a chunk at a time.

    A row moves only when its q decreases; rows below ``q_tol * 1e-6`` are done. Returns (s, q).
    """
    S = s.shape[1]
    most = max(1, min(32, JACOBIAN_FLOATS // (S * S)))
    chunk, per_row = 1, None  # the first chunk is one row: it measures the cost of a row
    eye = torch.eye(S, dtype=s.dtype)
    s = s.clone()
    mu = torch.full((len(s),), 1e-6, dtype=s.dtype)
    with torch.no_grad():
        q = q_of(fmap, s)
    for k in range(steps):
        todo = torch.nonzero((q >= q_tol * 1e-6) & (mu < 1e6) & torch.isfinite(q)).squeeze(1)
        todo = todo[torch.argsort(q[todo])]
        if len(todo) == 0 or stop():
            break
        first = 0
        while first < len(todo):
            rows = todo[first:first + chunk]
            first += len(rows)
            started = time.perf_counter()
            sub, m = s[rows], mu[rows]
            A = fmap.jacobians(sub) - eye  # (n, S, S)
            with torch.no_grad():
                r = fmap(sub) - sub  # (n, S)
                At = A.transpose(1, 2)
                step = -torch.linalg.solve(At @ A + m[:, None, None] * eye, At @ r.unsqueeze(-1)).squeeze(-1)
                cand = sub + step
                q_new = q_of(fmap, cand)
                better = torch.isfinite(q_new) & (q_new < q[rows])
                s[rows] = torch.where(better[:, None], cand, sub)
                q[rows] = torch.where(better, q_new, q[rows])
                mu[rows] = torch.where(better, m * 0.1, m * 10).clamp(1e-12, 1e7)
            per_row = (time.perf_counter() - started) / len(rows)
            chunk = int(min(most, max(1, CHUNK_SECONDS / per_row)))  # chunks of about CHUNK_SECONDS
            yield from tick(clock, span[0] + (span[1] - span[0]) * (k + first / len(todo)) / steps,
                            f"refining {len(todo)} points: Gauss-Newton step {k + 1}")
            if stop():
                return s, q
    return s, q
