"""Pictures of a panel's export item, painted in steps the event loop can run between (issue 25, "never
frozen"): ``image_steps`` and ``svg_steps`` are generators that do one bounded piece of painting per
``next()`` and return the QImage / SVG bytes. ``render_png`` / ``render_svg`` run them to the end at once.

A graphics scene (pyqtgraph's, or the unrolled network's plain one) is painted by Qt's own
``QGraphicsScene.render`` in passes onto one image: each pass paints a run of consecutive items in
stacking order (the others are flagged ItemHasNoContents for the pass, so Qt skips their paint() but
keeps their children, clipping and transforms), so the image is the one a single render makes, pixel for
pixel. Widgets and text documents paint in one step. Only the GUI thread paints items; what touches no
item (the caption, PNG encoding, writing) is done by ``app.export.sink`` in a worker thread.
"""
from __future__ import annotations

import time

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QImage, QPainter, QPalette, QRegion, QTextDocument
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

from app.export.files import ExportError
from app.export.svg_steps import pg_svg_steps
from widgets.parts.base import DARK, LIGHT
from widgets.parts.item_cache import painted_afresh

PASS_SECONDS = 0.012  # a pass of items grows (doubling) while it paints in under a quarter of this
MAX_PASS_ITEMS = 32  # and never paints more items than this
NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
DATA_ITEMS = (pg.PlotCurveItem, pg.ScatterPlotItem, pg.ImageItem, pg.BarGraphItem)  # painted in a pass alone


def is_pg_item(item) -> bool:
    return isinstance(item, (pg.GraphicsItem, pg.GraphicsScene))


def background(light: bool) -> QColor:
    return QColor((LIGHT if light else DARK)["background"])


def png_bytes(image: QImage) -> bytes:
    """PNG bytes of a QImage (thread-safe: a QImage is data, not a widget)."""
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data())


def finish(steps):
    """Run a generator of steps to its end; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def render_png(item, scale: float = 1.0, light: bool = False) -> bytes:
    """PNG bytes of a panel's export item at ``scale`` times its on-screen size."""
    return png_bytes(finish(image_steps(item, scale, light)))


def render_svg(item, light: bool = False, title: str = "RNN Lab figure") -> bytes:
    """SVG bytes (vector) of a panel's export item."""
    return finish(svg_steps(item, light, title))


def scene_views(item) -> list:
    """The views that show a graphics item or scene on screen (none for widgets)."""
    scene = item if isinstance(item, QGraphicsScene) else (item.scene() if isinstance(item, QGraphicsItem) else None)
    return list(scene.views()) if scene is not None else []


