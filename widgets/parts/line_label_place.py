"""A line's name where it hides the least: no "baseline 0.167" written over the curve it explains, no "preset: ..."
over the first steps of the loss.

``line_names(plot)`` is a plot's one placer. ``set_lines(group, lines)`` hands it pyqtgraph InfiniteLines with a
label in ``plot``'s view box (a panel's reference lines, its events' lines: each group replaced as a whole), and it
keeps each name at whichever of a few spots along its line (above or below a horizontal line, right or left of a
vertical one) covers the fewest drawn data points (``widgets.parts.legend_place.drawn_points``), with every letter
inside the view box and off the plot's legend and the other names. A fixed spot could not do this: a loss that
hovers at its baseline for the first steps lies under a name at the left end, one that ends there under a name at
the right, and a run's first event sits where its loss starts, high at the top left. The first ``JOINT`` names are
placed together (a short plot's baseline and pass names: one after the other, the first took the room the second
needed), any others one by one after them. It looks again a moment after the view's range changes or a line moves
and every ``RECHECK_MS`` while shown (data arrive with every snapshot, so the snapshot's own redraw does none of
this work), measures again only when something it depends on changed, and moves names only when other spots are
clearly better, so names do not wander.
"""
from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer

from widgets.parts.legend_place import RECHECK_MS, TEXT_COST, data_items, drawn_points, plot_texts, points_in

POSITIONS = (0.02, 0.25, 0.5, 0.75, 0.98)  # along a horizontal line, left to right
HEIGHTS = (0.93, 0.72, 0.5, 0.28, 0.07)  # along a vertical line, top first (the old names' place)
SLACK = 0.15  # of a line of text's height, at its top and bottom
CLEARLY = 2  # drawn points: other spots must cover at least this many fewer to be taken
JOINT = 3  # names placed together (at most 10 ** JOINT choices)


def vertical(line) -> bool:
    return line.angle % 180 == 90


def spots(line) -> tuple[tuple[float, int], ...]:
    """(position along the line, side): side 1 above a horizontal line or left of a vertical one, 0 the other."""
    return tuple((pos, side) for pos in (HEIGHTS if vertical(line) else POSITIONS) for side in (1, 0))


def put(label, spot: tuple[float, int]) -> None:
    """Move an InfLineLabel to ``spot``: its near end at the position, on the spot's side of its line."""
    pos, side = spot
    along = 0.0 if pos < 0.5 else 1.0 if pos > 0.5 else 0.5
    anchor = (float(side), 1.0 - along) if vertical(label.line) else (along, float(side))
    label.anchors = [anchor, anchor]  # (pyqtgraph picks one of two by the line's half of the view)
    label.setPosition(pos)


def key(line) -> tuple | None:
    """A line's name and value (what makes a new line the same as an old one), None without a name."""
    label = getattr(line, "label", None)
    return None if label is None else (label.textItem.toPlainText(), line.value())


def line_names(plot) -> LineLabelPlacer:
    """The plot's placer (made on first use): every labelled line of a plot is placed by one."""
    placer = getattr(plot, "_line_names", None)
    if placer is None:
        placer = plot._line_names = LineLabelPlacer(plot)
    return placer


