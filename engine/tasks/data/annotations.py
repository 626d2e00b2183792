"""Annotation tracks: numbers per token of a data file that the user supplies (as LSTMVis allows), and
the per-step features the unit explorer ranks units against (tracks, and the tags of a tagged CSV).

A track file is a CSV with a header and **one row per token of the data file, in the file's order**
(a text file: one row per character; a CSV of sequences: the tokens of row 2, then of row 3, ...).
Every column is a track of numbers, except an optional ``token`` column, which is checked against
the data file's tokens so that a shifted file is caught. For example, for ``people_places.csv``::

    token,is_name,position
    yesterday,0,0
    erin,1,1
    ...

``read_tracks`` returns {name: (N,) float64} or raises ``ValueError`` with one line naming the problem
(the file, the row as a spreadsheet numbers it, the column); ``track_features`` and ``tag_features``
turn tracks and tags into (B, T) features of a batch whose file positions are known
(``DataTask.sample_positions``).
"""
from __future__ import annotations

import codecs
import csv
import io
import math
from pathlib import Path

import numpy as np

from engine.tasks.data.data_model import DISPLAY, UNKNOWN_CHAR, UNKNOWN_TOKEN

MAX_TRACK_BYTES = 200 * 2**20
MAX_TRACKS = 32
TOKEN_COLUMN = "token"
TRACK_PREFIX = "track: "
TAG_PREFIX = "tag = "


def file_tokens(task) -> tuple[np.ndarray, tuple[str, ...]]:
    """(ids (N,), labels) of every token of a data task's file, in order (training and held-out alike)."""
    enc = task.source.encoded(bool(task.params.get("fold_case", 0)))
    return enc.ids, enc.vocab.labels


def read_tracks(path, task, columns: list[str] | None = None) -> dict[str, np.ndarray]:
    """The tracks of the CSV at ``path`` for ``task``'s data file (only ``columns`` if given)."""
    path = Path(path)
    name = path.name
    if not hasattr(task, "source"):
        raise ValueError("annotation tracks follow the tokens of a data file: open one first (File > Open data, "
                         "or --data FILE)")
    try:
        if path.stat().st_size > MAX_TRACK_BYTES:
            raise ValueError(f"{name} is larger than {MAX_TRACK_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {name}: {exc.strerror or exc}") from None
    return parse_tracks(name, raw, task, columns)


def parse_tracks(name: str, raw: bytes, task, columns: list[str] | None = None) -> dict[str, np.ndarray]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not UTF-8 text (byte {exc.start})") from None
    if text.startswith(codecs.BOM_UTF8.decode("utf-8")):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise ValueError(f"{name} row {reader.line_num}: {exc}") from None
    lowered = [h.lower() for h in header]
    if len(set(lowered)) != len(lowered):
        raise ValueError(f"{name}: two columns have the same name in the header {','.join(header)!r}")
    token_col = lowered.index(TOKEN_COLUMN) if TOKEN_COLUMN in lowered else None
    tracks = [i for i in range(len(header)) if i != token_col]
    if columns:
        missing = [c for c in columns if c.lower() not in lowered or c.lower() == TOKEN_COLUMN]
        if missing:
            have = ", ".join(header[i] for i in tracks) or "none"
            raise ValueError(f"{name} has no track column {missing[0]!r}; its track columns: {have}")
        tracks = [lowered.index(c.lower()) for c in columns]
    if not tracks or not all(header[i] for i in tracks):
        raise ValueError(f"{name}: the first line must name the tracks, e.g. token,is_name,depth (every column "
                         f"but 'token' is a track of numbers, one row per token)")
    if len(tracks) > MAX_TRACKS:
        raise ValueError(f"{name} has {len(tracks)} tracks; at most {MAX_TRACKS}")
    ids, labels = file_tokens(task)
    if len(rows) != len(ids):
        unit = "characters" if task.source.kind == "text" or not task.source.token_mode else "tokens"
        raise ValueError(f"{name} has {len(rows):,} rows of values but {task.source.name} has {len(ids):,} "
                         f"{unit}: give one row per {unit[:-1]}, in the file's order")
    values = np.empty((len(tracks), len(rows)), np.float64)
    for r, row in enumerate(rows):
        line = r + 2  # the header is row 1
        if len(row) != len(header):
            raise ValueError(f"{name} row {line} has {len(row)} fields; the header has {len(header)}")
        if token_col is not None:
            _check_token(name, line, row[token_col], labels[ids[r]], task)
        for k, i in enumerate(tracks):
            values[k, r] = _number(name, line, header[i], row[i])
    return {header[i]: values[k] for k, i in enumerate(tracks)}


def _number(name: str, line: int, column: str, cell: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise ValueError(f"{name} row {line}, column {column!r}: {cell.strip()[:30]!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} row {line}, column {column!r}: {cell.strip()!r} is not a finite number")
    return v


def _check_token(name: str, line: int, given: str, label: str, task) -> None:
    if label in (UNKNOWN_CHAR, UNKNOWN_TOKEN):
        return  # a rare symbol the vocabulary does not keep: nothing to compare with
    shown = DISPLAY.get(given, given) if task.source.kind == "text" or not task.source.token_mode else given.strip()
    if shown.lower() != label.lower():
        raise ValueError(f"{name} row {line}: the token column says {given!r} but token {line - 1} of "
                         f"{task.source.name} is {label!r}; the rows must follow the file's tokens in order")


def track_features(tracks: dict[str, np.ndarray], positions: np.ndarray) -> dict[str, np.ndarray]:
    """{"track: name": (B, T) values at the batch's file positions}."""
    return {TRACK_PREFIX + name: values[positions] for name, values in tracks.items()}


def tag_features(task, targets) -> dict[str, np.ndarray]:
    """{"tag = X": (B, T) 1 where the tag is X} for a tagged CSV's batch; {} for other tasks."""
    if getattr(getattr(task, "source", None), "kind", None) != "tagged":
        return {}
    t = np.asarray(targets)
    return {TAG_PREFIX + c: (t == i).astype(np.float64) for i, c in enumerate(task.classes)}


def pack_tracks(tracks: dict[str, np.ndarray], of) -> dict | None:
    """The tracks as plain data for a session file (None without tracks)."""
    from engine.util.lazy import torch

    if not tracks or not of:
        return None
    return {"file": str(of[1]), "sha256": str(of[0]), "names": list(tracks),
            "values": torch.from_numpy(np.stack([np.asarray(v, np.float64) for v in tracks.values()]))}


def unpack_tracks(entry, task):
    """(tracks, (sha256, file name)) from a session file's entry, or None when it is absent or does not fit the
    task's data file (a hand-edited or foreign entry is dropped, never trusted)."""
    from engine.util.lazy import torch

    source = getattr(task, "source", None)
    if not isinstance(entry, dict) or source is None or entry.get("sha256") != source.sha256:
        return None
    names, values = entry.get("names"), entry.get("values")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or \
            not isinstance(values, torch.Tensor):
        return None
    if values.dtype != torch.float64 or tuple(values.shape) != (len(names), len(file_tokens(task)[0])):
        return None
    v = values.numpy()
    if not len(names) or not np.isfinite(v).all():
        return None
    return {n: v[i].copy() for i, n in enumerate(names)}, (source.sha256, str(entry.get("file", "tracks")))
