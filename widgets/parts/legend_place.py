"""A legend in the corner of its plot where it hides the least: no legend box over the curve it names.

``place_legend(plot, legend)`` keeps ``legend`` (a pyqtgraph LegendItem anchored in ``plot``'s view box)
in whichever of the four corners covers the fewest drawn data points (curve points and the lines between
them, scatter points), and no text of the plot (a line's name such as "baseline 0.167", a text item). It looks
again a moment after the view's range changes and every ``RECHECK_MS`` while shown (data arrive with
every snapshot); it moves only when another corner is clearly better, so a legend does not wander. Lines'
names keep off the legend by themselves (widgets.parts.line_label_place counts it as taken).
A legend that would cover more than ``OUTSIDE_SHARE`` of its plot (a plot squeezed into a small dock) no
corner can help: it goes above the plot, outside the view box, in as few rows as fit the plot's width, and
returns to a corner once it would cover less than ``INSIDE_SHARE`` again.
``drawn_points`` is shared with the layout audit (scripts/shots/covered_data.py).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsGridLayout, QGraphicsItem

CORNERS = ((-2, 2), (2, 2), (-2, -2), (2, -2))  # offsets: top right (the default), top left, bottom right, left
RECHECK_MS = 1000
SAMPLES = 6  # points sampled on each line segment between two data points
TEXT_COST = 10_000  # covering a text is worse than covering any number of points
OUTSIDE_SHARE = 0.4  # of its view box's area: a legend larger than this goes above the plot
NAME_MARGIN = 2  # px around the names above a plot
INSIDE_SHARE = 0.3  # ... and comes back into a corner below this (no flicker in between)


def drawn_points(item) -> np.ndarray:
    """(n, 2) scene coordinates of what a data item draws (lines sampled between its points)."""
    if isinstance(item, pg.PlotDataItem):
        x, y = item.getData()
        line = item.opts.get("pen") is not None and item.curve.isVisible()
    elif isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)):
        x, y = item.getData()
        line = isinstance(item, pg.PlotCurveItem)
    else:
        return np.empty((0, 2))
    if x is None or y is None or len(x) == 0:
        return np.empty((0, 2))
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if line and len(x) > 1:
        f = np.linspace(0, 1, SAMPLES, endpoint=False)
        x = np.concatenate([(x[:-1, None] + f * np.diff(x)[:, None]).ravel(), x[-1:]])
        y = np.concatenate([(y[:-1, None] + f * np.diff(y)[:, None]).ravel(), y[-1:]])
    t = item.sceneTransform()
    return np.column_stack([t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy()])


def points_in(rect: QRectF, points: np.ndarray) -> int:
    """How many of (n, 2) scene ``points`` lie strictly inside ``rect``."""
    if not len(points):
        return 0
    return int(((points[:, 0] > rect.left()) & (points[:, 0] < rect.right()) &
                (points[:, 1] > rect.top()) & (points[:, 1] < rect.bottom())).sum())


def data_items(box) -> list:
    kinds = (pg.PlotDataItem, pg.PlotCurveItem, pg.ScatterPlotItem)
    return [i for i in box.childGroup.childItems() if isinstance(i, kinds) and i.isVisible()
            and i.effectiveOpacity() > 0.05]


def plot_texts(box, leave_out=()) -> list[QRectF]:
    """Scene rectangles of the texts drawn in a view box: text items and the labels of its lines (but those of
    the lines ``leave_out``)."""
    out = []
    for item in box.childGroup.childItems():  # (addedItems leaves out those added with ignoreBounds)
        if any(item is line for line in leave_out):
            continue
        labels = [item] if isinstance(item, pg.TextItem) else \
            [item.label] if isinstance(item, pg.InfiniteLine) and getattr(item, "label", None) is not None else []
        out += [t.mapRectToScene(t.boundingRect()) for t in labels if t.isVisible() and t.effectiveOpacity() > 0.05]
    return out


def legend_size(legend, columns: int) -> tuple[float, float]:
    """(width, height) of ``legend`` laid out in ``columns`` columns, as LegendItem.updateSize measures it."""
    entries = [(s.width() + 3 + lab.width() + 3, max(s.height(), lab.height())) for s, lab in legend.items]
    rows = [entries[i:i + columns] for i in range(0, len(entries), max(columns, 1))]
    return (max((sum(w for w, _h in row) for row in rows), default=0.0),
            sum(max(h for _w, h in row) for row in rows))


def series_color(item):
    """The colour an item draws its series in (its pen, else its symbols' brush or pen)."""
    opts = getattr(item, "opts", {})
    for key, make in (("pen", pg.mkPen), ("symbolPen", pg.mkPen), ("symbolBrush", pg.mkBrush), ("brush", pg.mkBrush)):
        if opts.get(key) is not None:
            return make(opts[key]).color()
    return pg.mkColor("w")


class LegendPlacer(QObject):
    def __init__(self, plot, legend):
        super().__init__(legend)
        self.plot, self.legend, self.corner = plot, legend, CORNERS[0]
        self.columns = legend.columnCount  # inside the view box
        self.outside = False  # above the plot (too large for any corner of it)
        self._title_row = None  # the plot's own title row height while the legend is above it (if fixed)
        self.margins = legend.layout.getContentsMargins()  # (its box's, inside)
        self._timer = QTimer(self, interval=RECHECK_MS)
        self._timer.timeout.connect(self.place)
        self._timer.start()
        self._soon = QTimer(self, singleShot=True, interval=50)
        self._soon.timeout.connect(self.place)
        plot.getViewBox().sigRangeChanged.connect(self._range_changed)  # (a method: gone with the legend)
        self._remove, self._add = legend.removeItem, legend.addItem
        legend.removeItem = self.remove_item  # (an entry removed or added while the names stand alone above
        legend.addItem = self.add_item  # the plot)

    def remove_item(self, item) -> None:
        """pyqtgraph removes an entry's sample and label from the legend's layout: with the names alone above
        the plot the samples are in none (Qt warned "removeAt: invalid index -1"); the samples' layout first."""
        self._samples_again()
        self._remove(item)
        self._soon.start()  # (placed again, names or samples)

    def add_item(self, item, name) -> None:
        """An entry added to the names alone above the plot would bring its sample into their row (drawn, in
        the wrong colour, wider than the plot, and never laid out again): the samples' layout first."""
        self._samples_again()
        self._add(item, name)
        self._soon.start()

    def _samples_again(self) -> None:
        if self._shape() is not None and self._shape()[0] == "names":
            self._relayout("samples", self.legend.columnCount or self.columns)

    def _range_changed(self, *_args) -> None:
        self._soon.start()

    def cost(self, rect: QRectF, points: np.ndarray, texts) -> float:
        return points_in(rect, points) + TEXT_COST * sum(rect.intersects(t) for t in texts)

    def place(self) -> None:
        legend, box = self.legend, self.plot.getViewBox()
        if not legend.isVisible() or not legend.items or box.scene() is None or not any(
                view.isVisible() and not view.viewport().visibleRegion().isEmpty() for view in box.scene().views()):
            return  # (nothing to place where nobody sees it: a panel behind a tab looks again when shown)
        (inside_w, inside_h), (left, top, right, bottom) = legend_size(legend, self.columns), self.margins
        share = (inside_w + left + right) * (inside_h + top + bottom) / max(box.width() * box.height(), 1.0)
        if share > OUTSIDE_SHARE or (self.outside and share > INSIDE_SHARE):
            self._put_above()
            return
        if self.outside:
            self._put_inside()
        area = box.mapRectToScene(box.boundingRect())
        size = legend.mapRectToScene(legend.boundingRect()).size()
        items = data_items(box)
        points = np.concatenate([drawn_points(i) for i in items]) if items else np.empty((0, 2))
        texts = plot_texts(box)
        costs = {}
        for dx, dy in CORNERS:
            left = area.left() + dx if dx > 0 else area.right() + dx - size.width()
            top = area.top() + dy if dy > 0 else area.bottom() + dy - size.height()
            costs[(dx, dy)] = self.cost(QRectF(left, top, size.width(), size.height()), points, texts)
        best = min(CORNERS, key=lambda c: costs[c])  # (ties: the earlier corner, top right first)
        if costs[best] < costs[self.corner] * 0.8 - 1:  # clearly better: move (else stay, no wandering)
            self.corner = best
            legend.setOffset(best)

    def set_shown(self, shown: bool) -> None:
        """Show or hide the legend (a hidden one gives back the row it took above its plot)."""
        if not shown and self.outside:
            self._put_inside()
        self.legend.setVisible(shown)
        if shown:
            self._soon.start()

    def plot_item(self):
        return self.plot.getPlotItem() if hasattr(self.plot, "getPlotItem") else self.plot

    def _title_height(self, item, outside: bool = True) -> float:
        """The title row's height: PlotItem.setTitle's 30 px, or (names below it) its text's own height."""
        if not item.titleLabel.isVisible():
            return 0.0
        return item.titleLabel.item.boundingRect().height() if outside else 30.0

    def _put_above(self) -> None:
        """The legend in the plot's title row (under its title), in one row if it fits the plot's width:
        with its line samples if they fit, else its names alone in their series' colours."""
        item, legend = self.plot_item(), self.legend
        n, (left, _top, right, _bottom) = len(legend.items), self.margins
        if legend_size(legend, n)[0] + left + right <= item.width():
            shape = ("samples", n)
        else:  # the names alone, close together (NAME_MARGIN)
            gap = legend.layout.horizontalSpacing()
            widths = [lab.width() + gap for _s, lab in legend.items]
            shape = ("names", next((c for c in range(n, 0, -1) if max(
                sum(widths[i:i + c]) for i in range(0, n, c)) <= item.width() - 2 * NAME_MARGIN), 1))
        if shape != self._shape():
            self._relayout(*shape)
        if not self.outside:
            row = item.layout.rowMaximumHeight(0)  # the plot's own title row (given back inside), if fixed
            self._title_row = row if row < 1e4 else None
        if legend.parentItem() is not item:
            legend.setParentItem(item)
        title = self._title_height(item)
        legend.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, title))
        height = title + legend.boundingRect().height()
        if abs(item.layout.rowMaximumHeight(0) - height) > 0.5:
            item.layout.setRowFixedHeight(0, height)
        self.outside = True

    def _shape(self):
        legend = self.legend
        if all(s.isVisible() for s, _lab in legend.items):
            return ("samples", legend.columnCount) if legend.parentItem() is self.plot_item() else None
        return ("names", getattr(self, "_name_columns", 0))

    def _relayout(self, kind: str, columns: int) -> None:
        legend, old = self.legend, self.legend.layout
        for i in range(old.count() - 1, -1, -1):
            old.removeAt(i)
        # a new layout: a grid layout keeps its rows once made (two empty rows would keep their spacing)
        lay = QGraphicsGridLayout()
        lay.setVerticalSpacing(old.verticalSpacing())
        lay.setHorizontalSpacing(old.horizontalSpacing())
        legend.layout = lay
        legend.setLayout(lay)  # (Qt deletes the old one)
        legend.columnCount = 0  # (LegendItem.setColumnCount lays the entries out again)
        for k, (sample, label) in enumerate(legend.items):
            sample.setVisible(kind == "samples")
            color = series_color(sample.item) if kind == "names" else legend.opts["labelTextColor"]
            label.setAttr("color", color)
            label.setText(label.text)
            if kind == "names":
                lay.addItem(label, k // columns, k % columns)
        lay.setContentsMargins(*(self.margins if kind == "samples" else (NAME_MARGIN, 0, NAME_MARGIN, 0)))
        if kind == "samples":
            legend.setColumnCount(columns)
        else:
            legend.columnCount, self._name_columns = columns, columns
            gap = lay.horizontalSpacing()
            rows = [legend.items[i:i + columns] for i in range(0, len(legend.items), columns)]
            legend.setGeometry(0, 0, 2 * NAME_MARGIN + max(sum(lab.width() + gap for _s, lab in row) for row in rows),
                               sum(max(lab.height() for _s, lab in row) for row in rows))

    def _put_inside(self) -> None:
        item, legend = self.plot_item(), self.legend
        self._relayout("samples", self.columns)
        legend.setParentItem(self.plot.getViewBox())
        item.layout.setRowFixedHeight(0, self._title_row or self._title_height(item, outside=False))
        legend.setOffset(self.corner)
        self.outside = False


def add_legend(plot, **opts) -> pg.LegendItem:
    """``plot.addLegend(**opts)``, drawn at its view's scale like the rest of the plot. pyqtgraph's legend
    ignores its view's transformations (it keeps its pixel size when a view zooms), so wherever a scene is
    drawn larger it stayed at 1x: in presentation mode (the view scales its scene) it was unreadable from the
    back of a room, its row above the plot left a gap, it sat off its anchor and its device-coordinate
    cache lost its label's text; in an export at 2x it came out half-size."""
    legend = plot.addLegend(**opts)
    legend.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, False)
    return legend


def place_legend(plot, legend) -> LegendPlacer:
    """Keep ``legend`` in the corner of ``plot`` where it hides the least (see the module docstring)."""
    legend.placer = LegendPlacer(plot, legend)
    return legend.placer
