"""How fast this machine is right now, for reading a GUI timing measured in the same run.

The shared hosts change speed by up to 2x within an hour (the same redraw took 10 ms at one moment and 21 ms
an hour later, with the load below 1). ``reference_ms`` times a fixed piece of the kind of work a redraw does
(Python calls, small numpy arrays, antialiased raster painting and text into an image); a timing divided by
it is a ratio measured in one run, comparable across the machine's fast and slow phases."""
from __future__ import annotations

import statistics
import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen


def _python_work() -> int:
    total = 0
    for i in range(4000):
        total += len(f"{i:.3f}") + (i % 7)
    return total


def _numpy_work(values: np.ndarray, table: np.ndarray) -> int:
    total = 0
    for _ in range(12):
        scaled = np.clip((values + 1.0) * 127.5, 0, 255).astype(np.intp)
        total += int(table.take(scaled).sum() & 0xFF)
    return total


def _paint_work(image: QImage, path: QPainterPath) -> None:
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    image.fill(QColor("#15171c"))
    painter.setPen(QPen(QColor("#4dabf7"), 2))
    for _ in range(4):
        painter.drawPath(path)
    painter.setPen(QColor("#e9ecef"))
    for k in range(20):
        painter.drawText(QRectF(4, 12 * k, 200, 12), Qt.AlignmentFlag.AlignLeft, f"tick {k * 0.25:.2f}")
    painter.end()


def reference_ms(repeats: int = 21) -> float:
    """Median milliseconds of the fixed reference work (3.9-4.9 ms on this machine on 2026-12-07, its slow phase)."""
    rng = np.random.default_rng(0)
    values = rng.normal(0.0, 0.6, (128, 100)).astype(np.float32)
    table = (np.arange(256, dtype=np.uint64) * 2654435761 % (1 << 32)).astype(np.uint32)
    image = QImage(400, 300, QImage.Format.Format_ARGB32_Premultiplied)
    path = QPainterPath(QPointF(0, 150))
    for x, y in zip(np.linspace(0, 399, 300), 150 + 120 * np.sin(np.linspace(0, 12, 300)), strict=True):
        path.lineTo(float(x), float(y))
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        _python_work()
        _numpy_work(values, table)
        _paint_work(image, path)
        times.append((time.thread_time() - start) * 1000)
    return statistics.median(times)
