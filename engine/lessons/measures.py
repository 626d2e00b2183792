"""The numbers a lesson step measures on a LabSession (the names of ``engine.lessons.catalog``).

``measure(session, names)`` is what both the headless ``--verify`` runner and the window (through
``LabSession.request_lesson_measures``) call, so a reveal shows the numbers its check was made on.
Every measure that samples data uses its own seeded generator: measuring never moves the session's
training or evaluation streams.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from engine.lessons.catalog import MEASURES

EVAL_BATCHES = 8
EVAL_SEED = 4242  # the fresh batches measures are taken on (not the trainer's streams)


def _fresh_batches(session, n: int = EVAL_BATCHES):
    g = torch.Generator().manual_seed(EVAL_SEED)
    return [session.task.sample_batch(session.config.train.batch_size, g) for _ in range(n)]


def _eval(session, cache) -> dict:
    if "eval" not in cache:
        model, task = session.model, session.task
        was = model.training
        model.eval()
        losses, metrics = [], []
        try:
            with torch.no_grad():
                for inputs, targets in _fresh_batches(session):
                    outputs = model(inputs)
                    losses.append(float(task.loss(outputs, targets)))
                    metrics.append(task.metric(outputs, targets))
        finally:
            model.train(was)
        cache["eval"] = {"loss": float(np.mean(losses)), "metric": float(np.mean(metrics))}
    return cache["eval"]


def _trace(session, cache):
    if "trace" not in cache:
        cache["trace"] = session.probe()
    return cache["trace"]


def _history(session) -> dict:
    return session.trainer.history.arrays()


def _grad(session, cache, which: str) -> float:
    g = _trace(session, cache).grad_norm[0, 0]  # (T,) first layer, left-to-right direction
    first, mid, last = float(g[0]), float(g[(len(g) - 1) // 2]), float(g[-1])
    ratio = (lambda a: a / last if last > 0 else math.nan)
    return {"first": first, "mid": mid, "last": last, "ratio": ratio(first), "mid_ratio": ratio(mid),
            "zeros": float(np.sum(g == 0))}[which]


def _tagging_accuracy(session, cache, ambiguous: bool) -> float:
    if "tagging" not in cache:
        from engine.tasks.tagging import AMBIGUOUS

        task, model = session.task, session.model
        amb = torch.tensor([task.vocab.index(w) for w in AMBIGUOUS])
        right = {True: [0, 0], False: [0, 0]}
        was = model.training
        model.eval()
        try:
            with torch.no_grad():
                for inputs, targets in _fresh_batches(session):
                    pred = model(inputs).argmax(-1)  # (B, T)
                    is_amb = torch.isin(inputs, amb)
                    for flag, mask in ((True, is_amb), (False, ~is_amb)):
                        right[flag][0] += int((pred[mask] == targets[mask]).sum())
                        right[flag][1] += int(mask.sum())
        finally:
            model.train(was)
        cache["tagging"] = {k: (r / n if n else math.nan) for k, (r, n) in right.items()}
    return cache["tagging"][ambiguous]


def _attention(session, cache, uniform: bool) -> float:
    if "attention" not in cache:
        task, model = session.task, session.model
        inputs, _ = task.sample_batch(256, torch.Generator().manual_seed(EVAL_SEED))
        with torch.no_grad():
            att = model.run(inputs).attention  # (B, T)
        even = torch.full_like(att, 1.0 / att.shape[1])
        cache["attention"] = {False: task.attention_mass(att, inputs), True: task.attention_mass(even, inputs)}
    return float(cache["attention"][uniform])


def _gate_mean(session, cache, gate: str) -> float:
    return float(np.mean(_trace(session, cache).gates[gate][0]))


def _pytorch(session, cache) -> dict:
    if "pytorch" not in cache:
        from engine.network.pytorch_example import pytorch_example

        cache["pytorch"] = pytorch_example(session.model, 0)
    return cache["pytorch"]


def _shape(a) -> str:
    return "(" + ", ".join(str(n) for n in np.shape(a)) + ")"


def _spectral_radius(session) -> float:
    w = session.model.encoder.weight_hh_l0.detach().double()
    if session.config.model.cell != "rnn_tanh" and session.config.model.cell != "rnn_relu":
        H = session.config.model.hidden_size
        w = w[-H:]  # the candidate's block (LSTM g, GRU n): what multiplies h_{t-1} there
    return float(torch.linalg.eigvals(w).abs().max())


def _diverged_step(session) -> float:
    h = _history(session)
    skipped = np.flatnonzero(h["skipped"] > 0.5)
    return float(h["step"][skipped[0]]) if len(skipped) else 0.0


COMPUTE = {
    "step": lambda s, c: float(s.trainer.step_count),
    "loss": lambda s, c: _eval(s, c)["loss"],
    "metric": lambda s, c: _eval(s, c)["metric"],
    "train_metric": lambda s, c: math.nan if s.trainer.last_stats is None else float(s.trainer.last_stats.metric),
    "baseline": lambda s, c: float(s.task.baseline),
    "pass_threshold": lambda s, c: float(s.task.pass_threshold),
    "seq_len": lambda s, c: float(_trace(s, c).seq_len),
    "hidden_size": lambda s, c: float(s.config.model.hidden_size),
    "grad_first": lambda s, c: _grad(s, c, "first"),
    "grad_last": lambda s, c: _grad(s, c, "last"),
    "grad_ratio": lambda s, c: _grad(s, c, "ratio"),
    "grad_mid": lambda s, c: _grad(s, c, "mid"),
    "grad_mid_ratio": lambda s, c: _grad(s, c, "mid_ratio"),
    "grad_zero_steps": lambda s, c: _grad(s, c, "zeros"),
    "grad_norm_max": lambda s, c: float(np.nanmax(_history(s)["grad_norm"], initial=0.0)),
    "clipped_share": lambda s, c: float(np.mean(_history(s)["clipped"])) if s.trainer.step_count else 0.0,
    "diverged": lambda s, c: float(np.any(_history(s)["skipped"] > 0.5)),
    "diverged_step": lambda s, c: _diverged_step(s),
    "spectral_radius": lambda s, c: _spectral_radius(s),
    "uniform_bits": lambda s, c: math.log2(s.task.num_outputs),
    "ambiguous_accuracy": lambda s, c: _tagging_accuracy(s, c, True),
    "other_accuracy": lambda s, c: _tagging_accuracy(s, c, False),
    "attention_polarity": lambda s, c: _attention(s, c, False),
    "attention_uniform": lambda s, c: _attention(s, c, True),
    "forget_gate_mean": lambda s, c: _gate_mean(s, c, "forget"),
    "update_gate_mean": lambda s, c: _gate_mean(s, c, "update"),
    "output_shape": lambda s, c: _shape(_pytorch(s, c)["output"]),
    "hn_shape": lambda s, c: _shape(_pytorch(s, c)["hn"]),
    "max_abs_diff": lambda s, c: float(_pytorch(s, c)["max_abs_diff"]),
    "pytorch_numbers": lambda s, c: float(np.size(_pytorch(s, c)["output"]) + np.size(_pytorch(s, c)["hn"])),
}
if set(COMPUTE) != set(MEASURES):  # pragma: no cover (a test checks it too)
    raise ImportError("engine.lessons.catalog and engine.lessons.measures name different measures")


def measure(session, names) -> dict:
    """{name: value} of each named measure on the session as it is now (numbers as float, shapes as text)."""
    unknown = [n for n in names if n not in COMPUTE]
    if unknown:
        raise ValueError(f"unknown measure {unknown[0]!r}")
    cache: dict = {}
    return {n: COMPUTE[n](session, cache) for n in names}
