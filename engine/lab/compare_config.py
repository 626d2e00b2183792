"""Comparing models (torch-free part): variants, their labels and the CompareSnapshot. CompareSession
(engine.lab.compare_session) trains two to four LabSessions that differ only in the model, trained side by side.

Every run is built from one LabConfig with a few ModelConfig fields overridden (a *variant*, e.g.
``{"cell": "gru"}`` or ``{"bidirectional": True}``). The task, its parameters, the training
configuration and the seed are shared, so every run's trainer draws the same batch at every step
(each owns a generator seeded alike and the batch does not depend on the model) and every run
shows the same probed example. ``step()`` trains each run once, in turn.

It has the interface the training worker drives (``step``, ``snapshot``, ``state``, ``mark_rate``,
``steps_per_sec``), so ``WorkerHandle(CompareSession(...))`` runs it off the GUI thread.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from engine.config import CELLS, ModelConfig
from engine.lab.config import LabConfig

MIN_RUNS, MAX_RUNS = 2, 4
MIN_SEEDS, MAX_SEEDS = 3, 10  # several seeds per configuration: a mean and a spread need at least 3
MODEL_FIELDS = tuple(f.name for f in fields(ModelConfig))
DIRECTION_WORDS = {"uni": False, "bi": True}


def parse_variants(spec: str) -> list[dict]:
    """"rnn_tanh,gru,lstm" -> [{"cell": ...}, ...]; "uni,bi" -> bidirectional False/True.

    ValueError (one line) for an unknown word, mixed kinds, duplicates, or fewer than 2 / more than 4.
    """
    words = [w.strip().lower() for w in str(spec).split(",") if w.strip()]
    if not words:
        raise ValueError("name 2 to 4 cells to compare, e.g. rnn_tanh,gru,lstm (or uni,bi)")
    unknown = [w for w in words if w not in CELLS and w not in DIRECTION_WORDS]
    if unknown:
        raise ValueError(f"cannot compare {unknown[0]!r}: use cells ({', '.join(CELLS)}) or uni,bi")
    if any(w in DIRECTION_WORDS for w in words) and any(w in CELLS for w in words):
        raise ValueError("compare either cells (e.g. rnn_tanh,gru,lstm) or directions (uni,bi), not both")
    if words[0] in DIRECTION_WORDS:
        return check_variants([{"bidirectional": DIRECTION_WORDS[w]} for w in words])
    return check_variants([{"cell": w} for w in words])


def check_variants(variants) -> list[dict]:
    """2..4 mappings of ModelConfig fields, no two alike; ValueError names the problem."""
    variants = [dict(v) for v in variants]
    if not MIN_RUNS <= len(variants) <= MAX_RUNS:
        raise ValueError(f"compare {MIN_RUNS} to {MAX_RUNS} configurations; got {len(variants)}")
    for v in variants:
        bad = sorted(set(v) - set(MODEL_FIELDS))
        if bad:
            raise ValueError(f"a variant may only change model fields ({', '.join(MODEL_FIELDS)}); "
                             f"got {bad[0]!r}")
    for i, v in enumerate(variants):
        if v in variants[:i]:
            raise ValueError(f"{variant_label(v)} is listed twice; compare different configurations")
    return variants


def check_seeds(n) -> int:
    """1 (one run per configuration) or MIN_SEEDS..MAX_SEEDS (a mean and spread); ValueError otherwise."""
    if isinstance(n, bool) or not isinstance(n, int) or not (n == 1 or MIN_SEEDS <= n <= MAX_SEEDS):
        raise ValueError(f"train 1 seed per configuration, or {MIN_SEEDS} to {MAX_SEEDS} for a mean and spread; "
                         f"got {n}")
    return n


def variant_label(variant: dict) -> str:
    """Short legend name: the overridden values, e.g. "lstm", "bidirectional", "gru · H=64"."""
    parts = []
    for key, value in variant.items():
        if key == "cell":
            parts.append(str(value))
        elif key == "bidirectional":
            parts.append("bidirectional" if value else "unidirectional")
        elif key == "hidden_size":
            parts.append(f"H={value}")
        else:
            parts.append(f"{key}={value}")
    return " · ".join(parts) or "base"


@dataclass(frozen=True)
class CompareSnapshot:
    """What the compare window draws: one LabSession Snapshot per run, in variant order."""

    runs: tuple  # tuple[Snapshot, ...]
    labels: tuple  # tuple[str, ...] legend name of each run
    variants: tuple  # tuple[dict, ...] the ModelConfig overrides of each run
    step: int  # steps taken by every run
    state: str  # "paused", "training", "diverged"
    steps_per_sec: float  # compare steps (one step of every run) per second
    diverged: tuple  # tuple[bool, ...] did each run's last step diverge
    message: str = ""
    frame: int = 0  # sequence number; the window acknowledges each frame it drew
    params: tuple = ()  # per run: (recurrent parameters, all parameters)
    run_steps_per_sec: tuple = ()  # per run: its own training steps per second (timed alone), 0 before any
    seeds: tuple = ()  # the training seeds of every configuration (runs shows the first's); () or one: no spread
    seed_histories: tuple = ()  # per run, per seed: {"step", "loss", "metric"} arrays (engine History.arrays())


@dataclass(frozen=True)
class RunPlan:
    """The runs of a comparison, validated: what CompareSession builds and the window labels."""

    variants: tuple  # tuple[dict, ...]
    labels: tuple  # tuple[str, ...]
    models: tuple  # tuple[ModelConfig, ...]


def plan_runs(cfg: LabConfig, variants) -> RunPlan:
    """ValueError (one line) when a variant is invalid or two runs would be the same model."""
    variants = check_variants(variants)
    labels = tuple(variant_label(v) for v in variants)
    models = [ModelConfig(**{**cfg.model.to_dict(), **v}) for v in variants]  # validates
    for i, m in enumerate(models):
        if m in models[:i]:
            raise ValueError(f"{labels[i]} is the same model as {labels[models.index(m)]} "
                             "in this configuration; compare different configurations")
    return RunPlan(tuple(variants), labels, tuple(models))


__all__ = ["CompareSnapshot", "MAX_RUNS", "MAX_SEEDS", "MIN_RUNS", "MIN_SEEDS", "RunPlan", "check_seeds",
           "check_variants", "parse_variants", "plan_runs",
           "variant_label"]
