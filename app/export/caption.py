"""Exported figures readable alone: every PNG a panel exports carries a header with the panel's title
and a caption naming the model, the task and the training step ("GRU, H 32 · Parity (acceptor),
T 10 · after 600 training steps · seed 0"), drawn above the figure in the export's theme."""
from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from widgets.parts.base import DARK, LIGHT

CELL_NAMES = {"rnn_tanh": "simple RNN (tanh)", "rnn_relu": "simple RNN (ReLU)", "gru": "GRU", "lstm": "LSTM"}


def panel_title(name: str) -> str:
    from app.panels.registry import SPECS

    spec = SPECS.get(name)
    return spec.title if spec is not None else name


def model_text(cell: str, hidden: int, layers: int, bidirectional: bool, merge: str) -> str:
    text = f"{CELL_NAMES.get(cell, cell)}, H {hidden}" + (f", {layers} layers" if layers > 1 else "")
    return text + (f", bidirectional ({'summed' if merge == 'sum' else 'concatenated'})" if bidirectional else "")


DELAY_TASKS = {"copy_memory"}  # seq_len is the delay T between the symbols and their recall (T + 2K steps)


def length_text(task_params: dict, shown: int | None = None, task: str = "") -> str:
    """", T 10" for a task of one length whose example has it; the example's own T beside what the task
    trains on otherwise: ", T 6 (the task's lengths 3-20)" (a CSV, tagging, sentiment), ", T 4 (the task's
    T 10)" (a typed sequence); copy memory's T is its delay: ", delay T 10 (30 steps)"; "" when the task
    has no length."""
    hi, lo = task_params.get("seq_len"), task_params.get("min_len")
    if hi is None:
        return "" if shown is None else f", T {shown}"
    if task in DELAY_TASKS:
        return f", delay T {hi}" + ("" if shown is None else f" ({shown} steps)")
    task = f"lengths {lo}-{hi}" if lo is not None and lo < hi else f"T {hi}"
    if shown is None:
        return f", T {lo}-{hi}" if task.startswith("lengths") else f", T {hi}"
    return f", T {shown}" if task == f"T {shown}" else f", T {shown} (the task's {task})"


def snapshot_caption(snap) -> str:
    """The caption of a snapshot's figures: model · task and the example's T · training step · seed."""
    cfg = snap.config
    m = cfg["model"]
    task = snap.task_info.get("title", cfg["task"])
    trace = getattr(snap, "trace", None)
    shown = int(trace.hidden.shape[2]) if trace is not None else None
    return (f"{model_text(m['cell'], m['hidden_size'], m['num_layers'], m['bidirectional'], m['merge'])} · "
            f"{task}{length_text(cfg['task_params'], shown, cfg['task'])} · after {snap.step} training steps · "
            f"seed {cfg['train']['seed']}")


def trace_caption(trace) -> str:
    """A caption from what a panel was given (when no snapshot is at hand): the model and the step."""
    L, D, T, H = trace.hidden.shape
    return (f"{model_text(trace.cell_type, H, L, D == 2, trace.merge)} · T {T} · "
            f"after {trace.step} training steps")


def panel_caption(panel, caption: str | None) -> str:
    if caption:
        return caption
    trace = getattr(panel, "trace", None)
    return trace_caption(trace) if trace is not None else ""


def captioned_png(png: bytes, title: str, caption: str, light: bool = False) -> bytes:
    """``png`` with a header (title in bold, the caption below it) as wide as the figure."""
    figure = QImage.fromData(png, "PNG")
    if figure.isNull():
        return png
    image = captioned_image(figure, title, caption, light)
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data())


def captioned_image(figure: QImage, title: str, caption: str, light: bool = False) -> QImage:
    """``figure`` with the header of ``captioned_png`` above it. Export all calls it in a worker thread:
    an opaque ARGB32 figure (what the export paints) is copied by numpy, which lets the GUI thread run
    Python meanwhile (Qt's fill and drawImage hold Python's lock, up to ~40 ms for the unrolled network)."""
    header = header_height(figure.width(), caption)
    image = QImage(figure.width(), figure.height() + header, QImage.Format_ARGB32)
    background = QColor((LIGHT if light else DARK)["background"])
    if figure.format() == QImage.Format_ARGB32 and sys.byteorder == "little" and _opaque(figure):
        rows = np.frombuffer(image.bits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        rows[header:] = np.frombuffer(figure.constBits(), np.uint8).reshape(figure.height(), figure.bytesPerLine())
        painter = QPainter(image)
        painter.fillRect(0, 0, image.width(), header, background)
        painter.end()
    else:
        image.fill(background)
        painter = QPainter(image)
        painter.drawImage(0, header, figure)
        painter.end()
    return draw_header(image, title, caption, light)


def _opaque(image: QImage) -> bool:
    """Every pixel of an ARGB32 image fully opaque (then drawing it over a background copies it exactly)."""
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return bool((pixels[:, 3:image.width() * 4:4] == 255).all())


def _fonts(width: int):
    unit = max(10, min(28, width // 60))  # text size follows the figure's scale
    title_font, text_font = QFont(), QFont()
    title_font.setPixelSize(int(unit * 1.3))
    title_font.setBold(True)
    text_font.setPixelSize(unit)
    return unit, unit // 2, title_font, text_font


def _caption_height(width: int, caption: str) -> float:
    unit, pad, _title_font, text_font = _fonts(width)
    if not caption:
        return 0
    probe = QImage(1, 1, QImage.Format_ARGB32)
    painter = QPainter(probe)
    painter.setFont(text_font)
    flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
    height = painter.boundingRect(QRectF(0, 0, width - 2 * pad, 10_000), flags, caption).height()
    painter.end()
    return height


def header_height(width: int, caption: str) -> int:
    """The height of the header (title, caption) above a figure ``width`` pixels wide."""
    unit, pad, _title_font, _text_font = _fonts(width)
    return int(pad + unit * 1.7 + _caption_height(width, caption) + pad)


def draw_header(image: QImage, title: str, caption: str, light: bool = False) -> QImage:
    """Paint the title and caption into the top ``header_height`` rows of ``image`` (already filled with the
    theme's background; the figure below is left alone). Paints only on a QImage: a worker thread may
    call it (Export all does)."""
    theme = LIGHT if light else DARK
    width = image.width()
    unit, pad, title_font, text_font = _fonts(width)
    caption_h = _caption_height(width, caption)
    flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.setPen(QColor(theme["foreground"]))
        painter.setFont(title_font)
        painter.drawText(QRectF(pad, pad, width - 2 * pad, unit * 1.7), int(Qt.AlignmentFlag.AlignLeft), title)
        if caption:
            painter.setPen(QColor(theme["muted"]))
            painter.setFont(text_font)
            painter.drawText(QRectF(pad, pad + unit * 1.7, width - 2 * pad, caption_h), flags, caption)
    finally:
        painter.end()
    return image
