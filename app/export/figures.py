"""Figures and data out of the panels: PNG (any scale), SVG, CSV, the trace as .npz, config.json.

pyqtgraph items go through pyqtgraph's own image and SVG export (done in steps: app.export.render,
app.export.svg_steps); a plain QGraphicsScene (the unrolled network) and plain widgets render through
Qt's QImage and QSvgGenerator paint devices. Every file is written under a temporary name and renamed
into place, so an interrupted export never leaves a half-written file; a failed "Export all" removes the
files it had created (files it replaced stay, complete: a previous export into the same folder is never
deleted).
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.export.data import (  # noqa: F401  (the export's data functions, from here as before)
    config_json,
    empty_reason,
    npz_bytes,
    panel_table,
    reference_arrays,
    table_csv,
    trace_arrays,
)
from app.export.files import ExportCancelled, ExportError, check_progress, write_bytes, write_text  # noqa: F401
from app.export.render import finish, render_png, render_svg  # noqa: F401
from app.export.sink import DictSink, FolderSink
from app.export.steps import export_steps, panel_steps, run_steps, then_written


def panel_files(name: str, panel, light: bool, scale: float, caption: str | None = None) -> dict[str, bytes]:
    """{filename: bytes} for one panel: PNG, SVG and CSV (no CSV when the panel has no data rows:
    an empty file would only say "nothing here"; index.html says it in words)."""
    sink = DictSink()
    finish(panel_steps(name, panel, light, scale, caption, sink.put))
    return sink.files


def export_panel(panel, path, fmt: str, scale: float = 1.0, light: bool = False, caption: str | None = None,
                 progress=None) -> Path:
    """One panel to one file: fmt in png, svg, csv. PNG and SVG are made in steps as in ``export_all``
    (``progress`` as there: the window stays live), written by a worker thread."""
    path = Path(path)
    if fmt == "csv":
        return write_text(path, table_csv(*panel_table(panel)))
    sink = FolderSink(path.parent if str(path.parent) else Path("."))
    steps = panel_steps(panel.objectName(), panel, light, scale, caption, lambda _name, make: sink.put(path.name, make),
                        formats=(fmt,))
    try:
        run_steps(then_written(steps, sink, f"{fmt.upper()} of the panel"), progress)
    except BaseException:
        sink.abandon(idle=None if progress is None else QApplication.processEvents)
        raise
    sink.close()
    return path


def export_all(folder, panels: dict, snapshot, light: bool = False, scale: float = 2.0, progress=None,
               frames: bool = True) -> list[Path]:
    """Every panel as PNG + SVG + CSV, the trace as trace.npz and config.json, the per-t frames of the
    time sweep (``frames/``) and ``index.html`` that shows them all, into ``folder``.

    Done in steps (app.export.steps) with the files made and written in a worker thread;
    ``progress(done, total, text)`` is called along the way (often enough for the window to stay live);
    when it returns False the export stops with ExportCancelled and every file it had created is removed
    (files it replaced stay, complete)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write into {folder}: permission denied")
    sink = FolderSink(folder)
    try:
        run_steps(export_steps(folder, panels, snapshot, light, scale, frames, sink), progress)
    except BaseException:
        sink.abandon(idle=None if progress is None else QApplication.processEvents)
        raise
    sink.close()
    return sink.written
