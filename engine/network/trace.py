"""Trace: the immutable snapshot of one probed example that every panel draws.

Shapes (L layers, D directions with index 1 = right-to-left, T steps by input position,
H hidden units, F = H or 2H after the merge, C classes):
  hidden     (L, D, T, H)  h_t
  cell       (L, D, T, H)  LSTM memory c_t, else None
  gates      {name: (L, D, T, H)}  LSTM input/forget/cell_candidate/output, GRU reset/update/new
  encoded    (T, F)        top-layer h_i after merging the directions
  attention  (T,)          alpha_i, attention head only, else None
  outputs    (T, C) per-step probabilities, (C,) for an acceptor, () for regression
  grad_norm  (L, D, T)     ||dL/dh_t||, the total derivative through every path
  param_grads {name: array} dL/dtheta of every model parameter
  head_input (F,)          what the final/regression head reads: the top layer's h_n, for a
                           bidirectional model h->_n + h<-_1 (sum) or [h->_n; h<-_1] (concat);
                           None for per-step and attention heads
  initial_hidden (L, D, H) h_0 each direction starts from (zeros unless ModelConfig.h0 says)
  initial_cell (L, D, H)   LSTM c_0, else None
  preact_x  (L, D, T, G*H) W_ih x_t + b_ih: the input's part of each pre-activation (torch's chunk
                           order: LSTM i, f, g, o; GRU r, z, n; one block for the simple RNN)
  preact_h  (L, D, T, G*H) W_hh h_prev + b_hh: the previous state's part (GRU n block: W_hn h + b_hn,
                           which r_t multiplies). With the gates these are the operands of every
                           formula a tooltip explains (widgets.explain).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Trace:
    hidden: np.ndarray
    cell: np.ndarray | None
    gates: dict
    encoded: np.ndarray
    attention: np.ndarray | None
    outputs: np.ndarray
    loss: float
    grad_norm: np.ndarray
    tokens: tuple[str, ...]  # display label of each input step
    targets: tuple[str, ...]  # display label of each target (one for an acceptor)
    predictions: tuple[str, ...]  # the model's answer, aligned with targets
    input_values: np.ndarray  # the raw example: (T,) token ids or (T, F) values
    cell_type: str = "lstm"
    output_kind: str = "final"
    merge: str = "sum"
    step: int = 0
    param_grads: dict = field(default_factory=dict)
    head_input: np.ndarray | None = None
    initial_hidden: np.ndarray | None = None
    initial_cell: np.ndarray | None = None
    preact_x: np.ndarray | None = None
    preact_h: np.ndarray | None = None

    @property
    def num_layers(self) -> int:
        return self.hidden.shape[0]

    @property
    def num_directions(self) -> int:
        return self.hidden.shape[1]

    @property
    def seq_len(self) -> int:
        return self.hidden.shape[2]

    @property
    def hidden_size(self) -> int:
        return self.hidden.shape[3]

    @property
    def correct(self) -> tuple[bool, ...] | None:
        """Per target: did the model get it right (None for regression)."""
        if self.output_kind == "regression":
            return None
        return tuple(t == p for t, p in zip(self.targets, self.predictions, strict=True))
