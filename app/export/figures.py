"""Figures and data out of the panels: PNG (any scale), SVG, CSV, the trace as .npz, config.json.

pyqtgraph items go through pyqtgraph's own ImageExporter/SVGExporter; a plain QGraphicsScene (the
unrolled network) and plain widgets render through Qt's QImage and QSvgGenerator paint devices.
Every file is written under a temporary name and renamed into place, so an interrupted export
never leaves a half-written file; a failed "Export all" removes the files it had created (files it
replaced stay, complete: a previous export into the same folder is never deleted).
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QImage,
    QPainter,
    QPalette,
    QRegion,
    QTextDocument,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene, QWidget

from app.export.caption import captioned_png, panel_caption, panel_title, snapshot_caption
from app.export.files import ExportCancelled, ExportError, check_progress, write_bytes, write_text  # noqa: F401
from widgets.parts.base import DARK, LIGHT
from widgets.parts.item_cache import painted_afresh


def _is_pg_item(item) -> bool:
    return isinstance(item, (pg.GraphicsItem, pg.GraphicsScene)) or (
        isinstance(item, QGraphicsScene) and isinstance(item, pg.GraphicsScene))


def _background(light: bool) -> QColor:
    return QColor((LIGHT if light else DARK)["background"])


def _qimage_png_bytes(image: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data())


def render_png(item, scale: float = 1.0, light: bool = False) -> bytes:
    """PNG bytes of a panel's export item at ``scale`` times its on-screen size."""
    if _is_pg_item(item):
        exporter = pg.exporters.ImageExporter(item)
        params = exporter.parameters()
        params["width"] = max(16, int(round(params["width"] * scale)))
        params["background"] = _background(light)
        with painted_afresh(item if isinstance(item, QGraphicsScene) else item.scene()):
            image = exporter.export(toBytes=True)
        return _qimage_png_bytes(image)
    rect = _source_rect(item)
    size = QSize(max(16, int(rect.width() * scale)), max(16, int(rect.height() * scale)))
    image = QImage(size, QImage.Format_ARGB32)
    image.fill(_background(light))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        _paint(item, painter, rect, QRectF(0, 0, size.width(), size.height()), light)
    finally:
        painter.end()
    return _qimage_png_bytes(image)


def render_svg(item, light: bool = False, title: str = "RNN Lab figure") -> bytes:
    """SVG bytes (vector) of a panel's export item."""
    if _is_pg_item(item):
        exporter = pg.exporters.SVGExporter(item)
        exporter.parameters()["background"] = _background(light)
        data = exporter.export(toBytes=True)
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else str(data)
        # heatmap cells are data: viewers must not blur them into gradients when scaling the image up
        return text.replace("<image ", '<image style="image-rendering:pixelated" ').encode("utf-8")
    rect = _source_rect(item)
    out = QByteArray()
    buf = QBuffer(out)
    buf.open(QIODevice.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(QSize(int(rect.width()), int(rect.height())))
    gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle(title)
    painter = QPainter(gen)
    try:
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), _background(light))
        _paint(item, painter, rect, QRectF(0, 0, rect.width(), rect.height()), light)
    finally:
        painter.end()
    buf.close()
    return bytes(out)


def _source_rect(item) -> QRectF:
    if isinstance(item, QGraphicsScene):
        return item.itemsBoundingRect().adjusted(-10, -10, 10, 10)
    if isinstance(item, QWidget):
        return QRectF(0, 0, max(item.width(), 16), max(item.height(), 16))
    if isinstance(item, QTextDocument):  # all of the text, however far a text view scrolls
        size = item.size()
        return QRectF(0, 0, max(size.width(), 16), max(size.height(), 16))
    if isinstance(item, list):  # rows of widgets, each row left to right (a figure made of widgets)
        sizes = [[(w.width(), w.height()) for w in row] for row in item]
        return QRectF(0, 0, max(16, max(sum(w for w, _ in row) for row in sizes)),
                      max(16, sum(max(h for _, h in row) for row in sizes)))
    raise ExportError(f"cannot render {type(item).__name__}")


def _paint(item, painter: QPainter, source: QRectF, target: QRectF, light: bool = False) -> None:
    if isinstance(item, QGraphicsScene):
        with painted_afresh(item):
            item.render(painter, target, source, Qt.KeepAspectRatio)
        return
    painter.scale(target.width() / source.width(), target.height() / source.height())
    if isinstance(item, QTextDocument):
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, QColor((LIGHT if light else DARK)["foreground"]))
        item.documentLayout().draw(painter, context)
    elif isinstance(item, list):
        y = 0
        for row in item:
            x = 0
            for widget in row:  # (render() paints the whole widget, also what a scroll area hides)
                widget.render(painter, QPoint(x, y), QRegion(), QWidget.RenderFlag.DrawChildren)
                x += widget.width()
            y += max(w.height() for w in row)
    else:
        item.render(painter, QPoint(0, 0))


