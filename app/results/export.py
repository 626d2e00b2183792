"""Write a finished reproduction to a folder: the figure (PNG + SVG), its data (CSV), README.md and
result.json (the published-vs-measured line and the settings). Offscreen pyqtgraph, as the panels'
export: every file is written atomically, and a failure names the file."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from app.export.figures import ExportError, render_png, render_svg, table_csv, write_bytes, write_text
from app.results.figure_view import FigureView
from engine.reproductions.base import readme_text


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    return value


def result_json(outcome) -> str:
    v = outcome.verdict
    return json.dumps({"name": outcome.name, "title": outcome.title, "citation": outcome.citation,
                       "published": outcome.published, "measured": v.measured, "reproduced": v.reproduced,
                       "why": v.why, "line": outcome.line, "seed": outcome.seed, "quick": outcome.quick,
                       "seconds": round(outcome.seconds, 1),
                       "cpu_seconds": round(outcome.cpu_seconds, 1), "settings": _plain(outcome.settings)},
                      indent=2) + "\n"


def export_outcome(outcome, folder, light: bool = False, scale: float = 2.0) -> list[Path]:
    """Write ``outcome`` into ``folder`` (created); returns the files written. ExportError names a
    file that cannot be written."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from None
    name = outcome.name
    view = FigureView(outcome.figure, light=light)
    view.lay_out_offscreen()
    try:
        item = view.export_item()
        written = [write_bytes(folder / f"{name}.png", render_png(item, scale, light)),
                   write_bytes(folder / f"{name}.svg", render_svg(item, light, outcome.figure.title))]
    finally:
        view.close()
        view.deleteLater()
    written += [write_text(folder / f"{name}.csv", table_csv(outcome.header, outcome.rows)),
                write_text(folder / "README.md", readme_text(outcome, name, f"{name}.csv")),
                write_text(folder / "result.json", result_json(outcome))]
    return written
