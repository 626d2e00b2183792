"""Fixed and slow points of the recurrence (Sussillo & Barak 2013; mattgolub/fixed-point-finder).

With the input held at a constant x* ("no new information", ``states.neutral_input``), a trained
network's state s moves by F(s, x*) - s each step. The search minimises

    q(s) = 1/2 ||F(s, x*) - s||^2

from ``n_starts`` states (``search.stages``): states of real trajectories, the same states run
forward under x* (where an attractor far from the data is found) and states spread beyond the data;
first with Adam (a rate that never decays below a fifth of the start), then every candidate with
damped Gauss-Newton (Levenberg-Marquardt) steps that take points near a fixed point to machine
precision. Points with q < ``q_tol`` are fixed points; points with q < ``slow_tol`` are slow points
(the state barely moves: a line attractor is a line of them). Duplicates closer than ``unique_tol``
are merged (the lower q is kept). At every point the step Jacobian dF/ds is eigendecomposed
(``search.eigen``: all eigenvalues, or the largest 16 for states over 512 numbers): all |lambda| < 1 is a
stable point (an attractor), otherwise a saddle whose unstable direction is the top eigenvector.
When nothing passes, the result still says the best q reached and where.

The budget covers the whole search: the reference states, the starts, the descent, the polish and
the eigenvalues (each stage gets a share; a stage that ends early leaves its time to the next).
"""
from __future__ import annotations

import numpy as np
import torch

from engine.analysis.search.eigen import eigen
from engine.analysis.search.stages import Clock, descend, make_starts, polish, q_of, tick
from engine.analysis.states import StepMap, batch_states, full_state, neutral_input

DEFAULTS = dict(n_starts=64, max_iters=1500, lr=0.02, q_tol=1e-12, slow_tol=1e-4, unique_tol=1e-3,
                newton_steps=30, budget_s=3.0, batch_examples=32, noise=0.1, iterate_steps=512)
# share of the budget each stage may use up to (cumulative): states+starts, descent, polish, eigenvalues
STAGE_ENDS = {"starts": 0.2, "descent": 0.55, "polish": 0.8, "eigen": 1.0}
__all__ = ["DEFAULTS", "Clock", "fixed_points", "search_fixed_points", "merge_unique", "hidden_part"]


def merge_unique(points: np.ndarray, q: np.ndarray, tol: float) -> np.ndarray:
    """Indices of points kept after merging any two closer than ``tol`` (the lower q wins)."""
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(q, kind="stable")
    pts = torch.as_tensor(np.asarray(points, dtype=np.float64)[order])
    close = (torch.cdist(pts, pts) <= tol).numpy()  # (K, K)
    kept: list[int] = []
    for i in range(len(order)):
        if not kept or not close[i, kept].any():
            kept.append(i)
    return order[np.array(kept, dtype=np.int64)]


