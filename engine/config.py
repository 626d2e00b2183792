"""Validated configuration dataclasses: one per concern (model, training).

Every field has a documented default and range; construction raises ``ValueError``
naming the field and the allowed values, as ``torch.nn.RNN``'s constructor does.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")
MERGES = ("sum", "concat")
INITS = ("default", "orthogonal", "identity")
OPTIMIZERS = ("adam", "sgd")
INITIAL_STATES = ("zero", "random", "learned")


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")


def check_int(name: str, value, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be from {lo} to {hi}; got {value}")


def check_float(name: str, value, lo: float, hi: float, *, lo_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    too_low = value <= lo if lo_open else value < lo
    if too_low or value > hi:
        left = "(" if lo_open else "["
        raise ValueError(f"{name} must be in {left}{lo:g}, {hi:g}]; got {value:g}")


def check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false; got {value!r}")


class _Config:
    """Shared dict round-trip for the config dataclasses."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> _Config:
        if not isinstance(data, dict):
            raise ValueError(f"{cls.__name__} must be a mapping; got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(map(repr, set(data) - known))  # repr: keys of any type sort and print
        if unknown:
            raise ValueError(f"{cls.__name__} has no field {', '.join(unknown)}")
        return cls(**data)


@dataclass(frozen=True)
class ModelConfig(_Config):
    cell: str = "lstm"  # one of CELLS; rnn_tanh/rnn_relu are the lecture's simple RNN
    hidden_size: int = 32  # H, units per direction: 1..512
    num_layers: int = 1  # stacked layers: 1..4
    bidirectional: bool = False  # add a right-to-left direction
    merge: str = "sum"  # sum: h_i = fwd_i + bwd_i (the lecture); concat: [fwd_i; bwd_i] (PyTorch)
    embedding_dim: int = 16  # E, size of the embedded input x_t: 1..512
    init: str = "default"  # recurrent weights: torch default, orthogonal, or identity (IRNN)
    # h_0 (and c_0) of every layer and direction: zero (the lecture's h_0 = 0), random (a standard
    # normal drawn once from the model's seed, like the deck's torch.randn h0), or learned (a
    # parameter trained with the rest, starting at zero)
    h0: str = "zero"

    def __post_init__(self):
        check_choice("cell", self.cell, CELLS)
        check_int("hidden_size", self.hidden_size, 1, 512)
        check_int("num_layers", self.num_layers, 1, 4)
        check_bool("bidirectional", self.bidirectional)
        check_choice("merge", self.merge, MERGES)
        check_int("embedding_dim", self.embedding_dim, 1, 512)
        check_choice("init", self.init, INITS)
        check_choice("h0", self.h0, INITIAL_STATES)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def encoded_size(self) -> int:
        """Width of h_i after merging the directions."""
        if self.bidirectional and self.merge == "concat":
            return 2 * self.hidden_size
        return self.hidden_size


@dataclass(frozen=True)
class TrainConfig(_Config):
    optimizer: str = "adam"  # adam or sgd
    lr: float = 3e-3  # learning rate: (0, 10]
    batch_size: int = 32  # examples per step: 1..1024
    clip: bool = True  # rescale gradients whose global norm exceeds max_norm
    max_norm: float = 1.0  # clipping threshold: (0, 1e6]
    seed: int = 0  # seeds the weights and the batch stream: 0..2**31-1

    def __post_init__(self):
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_float("lr", self.lr, 0.0, 10.0, lo_open=True)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_bool("clip", self.clip)
        check_float("max_norm", self.max_norm, 0.0, 1e6, lo_open=True)
        check_int("seed", self.seed, 0, 2**31 - 1)
