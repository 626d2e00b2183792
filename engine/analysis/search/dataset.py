"""A task's whole data set as batches of sequences, for searches that look at every sequence (the pattern search).

- a labelled or tagged CSV (``RowsTask``): every row of the file, training and validation, batched by length;
- a text (the user's .txt or the built-in corpus): the whole text cut into consecutive windows of the training
  length T (the last, shorter piece too), each read from the model's initial state;
- any other built-in task generates its data: a fixed sample of ``GENERATED`` sequences drawn with
  ``GENERATED_SEED`` stands for its data set, and the description says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

GENERATED, GENERATED_SEED, GENERATED_BATCH = 2048, 777, 64
MAX_BATCH = 256  # sequences per batch of a file's rows


@dataclass(frozen=True)
class DataSet:
    description: str  # "every row of people_places.csv (600 rows)"
    size: int  # sequences
    unit: str  # what one sequence is called: "row", "window", "sequence"
    label: str = ""  # how one is named in a list, before its 1-based number: "data row" (the header not counted)

    def __post_init__(self):
        if self.size < 1:
            raise ValueError("the data set holds no sequence")


def data_set(task) -> tuple[DataSet, object]:
    """(what the data set is, a function returning an iterator of (numbers (B,), inputs (B, T)) batches);
    ``numbers`` are the sequences' 0-based positions in the data set."""
    from engine.tasks.data.data_tasks import RowsTask

    if isinstance(task, RowsTask):
        return _rows(task)
    if isinstance(getattr(task, "data", None), torch.Tensor) and isinstance(getattr(task, "heldout", None),
                                                                             torch.Tensor):
        return _text(task)
    return _generated(task)


def _rows(task):
    n = len(task.lengths)
    unit = "tokens" if task.source.token_mode else "characters"
    info = DataSet(f"every row of {task.source.name} ({n:,} rows of {task.lengths.min()}-{task.lengths.max()} "
                   f"{unit}, training and validation)", n, "row", "data row")

    def batches():
        for T in np.unique(task.lengths):
            rows = np.flatnonzero(task.lengths == T)
            for s in range(0, len(rows), MAX_BATCH):
                part = rows[s:s + MAX_BATCH]
                yield part, torch.from_numpy(task.ids[task.gather(part, int(T))].astype(np.int64))
    return info, batches


def _text(task):
    text = torch.cat([task.data, task.heldout]).long()
    T = int(task.params.get("seq_len", 64))
    n_full, rest = divmod(len(text), T)
    info = DataSet(f"the whole text ({len(text):,} characters) in {n_full + (rest > 0):,} consecutive windows of "
                   f"{T} (each read from the initial state)", n_full + (rest > 0), "window")

    def batches():
        for s in range(0, n_full, MAX_BATCH):
            numbers = np.arange(s, min(n_full, s + MAX_BATCH))
            yield numbers, text[numbers[0] * T:(numbers[-1] + 1) * T].view(len(numbers), T)
        if rest:
            yield np.array([n_full]), text[n_full * T:].view(1, rest)
    return info, batches


def _generated(task):
    info = DataSet(f"{GENERATED:,} sequences the task generates (seed {GENERATED_SEED}; a built-in task draws its "
                   f"data rather than storing them)", GENERATED, "sequence")

    def batches():
        for i in range(GENERATED // GENERATED_BATCH):
            inputs, _ = task.sample_batch(GENERATED_BATCH, torch.Generator().manual_seed(GENERATED_SEED + i))
            yield np.arange(i * GENERATED_BATCH, (i + 1) * GENERATED_BATCH), inputs
    return info, batches
