"""Decorations painted from a pixmap: legends, titles, axes, text labels and colour scales of pyqtgraph scenes.

Every repaint of a plot (a new snapshot, the moving time cursor) repaints all its items, and each
pyqtgraph item paints through Python: a legend with two entries, a title and four axes cost a
plot about 0.4 ms of the window's frame though none of them changed. With Qt's device-coordinate
cache such an item is painted once into a pixmap and then copied; it is painted again only when it
calls ``update()`` (a new text, colour, range or size), which these items do. A pixmap puts a
label's letters on whole pixels, which the eye does not see but an export would: exports render
inside ``painted_afresh`` and stay, to the pixel, what an uncached panel exports
(tests/widgets/test_item_cache.py).
"""
from __future__ import annotations

from contextlib import contextmanager

import pyqtgraph as pg
from pyqtgraph.graphicsItems.InfiniteLine import InfLineLabel
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QGraphicsItem

CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
# Items whose looks change only through their own setters (which call update()). Not ItemSample: a
# legend's line sample reads its curve's pen at paint time, and a new pen does not tell the sample. Not
# InfiniteLine: its boundingRect() calls prepareGeometryChange() once the view moved, i.e. while Qt draws it
# into its pixmap (a fresh-clone test run crashed in a paint after random actions). Not QGraphicsTextItem
# (the text inside a title, a legend's name, a label): after setFont, which presentation mode calls on them,
# Qt draws a cached one blank (a legend on the stage read as a line without its name); it paints in C++,
# so its cache saved no measurable time.
DECORATIONS = (pg.LegendItem, pg.LabelItem, pg.TextItem, InfLineLabel, pg.AxisItem)
CACHE_KB = 256 * 1024  # room for the pixmaps: Qt's default 10 MB holds one window's grids at 1600x1000


def cache_decorations(widget) -> int:
    """Give every decoration in the pyqtgraph scenes inside ``widget`` a device-coordinate cache.

    Idempotent; call it again after items were added (a new legend entry). Returns how many items
    it changed. The pixmaps live in Qt's QPixmapCache: when it is full, Qt drops the oldest and the
    items paint themselves again at every repaint (more work than without a cache), so its limit is
    raised to ``CACHE_KB`` (a grid as large as a 1920x1080 plot is 8 MB)."""
    if QPixmapCache.cacheLimit() < CACHE_KB:
        QPixmapCache.setCacheLimit(CACHE_KB)
    views = widget.findChildren(pg.GraphicsView)
    if isinstance(widget, pg.GraphicsView):
        views.append(widget)
    changed = 0
    for view in views:
        items = view.scene().items()
        bars = [item for item in items if isinstance(item, pg.ColorBarItem)]  # a colour scale: all of it
        targets = [item for item in items if isinstance(item, DECORATIONS)]
        targets += [part for bar in bars for part in (bar, *_descendants(bar))]
        for item in targets:
            if item.cacheMode() != CACHE:
                item.setCacheMode(CACHE)
                changed += 1
    return changed


def _descendants(item):
    for child in item.childItems():
        yield child
        yield from _descendants(child)


@contextmanager
def painted_afresh(scene):
    """Every cached item of ``scene`` paints itself while the block runs (an exporter renders the scene):
    letters at their exact positions, as without a cache. The view's pixmaps are made afresh after."""
    cached = [(item, item.cacheMode()) for item in scene.items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache] if scene is not None else []
    for item, _mode in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)
