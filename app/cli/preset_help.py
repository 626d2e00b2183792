"""The part of ``--help`` that says which values apply when a model or training flag is absent: every
task's recommended preset (the data-file tasks' too), read from the task classes, so it cannot drift.

Torch-free: the presets are class attributes, and ``preset_configs`` only reads ``task.preset``.
"""
from __future__ import annotations

from types import SimpleNamespace

# (row label, task name): the data-file tasks are chosen by the file's kind, not by --task
DATA_ROWS = (("--data .txt", "text_file"), ("--data .csv seq,label", "labelled_file"),
             ("--data .csv tokens,tags", "tagged_file"))
COLUMNS = ("task", "--cell", "--hidden", "--layers", "--bidirectional", "--merge", "--init", "--h0",
           "--embedding-dim", "--lr", "--batch-size", "--clip")


def preset_rows() -> list[tuple[str, ...]]:
    """One row per task: the preset value of each flag in COLUMNS (clip: the max-norm, or "off")."""
    from engine.tasks import list_tasks, preset_configs, task_class

    rows = []
    for label, name in [(n, n) for n in list_tasks()] + list(DATA_ROWS):
        cls = task_class(name)
        model, train, _ = preset_configs(SimpleNamespace(name=name, preset=cls.preset))
        rows.append((label, model.cell, str(model.hidden_size), str(model.num_layers),
                     "yes" if model.bidirectional else "no", model.merge, model.init, model.h0,
                     str(model.embedding_dim), f"{train.lr:g}", str(train.batch_size),
                     f"{train.max_norm:g}" if train.clip else "off"))
    return rows


def preset_help() -> str:
    """The table for the epilog of ``--help``."""
    rows = [tuple(c.removeprefix("--") for c in COLUMNS)] + preset_rows()
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return ("preset values: a model or training flag that is absent takes the task's preset value below\n"
            "('yes' under bidirectional: --no-bidirectional turns it off; 'off' under clip: no clipping):\n"
            + "\n".join(lines))
