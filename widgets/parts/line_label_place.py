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

import itertools

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer

from widgets.parts.legend_place import RECHECK_MS, TEXT_COST, data_items, drawn_points, plot_texts

POSITIONS = (0.02, 0.25, 0.5, 0.75, 0.98)  # along the visible line, left to right
SPOTS = tuple((pos, side) for pos in POSITIONS for side in (1, 0))  # side 1: above the line, 0: below it
SLACK = 0.15  # of a line of text's height, at its top and bottom
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
        self._seen = None  # what the names were placed for (looked at again only when it changed)
        plot.getViewBox().sigRangeChanged.connect(self._range_changed)
        for line in self.lines:  # (a task's baseline moves or goes)
            line.sigPositionChanged.connect(self._range_changed)
            line.visibleChanged.connect(self._range_changed)

    def _range_changed(self, *_args) -> None:
        self._soon.start()

    def _situation(self, box, items, taken) -> tuple:
        """What the best spots depend on: measuring them moves each name through every spot, which would
        repaint the plot every second with nothing new (the data, ranges, size, texts and names)."""
        data = []
        for item in items:
            x, y = item.getData()
            data.append((id(item), 0 if x is None else len(x)) + (() if x is None or not len(x) else (
                float(x[0]), float(x[-1]), float(np.nansum(y)))))
        texts = [(line.label.textItem.toPlainText(), line.isVisible()) for line in self.lines
                 if getattr(line, "label", None) is not None]
        rects = [r.getRect() for r in taken] + [box.mapRectToScene(box.boundingRect()).getRect()]
        return tuple(data), tuple(texts), tuple(rects), tuple(map(tuple, box.viewRange()))

    @staticmethod
    def rects(label) -> tuple[QRectF, QRectF]:
        """(the label's box, its text without the box's margin) in scene coordinates: a margin the view box cuts
        off cuts no letter, nor do the line's top and bottom ``SLACK`` (above the capitals, below the commas)."""
        m = label.textItem.document().documentMargin()
        text = label.textItem.boundingRect().adjusted(m, m, -m, -m)
        text.adjust(0, SLACK * text.height(), 0, -SLACK * text.height())
        return label.mapRectToScene(label.boundingRect()), label.textItem.mapRectToScene(text)

    def cost(self, rects: tuple[QRectF, QRectF], points: np.ndarray, taken: list[QRectF], area: QRectF) -> float:
        box, text = rects
        inside = (points[:, 0] > box.left()) & (points[:, 0] < box.right()) & \
            (points[:, 1] > box.top()) & (points[:, 1] < box.bottom()) if len(points) else np.zeros(0, bool)
        cut = not area.contains(text)  # (the view box clips it)
        return float(inside.sum()) + TEXT_COST * (sum(box.intersects(t) for t in taken) + cut)

    def place(self) -> None:
        box = self.plot.getViewBox()
        if box.scene() is None or not any(view.isVisible() and not view.viewport().visibleRegion().isEmpty()
                                          for view in box.scene().views()):
            return  # (nobody sees it: a panel behind a tab looks again when shown)
        items = data_items(box)
        legend = getattr(self.plot, "legend", None)
        taken = [legend.mapRectToScene(legend.boundingRect())] if legend is not None and legend.isVisible() \
            and legend.items else []
        taken += plot_texts(box, leave_out=self.lines)  # (an event line's name, a text item)
        seen = self._situation(box, items, taken)
        if seen == self._seen:
            return
        self._seen = seen
        points = np.vstack([drawn_points(i) for i in items]) if items else np.empty((0, 2))
        area = box.mapRectToScene(box.boundingRect())
        lines = [line for line in self.lines if getattr(line, "label", None) is not None and line.isVisible()
                 and line.label.isVisible() and line.label.textItem.toPlainText().strip()]
        options = []  # per line: {spot: (its box, its cost alone)}
        for line in lines:
            spots = {}
            for spot in SPOTS:
                put(line.label, spot)
                rects = self.rects(line.label)
                spots[spot] = (rects[0], self.cost(rects, points, taken, area))
            options.append(spots)
        # the names together (two lines: 100 pairs): each name's cost, and none on another
        def total(choice) -> float:
            boxes = [options[i][spot][0] for i, spot in enumerate(choice)]
            overlaps = sum(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
            return sum(options[i][spot][1] for i, spot in enumerate(choice)) + TEXT_COST * overlaps
        best = min(itertools.product(SPOTS, repeat=len(lines)), key=total, default=())
        current = tuple(self.spots.get(id(line)) for line in lines)
        keep = current if None not in current and total(current) < total(best) + CLEARLY else best
        for line, spot in zip(lines, keep, strict=True):
            put(line.label, spot)
            self.spots[id(line)] = spot


def place_line_labels(plot, lines) -> LineLabelPlacer:
    return LineLabelPlacer(plot, lines)
