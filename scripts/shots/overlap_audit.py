"""What a person would see drawn on top of something else: the overlap half of the layout audit.

``overlaps(window)`` returns one line per pair of things that cover each other in the visible part of a
top-level window (panels that land later included: nothing here names a panel):
  - two visible sibling widgets whose rectangles intersect (a caption under a combo box, a header run
    into its neighbour); a widget meant to float over its siblings says so with the dynamic property
    ``floating`` (then it is not judged against them);
  - two texts of one graphics view that cover each other where the view shows them: pyqtgraph text
    items, labels (titles, legends, axis names: QGraphicsTextItem, judged line by line), axis tick
    labels (as pyqtgraph draws them) and plain scene text (the unrolled network's labels);
  - in a plain scene, a label wider than the outlined box (or circle) it is centred in (it runs over it).
Like scripts/shots/layout_audit.py it judges with the widgets' own fonts, so it means something only on
a real X server (Xvfb); tests/app/test_projector_layout.py runs both for every Lecture preset.
"""
from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import (
    QDockWidget,
    QFocusFrame,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QMainWindow,
    QRubberBand,
    QSizeGrip,
    QTabBar,
    QWidget,
)

from scripts.shots.layout_audit import _name

WIDGET_SLACK = 2  # px two widgets may share (a tab bar's base line over its pane, a frame's edge)
TEXT_GAP = 1  # px two texts side by side need between them ("goodmovie" reads as one word)
TEXT_SLACK = 2  # px of height two texts on neighbouring lines may share (their line boxes touch)
NOT_JUDGED = (QRubberBand, QSizeGrip, QFocusFrame)


def _shown(w: QWidget) -> bool:
    return w.isVisible() and not w.isWindow() and not w.visibleRegion().isEmpty()


def widget_overlaps(window: QWidget) -> list[str]:
    """Visible sibling widgets that intersect (each pair once, named by its parent)."""
    out = []
    for parent in [window, *window.findChildren(QWidget)]:
        if parent is not window and not _shown(parent):
            continue
        kids = [c for c in parent.children() if isinstance(c, QWidget) and _shown(c)
                and not isinstance(c, NOT_JUDGED) and not c.property("floating")]
        for a, b in combinations(kids, 2):
            inter = a.geometry() & b.geometry()
            if inter.width() > WIDGET_SLACK and inter.height() > WIDGET_SLACK:
                out.append(f"{_name(a)} and {_name(b)} overlap by {inter.width()}x{inter.height()} px")
    return out


# ---- text in graphics scenes ------------------------------------------------------------------------
def _clip(item: QGraphicsItem, rect: QRectF) -> QRectF:
    """``rect`` (item coordinates) in the scene, cut by what its ancestors clip (a plot's view box).
    (No parentItem(): PySide 6.10 crashes later when a wrapper made by it for a top-level item is freed
    after the scene was cleared.)"""
    if item.isClipped():
        rect = rect & item.clipPath().boundingRect()
    return item.mapRectToScene(rect)


def _document_lines(item: QGraphicsTextItem) -> list[tuple[str, QRectF]]:
    """(text, rect in item coordinates) of every laid-out line of a text item's document."""
    doc, out = item.document(), []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        origin = layout.position()
        for k in range(layout.lineCount()):
            line = layout.lineAt(k)
            text = block.text()[line.textStart():line.textStart() + line.textLength()].strip()
            if text:
                r = line.naturalTextRect().translated(origin)
                out.append((text, r))
        block = block.next()
    return out


def _simple_lines(item: QGraphicsSimpleTextItem) -> list[tuple[str, QRectF]]:
    fm, out = QFontMetricsF(item.font()), []
    for k, text in enumerate(item.text().split("\n")):
        if text.strip():
            out.append((text, QRectF(0, k * fm.lineSpacing(), fm.horizontalAdvance(text), fm.height())))
    return out


def _tick_texts(axis) -> list[tuple[str, QRectF]]:
    """Tick labels as the axis draws them (axis coordinates), each line of a label on its own."""
    if not axis.style.get("showValues", True) or axis.geometry().isEmpty():
        return []
    image = QImage(4, 4, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        if axis.style.get("tickFont"):
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)
        fm = QFontMetricsF(painter.font())
    finally:
        painter.end()
    out = []
    for rect, _flags, text in (specs[2] if specs else ()):
        lines = str(text).split("\n")
        height = rect.height() / len(lines)
        for k, line in enumerate(lines):
            if not line.strip():
                continue
            width = fm.horizontalAdvance(line)
            left = {"left": rect.right() - width, "right": rect.left()}.get(axis.orientation,
                                                                          rect.center().x() - width / 2)
            out.append((line, QRectF(left, rect.top() + k * height, width, height)))
    return out


def _uncovered(r: QRect, z: float, covers) -> QRect:
    """What of ``r`` the opaque boxes drawn above it leave in view (a box as tall as the text cuts it
    from the side; one that holds it hides it)."""
    for cz, c in covers:
        if cz <= z or not c.intersects(r) or c.top() > r.top() or c.bottom() < r.bottom():
            continue
        if c.left() <= r.left() and c.right() >= r.right():
            return QRect()
        if c.left() <= r.left():
            r = r.adjusted(c.right() + 1 - r.left(), 0, 0, 0)
        elif c.right() >= r.right():
            r = r.adjusted(0, 0, c.left() - 1 - r.right(), 0)
    return r