# ---- PNG ---------------------------------------------------------------------------------
def image_steps(item, scale: float = 1.0, light: bool = False):
    """Generator: paints ``item`` at ``scale`` into a QImage, one run of scene items per step; returns it."""
    if is_pg_item(item):
        exporter = pg.exporters.ImageExporter(item)
        params = exporter.parameters()
        params["width"] = max(16, int(round(params["width"] * scale)))
        params["background"] = background(light)
        w, h = int(params["width"]), int(params["height"])
        if w == 0 or h == 0:
            raise ExportError(f"cannot export an empty figure ({w}x{h})")
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(params["background"])
        painter = QPainter(image)
        try:  # (as pyqtgraph's ImageExporter.export does it, in passes)
            exporter.setExportMode(True, {"antialias": True, "background": params["background"], "painter": painter,
                                          "resolutionScale": w / exporter.getTargetRect().width()})
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            yield from scene_passes(exporter.getScene(), painter, QRectF(0, 0, w, h),
                                    QRectF(exporter.getSourceRect()))
        finally:
            exporter.setExportMode(False)
            painter.end()
        return image
    rect = source_rect(item)
    size = QSize(max(16, int(rect.width() * scale)), max(16, int(rect.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(background(light))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        target = QRectF(0, 0, size.width(), size.height())
        if isinstance(item, QGraphicsScene):
            yield from scene_passes(item, painter, target, rect, Qt.AspectRatioMode.KeepAspectRatio)
        elif isinstance(item, list):  # a figure of widgets: one widget per step
            painter.scale(target.width() / rect.width(), target.height() / rect.height())
            for _ in widget_rows(item, painter):
                yield
        else:
            paint(item, painter, rect, target, light)
    finally:
        painter.end()
    return image


def scene_passes(scene, painter: QPainter, target: QRectF, source: QRectF,
                 mode=Qt.AspectRatioMode.KeepAspectRatio):
    """Generator: ``scene.render(painter, target, source, mode)`` in passes, each painting the next run of
    items in stacking order; a step after each pass. The scene's background is painted by the first pass
    only, its foreground by the last (a scene with a foreground brush is painted in one pass). Items the
    screen paints from pixmaps paint themselves meanwhile (widgets.parts.item_cache.painted_afresh)."""
    with painted_afresh(scene):
        return (yield from _passes(scene, painter, target, source, mode))


def _passes(scene, painter: QPainter, target: QRectF, source: QRectF, mode):
    items = [i for i in scene.items(Qt.SortOrder.AscendingOrder) if not i.flags() & NO_CONTENTS]
    if len(items) < 2 or scene.foregroundBrush().style() != Qt.BrushStyle.NoBrush:
        scene.render(painter, target, source, mode)
        return
    brush = scene.backgroundBrush()
    for i in items:
        i.setFlag(NO_CONTENTS, True)
    try:
        start, size = 0, 1
        while start < len(items):
            batch = items[start:start + size]
            alone = next((k for k, i in enumerate(batch) if isinstance(i, DATA_ITEMS)), None)
            if alone is not None:  # a plot of data may take long: in a pass of its own
                batch = batch[:max(1, alone)]
            for i in batch:
                i.setFlag(NO_CONTENTS, False)
            began = time.perf_counter()
            try:
                scene.render(painter, target, source, mode)
            finally:
                for i in batch:
                    i.setFlag(NO_CONTENTS, True)
            if start == 0 and brush.style() != Qt.BrushStyle.NoBrush:
                scene.setBackgroundBrush(Qt.BrushStyle.NoBrush)  # (painted once, under everything)
            start += len(batch)
            took = time.perf_counter() - began
            size = 1 if took > PASS_SECONDS else min(MAX_PASS_ITEMS, size * 2) if took < PASS_SECONDS / 4 else size
            yield
    finally:
        for i in items:
            i.setFlag(NO_CONTENTS, False)
        if brush.style() != Qt.BrushStyle.NoBrush:
            scene.setBackgroundBrush(brush)


def source_rect(item) -> QRectF:
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


def paint(item, painter: QPainter, source: QRectF, target: QRectF, light: bool = False) -> None:
    if isinstance(item, QGraphicsScene):
        with painted_afresh(item):
            item.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        return
    painter.scale(target.width() / source.width(), target.height() / source.height())
    if isinstance(item, QTextDocument):
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, QColor((LIGHT if light else DARK)["foreground"]))
        item.documentLayout().draw(painter, context)
    elif isinstance(item, list):
        for _ in widget_rows(item, painter):
            pass
    else:
        item.render(painter, QPoint(0, 0))


def widget_rows(rows, painter: QPainter):
    """Generator: paints rows of widgets (each row left to right), one widget per step."""
    y = 0
    for row in rows:
        x = 0
        for widget in row:  # (render() paints the whole widget, also what a scroll area hides)
            widget.render(painter, QPoint(x, y), QRegion(), QWidget.RenderFlag.DrawChildren)
            x += widget.width()
            yield
        y += max(w.height() for w in row)


# ---- SVG ---------------------------------------------------------------------------------
def svg_steps(item, light: bool = False, title: str = "RNN Lab figure"):
    """Generator: the SVG of ``item``; pyqtgraph items one item (or a part of a long path) per step."""
    if is_pg_item(item):
        text = yield from pg_svg_steps(item, background(light))
        # heatmap cells are data: viewers must not blur them into gradients when scaling the image up
        return text.replace("<image ", '<image style="image-rendering:pixelated" ').encode("utf-8")
    rect = source_rect(item)
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
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), background(light))
        paint(item, painter, rect, QRectF(0, 0, rect.width(), rect.height()), light)
    finally:
        painter.end()
    buf.close()
    return bytes(out)