# ---- data -------------------------------------------------------------------------------
def table_csv(header, rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([_cell(v) for v in row])
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


# ---- panels ------------------------------------------------------------------------------
def panel_files(name: str, panel, light: bool, scale: float, caption: str | None = None) -> dict[str, bytes]:
    """{filename: bytes} for one panel: PNG, SVG and CSV (no CSV when the panel has no data rows:
    an empty file would only say "nothing here"; index.html says it in words)."""
    previous = panel.theme is LIGHT
    panel.set_theme(light)
    try:
        item = panel.export_item()
        png = captioned_png(render_png(item, scale, light), panel_title(name), panel_caption(panel, caption), light)
        files = {f"{name}.png": png, f"{name}.svg": render_svg(item, light, name)}
    finally:
        panel.set_theme(previous)
    header, rows = panel_table(panel, note_if_empty=False)
    if header and len(rows):  # a panel with nothing to show gets no CSV (index.html says why)
        files[f"{name}.csv"] = table_csv(header, rows).encode("utf-8")
    files.update(getattr(panel, "extra_files", lambda _stem: {})(name))  # e.g. fixed points as full vectors
    return files


def export_panel(panel, path, fmt: str, scale: float = 1.0, light: bool = False, caption: str | None = None) -> Path:
    """One panel to one file: fmt in png, svg, csv."""
    path = Path(path)
    if fmt == "csv":
        return write_text(path, table_csv(*panel_table(panel)))
    previous = panel.theme is LIGHT
    panel.set_theme(light)
    try:
        item = panel.export_item()
        name = panel.objectName()
        data = captioned_png(render_png(item, scale, light), panel_title(name), panel_caption(panel, caption),
                             light) if fmt == "png" else render_svg(item, light, name)
    finally:
        panel.set_theme(previous)
    return write_bytes(path, data)


def export_all(folder, panels: dict, snapshot, light: bool = False, scale: float = 2.0, progress=None,
               frames: bool = True) -> list[Path]:
    """Every panel as PNG + SVG + CSV, the trace as trace.npz and config.json, the per-t frames of the
    time sweep (``frames/``) and ``index.html`` that shows them all, into ``folder``.

    ``progress(done, total, text)`` is called along the way; when it returns False the export stops
    with ExportCancelled and every file it had created is removed (files it replaced stay, complete)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write into {folder}: permission denied")
    written: list[Path] = []
    created: list[Path] = []  # removed again on failure; files that were there are never deleted

    def write(path: Path, data: bytes) -> None:
        existed = path.exists()
        written.append(write_bytes(path, data))
        if not existed:
            created.append(path)

    from app.export.gif import sweep_frames, sweep_times
    from app.export.html import FRAMES_DIR, frame_name, index_html

    T = snapshot.trace.hidden.shape[2] if frames else 0
    times = sweep_times(T)  # every t, or MAX_FRAMES spread over all of them (index.html says which)
    total = len(panels) + len(times) + 3
    frames_dir = folder / FRAMES_DIR
    made_frames_dir = False
    absent = {}
    try:
        for k, (name, panel) in enumerate(panels.items()):
            check_progress(progress, k, total, f"panel {name}")
            files = panel_files(name, panel, light, scale, snapshot_caption(snapshot))
            if f"{name}.csv" not in files:
                absent[name] = empty_reason(panel)
            for fname, data in files.items():
                write(folder / fname, data)
        check_progress(progress, len(panels), total, "trace and configuration")
        write(folder / "trace.npz", npz_bytes(snapshot.trace, reference_arrays(snapshot)))
        write(folder / "config.json", config_json(snapshot).encode("utf-8"))
        images = []
        if T:
            images = sweep_frames(panels, T, light, progress=lambda i: check_progress(
                progress, len(panels) + 1 + i, total, f"time sweep frame {i + 1} of {len(times)}"))
            if not frames_dir.is_dir():
                frames_dir.mkdir()
                made_frames_dir = True
            for t, image in zip(times, images, strict=True):
                buf = io.BytesIO()
                image.save(buf, format="PNG", optimize=False)
                write(folder / frame_name(t), buf.getvalue())
        check_progress(progress, total - 1, total, "index.html")
        names = {p.relative_to(folder).as_posix() for p in written}
        write(folder / "index.html", index_html(snapshot, list(panels), names, absent, len(images),
                                                times=times[:len(images)], T=T).encode("utf-8"))
    except BaseException:
        for p in created:
            p.unlink(missing_ok=True)
        if made_frames_dir:
            try:
                frames_dir.rmdir()
            except OSError:
                pass
        raise
    return written
