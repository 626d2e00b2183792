"""Helpers shared by the toy tasks: variable-length parameters and attention-mass readouts."""
from __future__ import annotations

import numpy as np

from engine.tasks.base import Param, draw_length
from engine.util.lazy import torch


def length_params(max_default: int, min_default: int, lo: int, hi: int, unit: str = "tokens"):
    """The ``seq_len`` (longest) and ``min_len`` (shortest) parameters of a variable-length task."""
    return (Param("seq_len", max_default, lo, hi, f"longest sequence in {unit}; each batch draws "
                  f"its length from min_len..seq_len"),
            Param("min_len", min_default, lo, hi, f"shortest sequence in {unit}"))


class VariableLength:
    """Mixin for tasks that draw one length per batch from [min_len, seq_len]."""

    length_step = 1  # lengths are multiples of this (dyck1: even lengths only)

    def check_lengths(self) -> None:
        lo, hi = self.params["min_len"], self.params["seq_len"]
        if lo > hi:
            raise ValueError(f"min_len of task {self.name!r} must not exceed seq_len; "
                             f"got min_len={lo}, seq_len={hi}")
        k = self.length_step
        if -(-lo // k) * k > hi:
            raise ValueError(f"seq_len of task {self.name!r}: no length in {lo}..{hi} is a "
                             f"multiple of {k}")

    def draw_batch_length(self, generator: torch.Generator) -> int:
        k = self.length_step
        lo, hi = -(-self.params["min_len"] // k), self.params["seq_len"] // k
        return draw_length(lo, hi, generator) * k


def to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def mask_mass(attention, mask) -> float:
    """Attention weight that falls on ``mask``, both (T,) or (B, T).

    Averaged over the examples whose mask is not empty (an example with nothing to find has
    nothing to attend to); nan when no example has one.
    """
    att, m = to_numpy(attention).astype(np.float64), to_numpy(mask).astype(bool)
    if att.shape != m.shape:
        raise ValueError(f"attention has shape {att.shape} but the tokens have shape {m.shape}")
    att, m = att.reshape(-1, att.shape[-1]), m.reshape(-1, m.shape[-1])
    has = m.any(-1)
    if not has.any():
        return float("nan")
    return float((att * m).sum(-1)[has].mean())