class LineLabelPlacer(QObject):
    def __init__(self, plot):
        super().__init__(plot)
        self.plot = plot
        self.groups: dict[str, list] = {}
        self.spots: dict[int, tuple[float, int]] = {}  # id(line): its label's spot
        self._timer = QTimer(self, interval=RECHECK_MS)
        self._timer.timeout.connect(self.place)
        self._timer.start()
        self._soon = QTimer(self, singleShot=True, interval=50)
        self._soon.timeout.connect(self.place)
        self._seen = None  # what the names were placed for (looked at again only when it changed)
        plot.getViewBox().sigRangeChanged.connect(self._changed)

    @property
    def lines(self) -> list:
        return [line for group in self.groups.values() for line in group]

    def set_lines(self, group: str, lines) -> LineLabelPlacer:
        """Replace a group's lines. A new line named as an old one at the same value takes its spot at once
        (events' lines are made afresh when an event is added: the others' names stay where they were)."""
        lines, old = list(lines), self.groups.get(group, [])
        if len(lines) == len(old) and all(a is b for a, b in zip(lines, old, strict=True)):
            return self
        was = {key(line): self.spots[id(line)] for line in old if id(line) in self.spots and key(line)}
        self.groups[group] = lines
        mine = {id(line) for line in self.lines}
        self.spots = {k: spot for k, spot in self.spots.items() if k in mine}  # (ids of lines gone are reused)
        for line in lines:  # (a task's baseline moves or goes)
            line.sigPositionChanged.connect(self._changed)
            line.visibleChanged.connect(self._changed)
            if key(line) in was:
                put(line.label, was[key(line)])
                self.spots[id(line)] = was[key(line)]
        self._seen = None
        self._soon.start()
        return self

    def _changed(self, *_args) -> None:
        self._soon.start()

    def _situation(self, box, items, taken, lines) -> tuple:
        """What the best spots depend on: measuring them moves each name through every spot, which would
        repaint the plot every second with nothing new (the data, ranges, size, texts and names)."""
        data = []
        for item in items:
            x, y = item.getData()
            data.append((id(item), 0 if x is None else len(x)) + (() if x is None or not len(x) else (
                float(x[0]), float(x[-1]), float(np.nansum(y)))))
        texts = [(id(line), line.label.textItem.toPlainText(), line.value()) for line in lines]
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
        cut = not area.contains(text)  # (the view box clips it)
        return points_in(box, points) + TEXT_COST * (sum(box.intersects(t) for t in taken) + cut)

    def place(self) -> None:
        box = self.plot.getViewBox()
        if box.scene() is None or not any(view.isVisible() and not view.viewport().visibleRegion().isEmpty()
                                          for view in box.scene().views()):
            return  # (nobody sees it: a panel behind a tab looks again when shown)
        lines = [line for line in self.lines if getattr(line, "label", None) is not None and line.scene() is not None
                 and line.isVisible() and line.label.isVisible() and line.label.textItem.toPlainText().strip()]
        if not lines:
            return
        items = data_items(box)
        legend = getattr(self.plot, "legend", None)
        taken = [legend.mapRectToScene(legend.boundingRect())] if legend is not None and legend.isVisible() \
            and legend.items else []
        taken += plot_texts(box, leave_out=lines)  # (a text item, a line of no group)
        seen = self._situation(box, items, taken, lines)
        if seen == self._seen:
            return
        self._seen = seen
        points = np.vstack([drawn_points(i) for i in items]) if items else np.empty((0, 2))
        area = box.mapRectToScene(box.boundingRect())
        together, after = lines[:JOINT], lines[JOINT:]
        self._settle(together, self._measure(together, points, taken, area))
        for line in after:  # one by one, each off those placed before it
            taken += [self.rects(mine.label)[0] for mine in together]
            together = [line]
            self._settle(together, self._measure(together, points, taken, area))

    def _measure(self, lines, points, taken, area) -> list[dict]:
        """Per line: {spot: (its box, its cost alone)}."""
        options = []
        for line in lines:
            here = {}
            for spot in spots(line):
                put(line.label, spot)
                rects = self.rects(line.label)
                here[spot] = (rects[0], self.cost(rects, points, taken, area))
            options.append(here)
        return options

    def _settle(self, lines, options) -> None:
        """The lines' spots together: each name's cost and none on another; the current ones unless others are
        clearly better."""
        def total(choice) -> float:
            boxes = [options[i][spot][0] for i, spot in enumerate(choice)]
            overlaps = sum(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
            return sum(options[i][spot][1] for i, spot in enumerate(choice)) + TEXT_COST * overlaps

        best = min(itertools.product(*(list(o) for o in options)), key=total, default=())
        current = tuple(self.spots.get(id(line)) for line in lines)
        keep = current if None not in current and total(current) < total(best) + CLEARLY else best
        for line, spot in zip(lines, keep, strict=True):
            put(line.label, spot)
            self.spots[id(line)] = spot


def place_line_labels(plot, lines) -> LineLabelPlacer:
    """The plot's placer, with ``lines`` as its reference lines."""
    return line_names(plot).set_lines("reference", lines)
