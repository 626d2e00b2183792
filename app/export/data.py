"""The numbers of an export: a panel's table as CSV (time steps counted from 1, as on screen), the trace
as .npz (with the state-space reference examples), and config.json."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, is_dataclass

import numpy as np

CSV_CELLS = 2000  # cells one step of table_csv_steps writes


def table_csv(header, rows) -> str:
    steps = table_csv_steps(header, rows)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def table_csv_steps(header, rows):
    """Generator: the CSV text of a table, about CSV_CELLS cells per step; returns the text."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    cells = 0
    for row in rows:
        w.writerow([_cell(v) for v in row])
        cells += len(row)
        if cells >= CSV_CELLS:
            cells = 0
            yield
    return out.getvalue()


def empty_reason(panel) -> str:
    """Why a panel has no numbers for this model and example, in words."""
    return getattr(panel, "empty_reason", lambda: "")() or "nothing to show for this model and example"


def panel_table(panel, note_if_empty: bool = True) -> tuple[list, list]:
    """A panel's numbers for CSV, with time steps counted from 1 as on screen (t = 1..T); when the
    panel has nothing for this model and example, a note saying why (or no rows: ``note_if_empty``)."""
    header, rows = panel.data_table()
    if header and header[0] == "t":
        rows = [[r[0] + 1] + list(r[1:]) if isinstance(r[0], (int, np.integer)) else r for r in rows]
    elif header == ["quantity", "value"]:
        rows = [[k, v + 1] if k == "t" else [k, v] for k, v in rows]
    if not rows and note_if_empty:
        header, rows = ["note"], [[empty_reason(panel)]]
    return header, rows


def _cell(v):
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.9g}"
    if isinstance(v, np.integer):
        return int(v)
    return v


def trace_arrays(trace) -> dict[str, np.ndarray]:
    """Every array of a Trace (and its labels) as a flat dict for np.savez."""
    arrays = {}
    for f in fields(trace):
        v = getattr(trace, f.name)
        if v is None:
            continue
        if isinstance(v, np.ndarray):
            arrays[f.name] = v
        elif isinstance(v, dict):
            for k, a in v.items():
                arrays[f"{f.name}.{k}"] = np.asarray(a)
        elif isinstance(v, tuple):
            arrays[f.name] = np.asarray(v, dtype=str)
        else:
            arrays[f.name] = np.asarray(v)
    return arrays


def npz_bytes(trace, reference: dict | None = None) -> bytes:
    """The trace's arrays, and ``reference`` ({name: array}) as ``reference.<name>``: the examples the
    hidden-state analyses look at."""
    assert is_dataclass(trace)
    buf = io.BytesIO()
    arrays = trace_arrays(trace)
    arrays.update({f"reference.{k}": np.asarray(v) for k, v in (reference or {}).items()})
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def reference_arrays(snapshot) -> dict:
    """The reference examples of the state-space analysis (inputs, targets, their paths in the top PCs
    ``proj`` (layer, direction, example, t, PC), and the variance shares ``ratio``), if computed."""
    space = (snapshot.analysis or {}).get("state_space") or {}
    return {k: space[k] for k in ("inputs", "targets", "proj", "ratio", "fitted_at") if space.get(k) is not None}


def config_json(snapshot) -> str:
    info = {"task": snapshot.config["task"], "task_params": snapshot.config["task_params"],
            "model": snapshot.config["model"], "train": snapshot.config["train"],
            "seed": snapshot.config["train"]["seed"], "step": snapshot.step,
            "example": snapshot.example_source, "metric": snapshot.task_info.get("metric"),
            "merge_note": "sum = the lecture's h_i = h→_i + h←_i; concat = PyTorch's [h→_i; h←_i]"}
    if snapshot.task_info.get("data"):  # a task on the user's file: which file (name, size, SHA-256)
        info["data"] = snapshot.task_info["data"]
    return json.dumps(info, indent=2, sort_keys=True) + "\n"
