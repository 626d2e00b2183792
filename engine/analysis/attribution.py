"""Input attribution: which input positions made the network give this output.

Two methods on the model's input to the recurrent encoder (the embedded tokens, or the raw
values for real-valued tasks, whose ``embed`` is a Linear layer inside the differentiated map):
  gradient_x_input      s_t = sum_e  x_te * d f / d x_te
  integrated_gradients  s_t = sum_e (x_te - x'_te) * int_0^1 d f / d x_te (x' + a (x - x')) da
(Sundararajan, Taly & Yan 2017, arXiv 1703.01365). The integral uses Gauss-Legendre quadrature with
``steps`` nodes, all interpolated inputs run as one batch through the fused encoder: one forward and
one backward for every step. Completeness: sum_t s_t = f(x) - f(x') for integrated gradients; the
relative gap is reported (gradient x input has no such guarantee; its gap is reported too). A trained
network can switch sharply along the path (a parity GRU's logit can jump by 6 within 1/2000 of it, where
1,024 evenly spread nodes still missed by 79,000%), so when the gap exceeds 1% the path is cut in two
where the integral misses its own segment's f(b) - f(a) most, again and again, each piece with its own
Gauss-Legendre nodes, until the gap is within 1% or ``MAX_STEPS`` gradients were taken; the gradients
used are reported as the steps.

The explained scalar f is the logit (pre-softmax score) of the predicted class for final and
attention heads, the logit of the predicted class at ``position`` for per-step heads, and the
output value itself for regression.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.network.model import SequenceModel

METHODS = ("gradient_x_input", "integrated_gradients")
TOLERANCE = 0.01  # completeness error above which integrated gradients refine the path
MAX_STEPS = 4096  # most gradients taken along the path: 64x the default 64
PIECE_STEPS = 16  # Gauss-Legendre nodes on each piece of a path that is cut
ALPHA_CELLS = 2_000_000  # interpolants x T x hidden units per batch (the training size cap)
METHOD_TITLES = {"gradient_x_input": "gradient x input", "integrated_gradients": "integrated gradients"}
DEFAULT_BASELINE = "task default"  # the choice "the task's neutral token where it declares one, else zero"


def resolve_baseline(task, choice=DEFAULT_BASELINE) -> tuple[str | None, str]:
    """(the ``baseline`` argument of ``attribution``: None for zero or a token, where it comes from in words).

    ``choice``: ``DEFAULT_BASELINE`` (or None): the task's ``neutral_token`` if it declares one, else zero,
    and the words say which; "zero"; or a token of the vocabulary (the user's choice).
    """
    if choice in (None, DEFAULT_BASELINE):
        token = getattr(task, "neutral_token", None)
        if task.input_kind == "tokens" and token is not None and token in task.vocab:
            note = f": {task.neutral_note}" if getattr(task, "neutral_note", "") else ""
            return token, f"the task's neutral token{note}; the default"
        return None, f"the default: {task.title} declares no neutral token"
    return (None if choice == "zero" else choice), "chosen"


@dataclass(frozen=True)
class Attribution:
    method: str  # one of METHODS
    scores: np.ndarray  # (T,) float64 signed contribution of each input position
    tokens: tuple[str, ...]  # display label of each input position
    explained: str  # what f is, in words: "logit of 'pos'", "output value"
    position: int | None  # the output position explained (per-step heads), else None
    class_index: int | None  # the class whose logit is f, None for regression
    output: float  # f(x)
    baseline_output: float  # f(x')
    baseline: str  # the baseline x', in words
    steps: int  # quadrature nodes used (1 for gradient x input)
    completeness_gap: float  # sum(scores) - (f(x) - f(x'))
    completeness_error: float  # |gap| / max(|f(x) - f(x')|, 1e-12)

    @property
    def total(self) -> float:
        return float(self.scores.sum())


def _inputs_and_encoder(model: SequenceModel, inputs: torch.Tensor):
    """(x (T, E') the attributed input, fn mapping (S, T, E') to the model's head outputs)."""
    if model.task.input_kind == "tokens":
        x = model.embed(inputs)[0].detach()  # (T, E) embedded tokens

        def run(xs):  # xs (S, T, E)
            return _encode(model, xs)
    else:
        x = inputs[0].detach().to(torch.float32)  # (T, F) raw values

        def run(xs):  # xs (S, T, F)
            return _encode(model, model.embed(xs))
    return x, run


def _encode(model: SequenceModel, xs: torch.Tensor) -> torch.Tensor:
    """Head outputs for embedded inputs xs (S, T, E), from the model's own initial state (held fixed)."""
    h, c = model.initial_state(xs.shape[0])  # (L*D, S, H) or None for zeros
    out, _ = model.encoder(xs, h if c is None else (h, c))  # (S, T, D*H)
    return model.head_forward(out).outputs


def _baseline(model: SequenceModel, x: torch.Tensor, baseline) -> tuple[torch.Tensor, str]:
    """x' (T, E') and its description. None/"zero": zeros; a vocabulary symbol: that token everywhere."""
    task = model.task
    if baseline is None or (isinstance(baseline, str) and baseline == "zero"):
        text = "zero embedding at every position" if task.input_kind == "tokens" \
            else "zero vector (all inputs 0) at every position"
        return torch.zeros_like(x), text
    if task.input_kind != "tokens":
        raise ValueError(f"{task.title} has real-valued inputs; its baseline is the zero vector")
    if not isinstance(baseline, str) or baseline not in task.vocab:
        raise ValueError(f"baseline must be 'zero' or a symbol of the vocabulary; got {baseline!r}")
    idx = torch.full((1, x.shape[0]), task.vocab.index(baseline), dtype=torch.long)
    return model.embed(idx)[0].detach(), f"the token {baseline!r} at every position"


def _scalar_fn(model: SequenceModel, outputs_x: torch.Tensor, position: int | None, T: int):
    """(pick: outputs (S, ...) -> (S,) f, position, class index, description)."""
    kind = model.output_kind
    if kind == "regression":
        return (lambda o: o), None, None, "output value"
    classes = model.task.classes
    if kind in ("per_step", "per_step_regression"):
        if position is None:
            position = T - 1
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < T:
            raise ValueError(f"position must be a whole number from 0 to {T - 1}; got {position!r}")
        if kind == "per_step_regression":  # the output channel furthest from 0 at that step
            c = int(outputs_x[0, position].abs().argmax())
            return (lambda o: o[:, position, c]), position, c, f"output {c + 1} at t = {position + 1}"
        c = int(outputs_x[0, position].argmax())
        return (lambda o: o[:, position, c]), position, c, f"logit of {classes[c]!r} at t = {position + 1}"
    c = int(outputs_x[0].argmax())
    return (lambda o: o[:, c]), None, c, f"logit of {classes[c]!r}"


def gauss_legendre(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in (0, 1) and weights summing to 1 for int_0^1 g(a) da."""
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    return (nodes + 1.0) / 2.0, weights / 2.0


def attribution(model: SequenceModel, inputs: torch.Tensor, targets: torch.Tensor | None = None,
                method: str = "integrated_gradients", steps: int = 64, baseline=None,
                position: int | None = None, tolerance: float | None = TOLERANCE) -> Attribution:
    """Attribute one example's output to its input positions (shapes as ``task.sample_batch(1, g)``).

    ``targets`` is accepted for symmetry with ``probe`` and not used: the explained output is the
    model's own prediction (the attribution answers "why this output", not "why not the right one").
    ``baseline``: None or "zero" (zero embedding / zero vector), or a vocabulary symbol (that token at
    every position). ``position``: the output step explained for per-step heads (default the last).
    ``tolerance``: integrated gradients whose completeness error exceeds it cut the path where it is
    sharpest (``_refined``), up to ``MAX_STEPS`` gradients (a trained network can switch sharply along
    the path); None: never.
    """
    del targets
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}; got {steps!r}")
    task = model.task
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            x, run = _inputs_and_encoder(model, inputs)
            T = x.shape[0]
            x_base, base_text = _baseline(model, x, baseline)
            with torch.no_grad():
                ends = run(torch.stack([x, x_base]))  # (2, ...) f at x and at x'
            pick, position, c, explained = _scalar_fn(model, ends[:1], position, T)
            f_x, f_base = (float(v) for v in pick(ends))
            delta = f_x - f_base
            if method == "gradient_x_input":
                xs = x.unsqueeze(0).clone().requires_grad_(True)  # (1, T, E')
                (grad,) = torch.autograd.grad(pick(run(xs)).sum(), xs)
                scores = _per_position(x * grad[0])
                steps = 1
            else:
                chunk = max(1, ALPHA_CELLS // (T * _cells_per_step(model)))
                attr, steps = _refined(x, x_base, run, pick, steps, chunk, (f_base, f_x), tolerance)
                scores = _per_position(attr)
    finally:
        model.train(was_training)
    gap = float(scores.sum()) - delta
    return Attribution(
        method=method, scores=scores, tokens=tuple(task.render_inputs(inputs[0])), explained=explained,
        position=position, class_index=c, output=f_x, baseline_output=f_base, baseline=base_text,
        steps=steps, completeness_gap=gap, completeness_error=abs(gap) / max(abs(delta), 1e-12))


def _cells_per_step(model: SequenceModel) -> int:
    cfg = model.config
    return cfg.hidden_size * cfg.num_directions * cfg.num_layers


def _per_position(per_feature: torch.Tensor) -> np.ndarray:
    scores = per_feature.detach().to(torch.float64).sum(-1).numpy()  # (T,)
    scores.setflags(write=False)
    return scores


def _integrated(x, x_base, run, pick, steps: int, chunk: int, lo: float = 0.0, hi: float = 1.0) -> torch.Tensor:
    """(x - x') * int_lo^hi grad f(x' + a (x - x')) da, (T, E'); ``chunk`` interpolants a batch."""
    alphas, weights = gauss_legendre(steps)
    alphas, weights = lo + (hi - lo) * alphas, (hi - lo) * weights
    total = torch.zeros_like(x)
    for lo in range(0, steps, chunk):
        a = torch.as_tensor(alphas[lo:lo + chunk], dtype=x.dtype).view(-1, 1, 1)  # (S, 1, 1)
        xs = (x_base + a * (x - x_base)).requires_grad_(True)  # (S, T, E')
        (grad,) = torch.autograd.grad(pick(run(xs)).sum(), xs)  # (S, T, E')
        w = torch.as_tensor(weights[lo:lo + chunk], dtype=grad.dtype).view(-1, 1, 1)
        total += (w * grad).sum(0)
    return (x - x_base) * total


def _refined(x, x_base, run, pick, steps: int, chunk: int, ends: tuple[float, float], tolerance) -> tuple:
    """(attributions (T, E'), gradients taken): ``steps`` nodes over the whole path; when their sum misses
    f(x) - f(x') by more than ``tolerance`` (relative), adaptive quadrature: every piece of the path is
    integrated whole and as two halves (PIECE_STEPS nodes each), and the piece whose two estimates differ
    most at any position, or whose halves miss its own f(b) - f(a) most, is cut in two, until the sum is
    within ``tolerance`` of f(x) - f(x') and the estimates agree within ``tolerance`` of the bars' size,
    or MAX_STEPS gradients were taken."""
    def f(a: float) -> float:
        with torch.no_grad():
            return float(pick(run((x_base + a * (x - x_base)).unsqueeze(0)))[0])

    def piece(a: float, b: float, whole: torch.Tensor, fa: float, fb: float) -> dict:
        m = (a + b) / 2
        left = _integrated(x, x_base, run, pick, PIECE_STEPS, chunk, a, m)
        right = _integrated(x, x_base, run, pick, PIECE_STEPS, chunk, m, b)
        fine = left + right
        err = max(float((whole - fine).sum(-1).abs().sum()), abs(float(fine.sum()) - (fb - fa)))
        return {"a": a, "b": b, "m": m, "fm": f(m), "fa": fa, "fb": fb, "fine": fine, "left": left,
                "right": right, "err": err}

    delta = ends[1] - ends[0]
    whole = _integrated(x, x_base, run, pick, steps, chunk)
    if tolerance is None or abs(float(whole.sum()) - delta) <= tolerance * max(abs(delta), 1e-12):
        return whole, steps
    pieces, used = [piece(0.0, 1.0, whole, *ends)], steps + 2 * PIECE_STEPS
    while True:
        total = sum(p["fine"] for p in pieces)
        size = max(abs(delta), float(total.sum(-1).abs().sum()), 1e-12)
        if (abs(float(total.sum()) - delta) <= tolerance * max(abs(delta), 1e-12)
                and sum(p["err"] for p in pieces) <= tolerance * size) or used + 4 * PIECE_STEPS > MAX_STEPS:
            return total, used
        k = max(range(len(pieces)), key=lambda i: pieces[i]["err"])
        p = pieces[k]
        pieces[k:k + 1] = [piece(p["a"], p["m"], p["left"], p["fa"], p["fm"]),
                           piece(p["m"], p["b"], p["right"], p["fm"], p["fb"])]
        used += 4 * PIECE_STEPS


def spearman(a, b) -> float:
    """Spearman rank correlation of two 1-D arrays (average ranks for ties); nan if either is constant."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError("spearman needs two 1-D arrays of the same length >= 2")
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = float(np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def _ranks(v: np.ndarray) -> np.ndarray:
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(len(v), dtype=np.float64)
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]  # ties share their mean rank