def fixed_points(model, x_const=None, n_starts: int = DEFAULTS["n_starts"], seed: int = 0, *,
                 progress=None, **options) -> dict:
    """Search the fixed and slow points of ``model`` under the constant input x* (see the module doc).

    ``x_const``: None (the task's "no new information" input), a token, ``ZERO_INPUT`` or a real
    vector. ``progress(fraction, text)`` is called now and then. ``options`` are those of
    ``search_fixed_points`` (``cancel``: a function returning True to stop early). Returns its result dict.
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


def _check(n_starts, max_iters, period, newton_steps, iterate_steps, budget_s, q_tol, slow_tol, unique_tol):
    for name, v, lo, hi in (("n_starts", n_starts, 1, 4096), ("max_iters", max_iters, 0, 100_000),
                            ("period", period, 1, 8), ("newton_steps", newton_steps, 0, 200),
                            ("iterate_steps", iterate_steps, 0, 100_000)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {v!r}")
    if isinstance(budget_s, bool) or not isinstance(budget_s, (int, float)) or not 0 < budget_s <= 600:
        raise ValueError(f"budget_s must be a number of seconds in (0, 600]; got {budget_s!r}")
    for name, v in (("q_tol", q_tol), ("slow_tol", slow_tol), ("unique_tol", unique_tol)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1e3:
            raise ValueError(f"{name} must be a number from 0 to 1000; got {v!r}")
    if slow_tol < q_tol:
        raise ValueError(f"slow_tol ({slow_tol:g}) must be at least q_tol ({q_tol:g})")


def search_fixed_points(model, x_const=None, n_starts: int = DEFAULTS["n_starts"], seed: int = 0, *,
                        inputs: torch.Tensor | None = None, max_iters: int = DEFAULTS["max_iters"],
                        lr: float = DEFAULTS["lr"], q_tol: float = DEFAULTS["q_tol"],
                        slow_tol: float = DEFAULTS["slow_tol"], unique_tol: float = DEFAULTS["unique_tol"],
                        newton_steps: int = DEFAULTS["newton_steps"], budget_s: float = DEFAULTS["budget_s"],
                        noise: float = DEFAULTS["noise"], period: int = 1,
                        iterate_steps: int = DEFAULTS["iterate_steps"], cancel=None):
    """The search as a generator: it yields (fraction done, text) every few milliseconds of work and
    returns the result dict, so a caller can run it in slices between training steps.

    The model's weights are copied when the generator starts (training may go on between slices).
    ``inputs``: the examples whose states seed the search (default: a batch drawn with ``seed``);
    ``noise``: std of the Gaussian jitter added to the starts; ``iterate_steps``: how far the
    iterate starts run forward under x*; ``budget_s``: compute-time limit of the whole search, pauses
    between slices not counted (each stage stops at its share and the result says ``timed_out``);
    ``cancel``: None or a function returning True to stop now (the result says ``cancelled`` and
    holds nothing); ``period``: search the fixed points of F applied ``period`` times (a network may
    hold its memory in a cycle, flipping its state at every step of x*: then its memories are period-2
    points). Bad arguments raise ValueError before the first yield.

    Result, one row per merged point, sorted fixed first then by q:
      points (K, S) float64 states s = [h_1; (c_1;) h_2; ...]; q (K,); fixed (K,) bool (q < q_tol)
      eigenvalues (K, S) complex, by decreasing |lambda| (NaN where not computed: over 512 numbers
      only the top 16; points past the budget none); top_abs (K,) (NaN: not computed); stable (K,)
      all |lambda| < 1; unstable_dir (K, S) unit real direction of the top eigenvector
      start_kind (K,) str, which kind of start reached it ("data", "iterate", "spread")
      best_q, best_point (S,), best_distance: the lowest q reached by any start (whether it passed
      or not), where, and its distance from the data's centre in units of the data's mean distance
      x_label, n_starts, starts ({kind: count}), iterations, seconds, timed_out, cancelled,
      eig_method, eig_missing (points without eigenvalues), hidden_size, num_layers, parts ("h" or
      "h,c"), period, q_tol, slow_tol, unique_tol, budget_s, summary (one line)
    """
    _check(n_starts, max_iters, period, newton_steps, iterate_steps, budget_s, q_tol, slow_tol, unique_tol)
    clock = Clock()
    budget = float(budget_s)
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
    stopped = {"cancel": False, "time": False}

    def stop_at(stage):
        def stop():
            if cancel is not None and cancel():
                stopped["cancel"] = True
            late = clock.elapsed() > STAGE_ENDS[stage] * budget
            stopped["time"] = stopped["time"] or late  # a stage was cut short
            return stopped["cancel"] or late
        return stop

    flat = torch.as_tensor(flat, dtype=torch.float64)
    yield from tick(clock, 0.0, f"choosing {n_starts} starts under {label}")
    starts, kinds = yield from make_starts(fmap, flat, n_starts, g, float(noise), int(iterate_steps), clock,
                                           stop_at("starts"))
    if not stopped["cancel"]:
        yield from tick(clock, 0.1, f"optimising {n_starts} starts under {label}")
        s, iters = yield from descend(fmap, starts, max_iters, lr, q_tol, clock, stop_at("descent"))
    if stopped["cancel"]:
        return _cancelled(fmap, label, n_starts, clock)
    # candidates: where the descent ended, and the iterates themselves (already near an attractor)
    is_iter = torch.tensor([k == "iterate" for k in kinds])
    cand = torch.cat([s, starts[is_iter]])
    cand_kind = np.array(kinds + ["iterate"] * int(is_iter.sum()))
    with torch.no_grad():
        q = q_of(fmap, cand)
    q_np = np.where(np.isfinite(q.numpy()), q.numpy(), np.inf)
    first = merge_unique(cand.numpy(), q_np, unique_tol)  # starts that met need refining only once
    cand, cand_kind = cand[torch.as_tensor(first)], cand_kind[first]
    yield from tick(clock, 0.65, f"refining {len(cand)} distinct points with Gauss-Newton steps")
    cand, q = yield from polish(fmap, cand, q_tol, newton_steps, clock, stop_at("polish"))
    if stopped["cancel"]:
        return _cancelled(fmap, label, n_starts, clock)
    return (yield from _finish(fmap, flat, cand.numpy(), q.numpy(), cand_kind, label, clock, budget,
                               stop_at("eigen"), stopped, dict(n_starts=n_starts, iterations=int(iters),
                                                                q_tol=q_tol, slow_tol=slow_tol,
                                                                unique_tol=unique_tol, kinds=kinds)))


def _finish(fmap, flat, s_np, q_np, kinds, label, clock, budget, stop, stopped, info):
    """Classify, merge and eigendecompose the polished candidates; the result dict."""
    centre = flat.mean(0).numpy()
    data_scale = float(np.linalg.norm(flat.numpy() - centre, axis=1).mean()) + 1e-12
    far = np.linalg.norm(s_np - centre, axis=1)
    finite = np.isfinite(q_np) & np.isfinite(s_np).all(1)
    best = int(np.argmin(np.where(finite, q_np, np.inf))) if finite.any() else None
    # drop runaways: further from the data's centre than 10x the mean distance of the starts from it
    reach = 10 * max(data_scale, float(np.mean(far[finite]))) if finite.any() else 0.0
    keep = finite & (q_np < info["slow_tol"]) & (far < reach)
    idx = np.flatnonzero(keep)
    idx = idx[merge_unique(s_np[idx], q_np[idx], info["unique_tol"])] if len(idx) else idx
    fixed = q_np[idx] < info["q_tol"]
    order = np.lexsort((q_np[idx], ~fixed))
    idx, fixed = idx[order], fixed[order]
    points, qs = s_np[idx], q_np[idx]
    K, S = len(idx), fmap.size
    eig = np.full((K, S), np.nan + 0j)
    direction = np.zeros((K, S))
    method, done = "all", 0
    for k in range(K):
        if stop():
            break
        yield from tick(clock, 0.85 + 0.15 * k / K, f"eigenvalues of dF/ds at point {k + 1} of {K}")
        lam, vec, method = eigen(fmap.jacobians(torch.as_tensor(points[k:k + 1]))[0])
        eig[k] = lam
        v = np.real(vec)
        direction[k] = v / (np.linalg.norm(v) + 1e-300)
        done += 1
    top = np.abs(eig[:, 0]) if K else np.zeros(0)
    stable = top < 1.0  # NaN (not computed) is neither stable nor counted as a saddle below
    seconds = clock.elapsed()
    timed_out = stopped["time"]
    counts = {kind: info["kinds"].count(kind) for kind in ("data", "iterate", "spread")}
    result = {"points": points, "q": qs, "fixed": fixed, "eigenvalues": eig, "top_abs": top,
              "stable": stable, "unstable_dir": direction, "start_kind": kinds[idx], "x_label": label,
              "n_starts": info["n_starts"], "starts": counts, "iterations": info["iterations"],
              "seconds": seconds, "timed_out": timed_out, "cancelled": stopped["cancel"],
              "eig_method": method, "eig_missing": K - done, "hidden_size": fmap.H, "num_layers": fmap.L,
              "period": fmap.period, "parts": "h,c" if fmap.parts == 2 else "h", "q_tol": info["q_tol"],
              "slow_tol": info["slow_tol"], "unique_tol": info["unique_tol"], "budget_s": budget,
              "best_q": float(q_np[best]) if best is not None else float("nan"),
              "best_point": s_np[best] if best is not None else np.full(S, np.nan),
              "best_distance": float(far[best] / data_scale) if best is not None else float("nan")}
    result["summary"] = summarize(result)
    return result


def summarize(r: dict) -> str:
    """One line: what was found (or the best q reached), under which x*, in how long."""
    fixed, known = r["fixed"], np.isfinite(r["top_abs"])
    stable = fixed & known & r["stable"]
    saddle = fixed & known & ~r["stable"]
    tail = f"{r['x_label']}; {r['seconds']:.1f} s" + (
        f", a stage stopped at its share of the {r['budget_s']:g} s budget" if r["timed_out"] else "")
    if len(r["q"]) == 0:
        where = (f"{r['best_distance']:.1f}x the data's mean distance from its centre"
                 if np.isfinite(r["best_distance"]) else "nowhere finite")
        return (f"no fixed or slow point: the lowest q reached was {r['best_q']:.2g} (slow points need "
                f"q < {r['slow_tol']:.2g}), {where} ({tail})")
    text = (f"{int(stable.sum())} stable and {int(saddle.sum())} unstable fixed points, "
            f"{int((~fixed).sum())} slow points ({tail})")
    if r["eig_missing"]:
        text += f"; stability of {r['eig_missing']} points not computed within the budget"
    return text


def _cancelled(fmap, label, n_starts, clock) -> dict:
    S = fmap.size
    empty = np.zeros((0, S))
    return {"points": empty, "q": np.zeros(0), "fixed": np.zeros(0, bool), "eigenvalues": empty.astype(complex),
            "top_abs": np.zeros(0), "stable": np.zeros(0, bool), "unstable_dir": empty,
            "start_kind": np.zeros(0, dtype=str), "x_label": label, "n_starts": n_starts, "starts": {},
            "iterations": 0, "seconds": clock.elapsed(), "timed_out": False, "cancelled": True,
            "eig_method": "all", "eig_missing": 0, "hidden_size": fmap.H, "num_layers": fmap.L,
            "period": fmap.period, "parts": "h,c" if fmap.parts == 2 else "h", "q_tol": float("nan"),
            "slow_tol": float("nan"), "unique_tol": float("nan"), "budget_s": float("nan"),
            "best_q": float("nan"), "best_point": np.full(S, np.nan), "best_distance": float("nan"),
            "summary": f"search cancelled after {clock.elapsed():.1f} s ({label})"}


def hidden_part(result: dict, layer: int = -1) -> np.ndarray:
    """(K, H) the h of one layer (default the top one) of each point in ``result["points"]``."""
    H, parts, L = result["hidden_size"], 2 if result["parts"] == "h,c" else 1, result["num_layers"]
    layer = layer % L
    base = layer * H * parts
    return result["points"][:, base:base + H]
