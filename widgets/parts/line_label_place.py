"""A reference line's name where it hides the least: no "baseline 0.167" written over the curve it explains.

``place_line_labels(plot, lines)`` keeps the name of each of ``lines`` (horizontal pyqtgraph InfiniteLines with
a label, in ``plot``'s view box) at whichever of a few spots along its line, above or below it, covers the
fewest drawn data points (``widgets.parts.legend_place.drawn_points``), inside the view box and off the
plot's legend and the other names. A fixed spot could not do this: a loss that hovers at its baseline for the
first steps lies under a name at the left end, one that ends there under a name at the right. It looks again
a moment after the view's range changes and every ``RECHECK_MS`` while shown (data arrive with every
snapshot, so the snapshot's own redraw does none of this work), and moves a name only when another spot is
clearly better, so names do not wander.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer

from widgets.parts.legend_place import RECHECK_MS, TEXT_COST, data_items, drawn_points, plot_texts

POSITIONS = (0.02, 0.25, 0.5, 0.75, 0.98)  # along the visible line, left to right
SPOTS = tuple((pos, side) for pos in POSITIONS for side in (1, 0))  # side 1: above the line, 0: below it
CLEARLY = 2  # drawn points: another spot must cover at least this many fewer to be taken


def put(label, spot: tuple[float, int]) -> None:
    """Move an InfLineLabel to ``spot`` (position along its line, side): its near end at the position."""
    pos, side = spot
    x = 0.0 if pos < 0.5 else 1.0 if pos > 0.5 else 0.5
    label.anchors = [(x, side), (x, side)]  # (pyqtgraph picks one of two by the line's half of the view)
    label.setPosition(pos)


class LineLabelPlacer(QObject):
    def __init__(self, plot, lines):
        super().__init__(plot)
        self.plot, self.lines = plot, list(lines)
        self.spots: dict[int, tuple[float, int]] = {}  # id(line): its label's spot
        self._timer = QTimer(self, interval=RECHECK_MS)
        self._timer.timeout.connect(self.place)
        self._timer.start()
        self._soon = QTimer(self, singleShot=True, interval=50)
        self._soon.timeout.connect(self.place)
        plot.getViewBox().sigRangeChanged.connect(self._range_changed)

    def _range_changed(self, *_args) -> None:
        self._soon.start()

    def cost(self, rect: QRectF, points: np.ndarray, taken: list[QRectF], area: QRectF) -> float:
        inside = (points[:, 0] > rect.left()) & (points[:, 0] < rect.right()) & \
            (points[:, 1] > rect.top()) & (points[:, 1] < rect.bottom()) if len(points) else np.zeros(0, bool)
        cut = not area.contains(rect)  # (the view box clips it)
        return float(inside.sum()) + TEXT_COST * (sum(rect.intersects(t) for t in taken) + cut)

    def place(self) -> None:
        box = self.plot.getViewBox()
        if box.scene() is None or not any(view.isVisible() and not view.viewport().visibleRegion().isEmpty()
                                          for view in box.scene().views()):
            return  # (nobody sees it: a panel behind a tab looks again when shown)
        items = data_items(box)
        points = np.vstack([drawn_points(i) for i in items]) if items else np.empty((0, 2))
        area = box.mapRectToScene(box.boundingRect())
        legend = getattr(self.plot, "legend", None)
        taken = [legend.mapRectToScene(legend.boundingRect())] if legend is not None and legend.isVisible() \
            and legend.items else []
        taken += plot_texts(box, leave_out=self.lines)  # (an event line's name, a text item)
        for line in self.lines:
            label = getattr(line, "label", None)
            if label is None or not (line.isVisible() and label.isVisible() and label.textItem.toPlainText().strip()):
                continue
            costs = {}
            for spot in SPOTS:
                put(label, spot)
                costs[spot] = self.cost(label.mapRectToScene(label.boundingRect()), points, taken, area)
            best = min(SPOTS, key=costs.__getitem__)
            current = self.spots.get(id(line))
            keep = current if current in costs and costs[current] < costs[best] + CLEARLY else best
            put(label, keep)
            self.spots[id(line)] = keep
            taken.append(label.mapRectToScene(label.boundingRect()))


def place_line_labels(plot, lines) -> LineLabelPlacer:
    return LineLabelPlacer(plot, lines)