def _covers(view: QGraphicsView) -> list[tuple[float, QRect]]:
    """(z, viewport rectangle) of the opaque boxes of a scene (what lies under them is not seen)."""
    return [(item.zValue(), view.mapFromScene(item.sceneBoundingRect()).boundingRect())
            for item in view.scene().items() if isinstance(item, QGraphicsRectItem) and item.isVisible()
            and item.brush().style() == Qt.SolidPattern and item.brush().color().alpha() == 255
            and item.effectiveOpacity() > 0.99]


def _texts(view: QGraphicsView, covers) -> list[tuple[str, QRect, float]]:
    """(text, rectangle in the viewport, z) of every text the view shows (see ``scene_texts``)."""
    import pyqtgraph as pg

    port = view.viewport().rect()
    out = []
    for item in view.scene().items():
        if not item.isVisible() or item.effectiveOpacity() < 0.05:
            continue
        if isinstance(item, QGraphicsTextItem):
            lines = _document_lines(item)
        elif isinstance(item, QGraphicsSimpleTextItem):
            lines = _simple_lines(item)
        elif isinstance(item, pg.AxisItem):
            lines = _tick_texts(item)
        else:
            continue
        for text, rect in lines:
            scene_rect = _clip(item, rect)
            if scene_rect.isEmpty():
                continue
            r = _uncovered(view.mapFromScene(scene_rect).boundingRect() & port, item.zValue(), covers)
            if r.width() > 1 and r.height() > 1:
                out.append((text, r, item.zValue()))
    return out


def scene_texts(view: QGraphicsView) -> list[tuple[str, QRect]]:
    """(text, rectangle in the view's viewport) of every text the view shows, cut to the viewport and
    to what opaque boxes above it leave (the attention stages pinned over the cells as they scroll)."""
    if view.scene() is None:
        return []
    return [(text, r) for text, r, _z in _texts(view, _covers(view))]


def _inner(r: QRect, item) -> QRect:
    """The part of an outline a label can sit in: a rectangle's inside, a circle's middle 80 % (a label
    as wide as the circle runs over its curved edge)."""
    if isinstance(item, QGraphicsEllipseItem):
        dx = round(r.width() * 0.1)
        return r.adjusted(dx, 0, -dx, 0)
    return r


def box_overflows(view: QGraphicsView, texts, covers) -> list[str]:
    """Plain scenes (the unrolled network): a label wider than the outlined box it is centred in (a token
    once presentation mode enlarged the font) runs over the box's edges. A label on an opaque box (the
    pinned attention stages) is on that box, not on what lies beneath it."""
    port = view.viewport().rect()
    boxes = [(item.zValue(), _inner(view.mapFromScene(item.sceneBoundingRect()).boundingRect(), item) & port)
             for item in view.scene().items()
             if isinstance(item, (QGraphicsRectItem, QGraphicsEllipseItem)) and item.isVisible()
             and item.pen().style() != Qt.NoPen]
    out = []
    for text, r, z in texts:
        floor = max((cz for cz, c in covers if cz < z and c.contains(r.center())), default=float("-inf"))
        holders = [b for bz, b in boxes if bz >= floor and b.contains(r.center())]
        box = min(holders, key=lambda b: b.width() * b.height(), default=None)
        if box is not None and (r.left() < box.left() - 1 or r.right() > box.right() + 1):
            out.append(f"text {text[:30]!r} ({r.width()} px) runs over the edges of its {box.width()} px box")
    return out


def text_overlaps(view: QGraphicsView) -> list[str]:
    import pyqtgraph as pg

    if view.scene() is None:
        return []
    covers = _covers(view)
    boxed = _texts(view, covers)
    texts = [(text, r) for text, r, _z in boxed]
    out = [] if isinstance(view, pg.GraphicsView) else box_overflows(view, boxed, covers)
    for (ta, a), (tb, b) in combinations(texts, 2):
        inter = a.adjusted(-TEXT_GAP, 0, TEXT_GAP, 0) & b
        if inter.width() > 0 and inter.height() > TEXT_SLACK and not (ta == tb and a == b):
            out.append(f"text {ta[:30]!r} and {tb[:30]!r} overlap at ({inter.x()},{inter.y()}) "
                       f"{inter.width()}x{inter.height()} px")
    return out


def tabless_docks(window: QWidget) -> list[str]:
    """Docks of a main window tabbed together with no visible tab bar to pick them by (a bar hidden by
    mistake: app.window.dock_layout.StaleTabBars hides the bars Qt leaves behind)."""
    if not isinstance(window, QMainWindow):
        return []
    import shiboken6

    listed = set()
    for bar in window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
        if bar.isVisible():
            listed |= {bar.tabData(i) for i in range(bar.count())}
    out = []
    for dock in window.findChildren(QDockWidget):
        group = [d for d in window.tabifiedDockWidgets(dock) if not d.isHidden()]
        if not dock.isHidden() and not dock.isFloating() and group and \
                shiboken6.getCppPointer(dock)[0] not in listed:
            out.append(f"dock {dock.objectName()} is tabbed with {len(group)} others but has no visible tab")
    return out


def overlaps(window: QWidget) -> list[str]:
    """Every overlap in the visible part of ``window``, one line each (empty: nothing covers anything)."""
    problems = widget_overlaps(window) + tabless_docks(window)
    for view in window.findChildren(QGraphicsView):
        if view.isVisible() and not view.viewport().visibleRegion().isEmpty():
            problems += [f"{_name(view)}: {p}" for p in text_overlaps(view)]
    return problems
