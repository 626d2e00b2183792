"""Counterfactual input: change one step x_t of an example and measure how far every h_t moves.

``counterfactual`` runs the encoder twice without gradients, once on the example and once with
the input at ``position`` replaced, and returns ||h_t - h'_t|| for every layer, direction and
step: how long the network remembers that one input. It also returns the head's output before
and after, so the UI can say whether the answer changed.

Which states can move:
  forward chain of layer 1 (and of every layer of a one-directional model): h_t for t < position
      has not read the change yet, so its distance is exactly 0.0 (the same arithmetic runs on
      the same numbers); from t = position on it is what the network still remembers of x_t.
  backward chain (index 1): it reads the sequence right to left, so h_t changes for t <= position
      and is exactly 0.0 for t > position.
  layers >= 2 of a bidirectional stack read both directions of the layer below, so even their
      forward chain moves before ``position``.
"""
from __future__ import annotations

import numpy as np
import torch

from engine.network.model import SequenceModel
from engine.network.probe import unroll

FADE_FRACTION = 0.01  # "forgotten": the top-layer distance falls below 1% of its peak


def replaced_inputs(task, inputs: torch.Tensor, position: int, new_value) -> torch.Tensor:
    """A copy of ``inputs`` (1, T) or (1, T, F) with step ``position`` replaced by ``new_value``.

    Token tasks take a token index; real-valued tasks a vector (F,) that replaces x_t, or one
    number that replaces feature 0 (the value; the other features, e.g. a marker, are kept).
    """
    T = inputs.shape[1]
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not 0 <= position < T:
        raise ValueError(f"position must be a whole number from 0 to {T - 1}; got {position!r}")
    changed = inputs.clone()
    if task.input_kind == "tokens":
        V = task.vocab_size
        if isinstance(new_value, bool) or not isinstance(new_value, (int, np.integer)) \
                or not 0 <= new_value < V:
            raise ValueError(f"new_value must be a token index from 0 to {V - 1}; got {new_value!r}")
        changed[0, position] = int(new_value)
        return changed
    value = np.asarray(new_value, dtype=np.float64)
    F = inputs.shape[2]
    if value.ndim == 0:
        value = np.concatenate([[float(value)], inputs[0, position, 1:].double().numpy()])
    if value.shape != (F,) or not np.isfinite(value).all():
        raise ValueError(f"new_value must be one finite number or a vector of {F} finite numbers; "
                         f"got shape {value.shape}")
    changed[0, position] = torch.as_tensor(value, dtype=inputs.dtype)  # (F,)
    return changed


def _run(model: SequenceModel, inputs: torch.Tensor):
    """(hidden (L, D, T, H), encoded (T, F), head outputs, probabilities) of one example."""
    x = model.embed(inputs)[0]  # (T, E)
    out, states, _cells, _gates = unroll(model, x)  # out (T, D*H)
    res = model.head_forward(out.unsqueeze(0))  # batch of one
    hidden = torch.stack([torch.stack([torch.stack(hs) for hs in per_d]) for per_d in states])  # (L, D, T, H)
    probs = model.probabilities(res.outputs)[0]  # (T, C), (C,) or ()
    return hidden, res.encoded[0], res.outputs, probs


def _labels(task, probs: torch.Tensor) -> tuple[str, ...]:
    if task.output_kind == "regression":
        return (f"{float(probs):.3f}",)
    return tuple(task.classes[i] for i in probs.argmax(-1).reshape(-1).tolist())


def _output_distance(kind: str, before: torch.Tensor, after: torch.Tensor) -> np.ndarray:
    """|y - y'| for a value; total variation 0.5 * sum |p - p'| per prediction for probabilities."""
    if kind == "regression":
        return np.asarray(abs(float(after) - float(before)))
    return (0.5 * (after - before).abs().sum(-1)).numpy().astype(np.float64)  # (T,) or ()


def counterfactual(model: SequenceModel, inputs: torch.Tensor, targets: torch.Tensor, position: int,
                   new_value) -> dict:
    """Replace input step ``position`` by ``new_value`` and compare every state and the output.

    ``inputs``/``targets`` as ``task.sample_batch(1, g)``. ``new_value``: a token index for token
    tasks; for real-valued tasks a vector (F,) replacing x_t, or one number replacing feature 0.
    Returns numpy values (L layers, D directions, T steps):
      distance          (L, D, T) ||h_t - h'_t||: exactly 0 for t < position in layer 1's forward
                        chain; the backward chain changes at t <= position (see the module doc)
      encoded_distance  (T,) the same for the merged top-layer states h_i (sum or concat)
      before, after     the head's output: probabilities (T, C) per step or (C,), or the value ()
      before_labels, after_labels  the predictions as display strings (one per target)
      output_distance   |y - y'| (regression) or total variation of the probabilities, (T,) or ()
      loss_before, loss_after      the task loss on ``targets``
      fade_steps        steps after ``position`` until encoded_distance first falls below 1% of
                        its peak over t >= position; None if it never does within the sequence
      position, old_token, new_token, tokens (the changed sequence's labels), classes, output_kind
    """
    task = model.task
    changed = replaced_inputs(task, inputs, position, new_value)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            h0, enc0, out0, p0 = _run(model, inputs)
            h1, enc1, out1, p1 = _run(model, changed)
            loss0, loss1 = float(task.loss(out0, targets)), float(task.loss(out1, targets))
    finally:
        model.train(was_training)
    distance = torch.linalg.vector_norm(h1 - h0, dim=-1).double().numpy()  # (L, D, T)
    encoded = torch.linalg.vector_norm(enc1 - enc0, dim=-1).double().numpy()  # (T,)
    old_tokens, new_tokens = task.render_inputs(inputs[0]), task.render_inputs(changed[0])
    return {
        "distance": distance, "encoded_distance": encoded,
        "before": p0.double().numpy(), "after": p1.double().numpy(),
        "before_labels": _labels(task, p0), "after_labels": _labels(task, p1),
        "output_distance": _output_distance(task.output_kind, p0, p1),
        "loss_before": loss0, "loss_after": loss1,
        "fade_steps": fade_steps(encoded, position),
        "position": int(position), "old_token": old_tokens[position], "new_token": new_tokens[position],
        "tokens": tuple(new_tokens), "classes": tuple(task.classes), "output_kind": task.output_kind,
    }


def fade_steps(distance: np.ndarray, position: int, fraction: float = FADE_FRACTION) -> int | None:
    """Steps after ``position`` until ``distance`` (T,) first drops below ``fraction`` of its peak.

    The peak is taken over t >= position. None if it never drops within the sequence (the
    network still remembers at the end) or if nothing changed at all.
    """
    tail = np.asarray(distance, dtype=np.float64)[position:]
    peak = tail.max() if tail.size else 0.0
    if not peak > 0:
        return None
    below = np.nonzero(tail < fraction * peak)[0]
    return int(below[0]) if below.size else None
