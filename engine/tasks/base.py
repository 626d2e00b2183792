"""The task interface that the model, the trainer and the UI use.

A task samples batch-first tensors from a ``torch.Generator``:
  tokens inputs: (B, T) int64 indices into ``vocab``; real inputs: (B, T, F) float32.
Targets depend on the head (``output_kind``):
  per_step:   (B, T) int64 class per position (-100 = not scored)
  final / attention: (B,) int64 class
  regression: (B,) float32 value
  per_step_regression: (B, T, K) float32 values at every step (K = ``num_outputs``)
Tasks with naturally varying lengths draw one length per batch, so a batch needs no padding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.util.lazy import F, torch

INPUT_KINDS = ("tokens", "real")
OUTPUT_KINDS = ("per_step", "final", "attention", "regression", "per_step_regression")
REGRESSION_KINDS = ("regression", "per_step_regression")  # real-valued outputs, scored by MSE
IGNORE = -100  # target value of a position that is not scored


@dataclass(frozen=True)
class Param:
    """One task parameter: its default and validated integer range."""

    name: str
    default: int
    lo: int
    hi: int
    help: str = ""


@dataclass(frozen=True)
class Preset:
    """The recommended configuration that trains this task live."""

    cell: str = "lstm"
    hidden_size: int = 32
    num_layers: int = 1
    bidirectional: bool = False
    embedding_dim: int = 16
    lr: float = 3e-3
    batch_size: int = 32
    steps: int = 500
    extra: dict = field(default_factory=dict)  # other ModelConfig/TrainConfig fields


class Task:
    """Base class. Subclasses set the class attributes and implement ``sample_batch``."""

    name: str = ""
    title: str = ""
    description: str = ""  # one paragraph for the UI
    lecture_slide: str = ""  # which slide of the lecture it illustrates
    input_kind: str = "tokens"
    output_kind: str = "final"
    vocab: tuple[str, ...] = ()  # input symbols (tokens tasks)
    classes: tuple[str, ...] = ()  # output symbols (classification heads)
    input_dim: int = 0  # feature size (real tasks)
    metric_name: str = "accuracy"
    higher_is_better: bool = True
    baseline_note: str = ""
    params_spec: tuple[Param, ...] = ()
    preset: Preset = Preset()
    max_typed_length: int = 200  # longest sequence a user may type
    # A token that tells the answer nothing (parity's 0, sentiment's filler 'the'), or None: declared here once,
    # it is the default baseline x' of integrated gradients and the default constant input x* of the
    # fixed-point search; without one both fall back to the zero embedding (and say so).
    neutral_token: str | None = None
    neutral_note: str = ""  # why the token is neutral, one clause for the screen

    def __init__(self, **params):
        spec = {p.name: p for p in self.params_spec}
        unknown = sorted(set(params) - set(spec))
        if unknown:
            raise ValueError(f"task {self.name!r} has no parameter {', '.join(unknown)}")
        values = {}
        for p in self.params_spec:
            v = params.get(p.name, p.default)
            if isinstance(v, bool) or not isinstance(v, int) or not p.lo <= v <= p.hi:
                raise ValueError(f"{p.name} of task {self.name!r} must be a whole number "
                                 f"from {p.lo} to {p.hi}; got {v!r}")
            values[p.name] = v
        self.params = values
        check = getattr(type(self), "check_lengths", None)
        if check is not None:
            check(self)  # every parameter error is raised here, before any torch work
        self.__dict__["_set_up"] = False

    def setup(self) -> None:
        """Hook for subclasses: build what sampling needs. Runs on first use, so that building a task
        to read its metadata (the window's process) never imports torch."""

    def __getattr__(self, name):
        # an attribute that ``setup`` creates: run setup once, then look again
        if name.startswith("__") or self.__dict__.get("_set_up", True):
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        self.__dict__["_set_up"] = True
        self.setup()
        return getattr(self, name)

    def max_length(self) -> int:
        """The longest input sequence this task can produce (sizes are checked against it)."""
        return int(self.params.get("seq_len", 1))

    # ---- sizes the model needs -------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def num_outputs(self) -> int:
        return 1 if self.output_kind == "regression" else len(self.classes)

    # ---- data --------------------------------------------------------------------------
    def sample_batch(self, batch_size: int, generator: torch.Generator):
        raise NotImplementedError

    # ---- objective ---------------------------------------------------------------------
    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if self.output_kind == "regression":
            return F.mse_loss(outputs, targets)
        if self.output_kind == "per_step":
            return F.cross_entropy(outputs.reshape(-1, outputs.shape[-1]),  # (B*T, C)
                                   targets.reshape(-1), ignore_index=IGNORE)
        return F.cross_entropy(outputs, targets)

    def metric(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The task's metric on one batch (accuracy by default)."""
        if self.output_kind == "regression":
            return float(F.mse_loss(outputs, targets))
        pred = outputs.argmax(-1)
        scored = targets != IGNORE
        return float((pred[scored] == targets[scored]).float().mean())

    @property
    def baseline(self) -> float:
        """The metric a model that learned nothing gets (see ``baseline_note``)."""
        raise NotImplementedError

    @property
    def pass_threshold(self) -> float:
        raise NotImplementedError

    def passed(self, metric: float) -> bool:
        if not math.isfinite(metric):
            return False
        return metric >= self.pass_threshold if self.higher_is_better else metric <= self.pass_threshold

    # ---- display -----------------------------------------------------------------------
    def render_inputs(self, inputs: torch.Tensor) -> list[str]:
        """Display labels of one example's input steps; inputs (T,) or (T, F)."""
        if self.input_kind == "tokens":
            return [self.vocab[i] for i in inputs.tolist()]
        return [f"{v:.2f}" for v in inputs[:, 0].tolist()]

    def render_targets(self, targets: torch.Tensor) -> list[str]:
        """Display labels of one example's targets."""
        if self.output_kind == "regression":
            return [f"{float(targets):.3f}"]
        values = targets.reshape(-1).tolist()
        return ["" if v == IGNORE else self.classes[v] for v in values]

    def encode_text(self, text: str):
        """Turn typed text into (inputs, targets) of one example, shapes as sample_batch(1).

        Raises ValueError naming an unknown symbol. Tasks that accept typed input override
        ``split_text`` and ``label_example``.
        """
        symbols = self.split_text(text)
        if not symbols:
            raise ValueError("type at least one symbol")
        if len(symbols) > self.max_typed_length:
            raise ValueError(f"at most {self.max_typed_length} symbols; got {len(symbols)}")
        index = {s: i for i, s in enumerate(self.vocab)}
        for pos, s in enumerate(symbols):
            if s not in index:
                allowed = " ".join(self.vocab) if len(self.vocab) <= 40 else f"{len(self.vocab)} symbols"
                raise ValueError(f"unknown symbol {s!r} at position {pos + 1}; allowed: {allowed}")
        inputs = torch.tensor([[index[s] for s in symbols]], dtype=torch.long)  # (1, T)
        return inputs, self.label_example(inputs[0]).unsqueeze(0)

    def split_text(self, text: str) -> list[str]:
        """Typed text to symbols: characters by default, words when the vocab has words."""
        if any(len(s) > 1 for s in self.vocab):
            return text.split()
        return [c for c in text if not c.isspace()]

    def label_example(self, tokens: torch.Tensor) -> torch.Tensor:
        """The true target of one token sequence (T,), for typed input."""
        raise ValueError(f"task {self.name!r} does not take typed input")

    @property
    def accepts_typed_input(self) -> bool:
        return self.input_kind == "tokens" and type(self).label_example is not Task.label_example

    def info(self) -> dict:
        """JSON-ready summary for the UI, the CLI and config.json."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": dict(self.params), "metric": self.metric_name,
                "higher_is_better": self.higher_is_better, "baseline": self.baseline,
                "baseline_note": self.baseline_note, "pass_threshold": self.pass_threshold,
                "neutral_token": self.neutral_token, "neutral_note": self.neutral_note}


def randint(lo: int, hi: int, size, generator: torch.Generator) -> torch.Tensor:
    """Integers in [lo, hi] inclusive (torch.randint's high is exclusive)."""
    return torch.randint(lo, hi + 1, size, generator=generator)


def draw_length(lo: int, hi: int, generator: torch.Generator) -> int:
    """One sequence length per batch, so a batch is rectangular without padding."""
    return int(randint(lo, hi, (1,), generator))
