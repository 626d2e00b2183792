"""Data drawn under a legend or a text of its plot: notes beside the overlap audit.

``covered_data(view)`` returns one line per legend or text item of a pyqtgraph view that sits on the
plotted data (curve points and the lines between them, scatter points) of its plot: a legend box over
the curve it names hides the part a class is looking at. Points within ``EDGE`` px of the item's edge
do not count (a curve grazing a legend's corner is still read). A text item placed on purpose at a
data point (a label of that point) says so with ``item.labels_data = True``. The projector walk prints
these as NOTE lines, not problems: in a small plot no corner may be free of data (widgets.parts.legend_place
puts each legend made by ``make_legend`` where it covers the least).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from widgets.parts.legend_place import data_items, drawn_points, points_in

EDGE = 3  # px at the covering item's edge that do not count


def _covering(plot) -> list[tuple[str, object]]:
    """(name, item) of the legends and text items of a plot (its view box's, and the plot's own legend)."""
    out = []
    legend = getattr(plot, "legend", None)
    if legend is not None and legend.isVisible() and legend.items:
        out.append(("legend " + "/".join(lbl.text for _s, lbl in legend.items)[:40], legend))
    for item in plot.getViewBox().childGroup.childItems():
        if isinstance(item, pg.InfiniteLine) and isinstance(getattr(item, "label", None), pg.TextItem):
            item = item.label  # a reference line's name ("baseline 4.22", "max-norm 1")
        if isinstance(item, pg.TextItem) and item.isVisible() and item.textItem.toPlainText().strip() \
                and not getattr(item, "labels_data", False) and item.effectiveOpacity() > 0.05:
            out.append((f"text {item.textItem.toPlainText()[:30]!r}", item))
    return out


def _to_view(view, pts: np.ndarray) -> np.ndarray:
    t = view.viewportTransform()
    return np.column_stack([t.m11() * pts[:, 0] + t.m21() * pts[:, 1] + t.dx(),
                            t.m12() * pts[:, 0] + t.m22() * pts[:, 1] + t.dy()])


def covered_data(view) -> list[str]:
    """Every legend or text of a pyqtgraph view's plots lying on that plot's data, in the view's pixels."""
    if not isinstance(view, pg.GraphicsView) or view.scene() is None:
        return []
    out = []
    for plot in (i for i in view.scene().items() if isinstance(i, pg.PlotItem) and i.isVisible()):
        box = plot.getViewBox()
        clip = box.mapRectToScene(box.boundingRect())
        data = [(i.name() if isinstance(i, pg.PlotDataItem) and i.name() else type(i).__name__, drawn_points(i))
                for i in data_items(box)]
        for name, cover in _covering(plot):
            r = QRectF(view.mapFromScene(cover.mapRectToScene(cover.boundingRect()) & clip).boundingRect())
            r = r.adjusted(EDGE, EDGE, -EDGE, -EDGE)
            if r.isEmpty():
                continue
            for curve, pts in data:
                n = points_in(r, _to_view(view, pts) if len(pts) else np.empty((0, 2)))
                if n:
                    out.append(f"{name} lies on {curve} ({n} of its drawn points)")
    return out


def covered_in(window) -> list[str]:
    """``covered_data`` of every visible pyqtgraph view of a window, named as the audits name them."""
    from PySide6.QtWidgets import QGraphicsView

    from scripts.shots.layout_audit import _name

    return [f"{_name(v)}: {p}" for v in window.findChildren(QGraphicsView)
            if v.isVisible() and not v.viewport().visibleRegion().isEmpty() for p in covered_data(v)]
