"""CellDiagram: the items of one cell's wiring diagram in a QGraphicsScene, built once per layout.

Each wire is a polyline with an arrowhead and a strip of unit colours (a 1 x n image stretched over
STRIP_W x STRIP_H) labelled with the deck's symbol. ``show`` colours the strips; ``pulse`` lights the
wires stage by stage with a dot travelling along the current stage's wires; ``mark_units`` outlines one
unit on every strip (the clicked unit) and ``mark_sources`` the units a hovered number was computed from.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from widgets.parts.notation import SUB, arrow

STRIP_W, STRIP_H = 80.0, 14.0
NODE_R = 16.0  # ⊙, +, 1− circles
BOX = (50.0, 30.0)  # σ / tanh boxes
LINEAR_BOX = (84.0, 30.0)


def polyline(points, head: bool = True) -> QPainterPath:
    path = QPainterPath(QPointF(*points[0]))
    for p in points[1:]:
        path.lineTo(QPointF(*p))
    if head:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        d = np.array([x1 - x0, y1 - y0], float) / max(np.hypot(x1 - x0, y1 - y0), 1e-9)
        for s in (1, -1):
            path.moveTo(QPointF(x1 - 8 * d[0] - s * 4.5 * d[1], y1 - 8 * d[1] + s * 4.5 * d[0]))
            path.lineTo(QPointF(x1, y1))
    return path


def point_along(points, frac: float) -> QPointF:
    """The point a fraction ``frac`` of the way along a polyline."""
    pts = np.asarray(points, float)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    goal, run = float(np.clip(frac, 0, 1)) * seg.sum(), 0.0
    for k, length in enumerate(seg):
        if run + length >= goal and length > 0:
            p = pts[k] + (pts[k + 1] - pts[k]) * (goal - run) / length
            return QPointF(*p)
        run += length
    return QPointF(*pts[-1])


def label_text(label: str, d: int, D: int) -> str:
    """{p} -> the previous step's subscript: ₜ₋₁ forward, ₜ₊₁ on the backward chain; arrows on h, c."""
    prev = ("t−1" if d == 0 else "t+1").translate(SUB)
    a = arrow(d, D)
    out = label.replace("h{p}", f"h{a}{prev}").replace("c{p}", f"c{a}{prev}")
    return out.replace("hₜ", f"h{a}ₜ").replace("cₜ", f"c{a}ₜ")


class CellDiagram:
    def __init__(self, scene, layout, theme: dict, d: int = 0, D: int = 1):
        self.scene, self.layout, self.theme = scene, layout, theme
        self.wire_paths, self.strips, self.frames, self.labels = {}, {}, {}, {}
        self.unit_marks, self.source_marks, self.sizes = {}, {}, {}
        self.pinned = []  # labels kept at a readable size (label_scale)
        self._label_s = None  # the scale they were last given (a redraw at the same zoom does nothing)
        th = theme
        ink, muted = QColor(th["foreground"]), QColor(th["muted"])
        self.wire_pen, self.lit_pen = QPen(muted, 1.6), QPen(QColor(th["accent"]), 2.2)
        font, small = QFont(), QFont()
        font.setPointSizeF(10)
        small.setPointSizeF(8)
        for points, head in layout.taps:
            scene.addPath(polyline(points, head), QPen(muted, 1.2)).setZValue(0)
        for n in layout.nodes:
            self._node(n, ink, font, small, d, D)
        for w in layout.wires:
            path = scene.addPath(polyline(w.points), self.wire_pen)
            path.setZValue(1)
            self.wire_paths[w.name] = path
            x, y = w.at
            frame = scene.addRect(QRectF(x - STRIP_W / 2 - 1, y - STRIP_H / 2 - 1, STRIP_W + 2, STRIP_H + 2),
                                  QPen(muted, 1), QBrush(QColor(th["background"])))
            frame.setZValue(3)
            strip = scene.addPixmap(QPixmap())
            strip.setPos(x - STRIP_W / 2, y - STRIP_H / 2)
            strip.setZValue(4)
            strip.setData(0, w.name)
            text = self._pinned(label_text(w.label, d, D), small, ink, x, y - STRIP_H / 2 - 2, (0.5, 1.0))
            self.frames[w.name], self.strips[w.name], self.labels[w.name] = frame, strip, text
            for marks, colour, style in ((self.unit_marks, th["accent"], Qt.PenStyle.SolidLine),
                                         (self.source_marks, th["foreground"], Qt.PenStyle.DotLine)):
                mark = scene.addRect(QRectF(0, 0, 1, STRIP_H + 6), QPen(QColor(colour), 2, style))
                mark.setZValue(6)
                mark.hide()
                marks[w.name] = mark
        self.dot = scene.addEllipse(QRectF(-6, -6, 12, 12), QPen(Qt.PenStyle.NoPen), QBrush(QColor(th["accent"])))
        self.dot.setZValue(8)
        self.dot.hide()
        self.extra_dots = []

    def _node(self, n, ink, font, small, d: int, D: int) -> None:
        th, s = self.theme, self.scene
        bg = QBrush(QColor(th["background"]))
        if n.kind in ("in", "out"):
            self._pinned(label_text(n.label, d, D), font, ink, n.x + (-6 if n.kind == "in" else 6), n.y,
                         (1.0 if n.kind == "in" else 0.0, 0.5))
            s.addEllipse(QRectF(n.x - 3, n.y - 3, 6, 6), QPen(ink), QBrush(ink)).setZValue(5)
            return
        if n.kind in ("mul", "add", "one_minus"):
            item = s.addEllipse(QRectF(n.x - NODE_R, n.y - NODE_R, 2 * NODE_R, 2 * NODE_R), QPen(ink, 1.4), bg)
        else:
            w, h = LINEAR_BOX if n.kind == "linear" else BOX
            item = s.addRect(QRectF(n.x - w / 2, n.y - h / 2, w, h), QPen(ink, 1.4), bg)
        item.setZValue(2)
        item.setToolTip(n.tip or n.label)
        big = QFont()  # scales with the drawing (stays inside its node at any zoom)
        big.setPointSizeF(12 if n.kind == "linear" else (14 if len(n.label) > 1 else 17))
        t = s.addSimpleText(n.label, big)
        t.setBrush(ink)
        r = t.boundingRect()
        t.setPos(n.x - r.width() / 2, n.y - r.height() / 2)
        t.setZValue(3)

    def _pinned(self, s: str, font, ink, x: float, y: float, anchor: tuple):
        """A label whose ``anchor`` (fractions of its width and height) sits at scene point (x, y); the
        view keeps it readable in a small dock (``label_scale``) and exports draw what the screen shows."""
        item = self.scene.addSimpleText(s, font)
        item.setBrush(ink)
        item.setZValue(5)
        r = item.boundingRect()
        origin = QPointF(anchor[0] * r.width(), anchor[1] * r.height())
        item.setTransformOriginPoint(origin)
        item.setPos(x - origin.x(), y - origin.y())
        self.pinned.append(item)
        return item

    def label_scale(self, k: float) -> None:
        """The view draws the scene at ``k``: labels grow by 1/k (never shrink) to stay ~8 pt. Grown, a label
        that would cover a node's symbol or an earlier label is left out (a GRU cell in a small dock wrote
        "1 − zₜ" over a ⊙); its strip's tooltip still names it."""
        s = max(1.0, 1.0 / max(k, 1e-3))
        if s == self._label_s:  # (called at every redraw of a time step: the zoom rarely changes)
            return
        self._label_s = s
        pinned = set(self.pinned)
        taken = [] if s == 1.0 else [i.sceneBoundingRect() for i in self.scene.items()
                                     if isinstance(i, QGraphicsSimpleTextItem) and i not in pinned]
        for item in self.pinned:
            if item.scale() != s:
                item.setScale(s)
            rect = item.sceneBoundingRect()
            clear = s == 1.0 or not any(rect.intersects(r) for r in taken)
            item.setVisible(clear)
            if clear:
                taken.append(rect)

    # ---- colours ---------------------------------------------------------------------------
    def show(self, rgb: dict) -> None:
        """Paint the strips: {wire: (n, 3) uint8 colours}."""
        for name, colours in rgb.items():
            n = len(colours)
            data = np.ascontiguousarray(colours, dtype=np.uint8)
            image = QImage(data.data, n, 1, 3 * n, QImage.Format.Format_RGB888).copy()
            strip = self.strips[name]
            strip.setPixmap(QPixmap.fromImage(image))
            if self.sizes.get(name) != n:
                self.sizes[name] = n
                strip.setTransform(QTransform.fromScale(STRIP_W / n, STRIP_H))

    def unit_rect(self, name: str, unit: int) -> QRectF:
        n = self.sizes.get(name, 1)
        x, y = self.layout.wire(name).at
        w = STRIP_W / n
        return QRectF(x - STRIP_W / 2 + unit * w - 1, y - STRIP_H / 2 - 3, w + 2, STRIP_H + 6)

    def unit_at(self, pos: QPointF):
        """(wire, unit) of the strip cell under a scene position, else None."""
        for name in self.strips:
            x, y = self.layout.wire(name).at
            if abs(pos.y() - y) <= STRIP_H / 2 + 2 and abs(pos.x() - x) < STRIP_W / 2:
                n = self.sizes.get(name, 0)
                if n:
                    return name, int(min((pos.x() - x + STRIP_W / 2) / STRIP_W * n, n - 1))
        return None

    def mark_units(self, unit: int | None) -> None:
        """Outline ``unit`` on every strip of H units (x_t has other entries: not marked)."""
        self._mark(self.unit_marks, {} if unit is None else {w: unit for w in self.strips if w != "x"})

    def mark_sources(self, marks: dict) -> None:
        """{wire: unit} outlined dotted: the values a hovered number was computed from."""
        self._mark(self.source_marks, marks)

    def _mark(self, items: dict, marks: dict) -> None:
        for name, item in items.items():
            unit = marks.get(name)
            if unit is None or unit >= self.sizes.get(name, 0):
                item.hide()
                continue
            item.setRect(self.unit_rect(name, unit))
            item.show()

    # ---- the pulse -------------------------------------------------------------------------
    def pulse(self, progress: float | None, backward: bool = False) -> None:
        """Light the wires up to ``progress`` (0..stages; None: all lit, no dot). Backward: the last
        stage first (the gradient flows from h_t back to the inputs)."""
        stages = self.layout.stages
        for dot in self.extra_dots:
            dot.hide()
        if progress is None:
            for name, path in self.wire_paths.items():
                path.setPen(self.wire_pen)
                self._fade(name, 1.0)
            self.dot.hide()
            return
        current, frac = int(min(progress, stages - 1e-9)), progress - int(min(progress, stages - 1e-9))
        moving = []
        for w in self.layout.wires:
            stage = stages - 1 - w.stage if backward else w.stage
            done = stage < current
            self.wire_paths[w.name].setPen(self.lit_pen if stage <= current else self.wire_pen)
            self._fade(w.name, 1.0 if done or stage == current and frac > 0.85 else 0.3)
            if stage == current:
                pts = w.points[::-1] if backward else w.points
                moving.append(point_along(pts, frac))
        while len(self.extra_dots) < len(moving):
            dot = self.scene.addEllipse(self.dot.rect(), self.dot.pen(), self.dot.brush())
            dot.setZValue(8)
            self.extra_dots.append(dot)
        self.dot.hide()
        for dot, p in zip(self.extra_dots, moving, strict=False):
            dot.setPos(p)
            dot.show()

    def _fade(self, name: str, opacity: float) -> None:
        for item in (self.strips[name], self.frames[name]):
            if item.opacity() != opacity:
                item.setOpacity(opacity)

    def lit(self) -> set[str]:
        """Wires whose strips are drawn at full strength (tests, screenshots)."""
        return {n for n, s in self.strips.items() if s.opacity() > 0.5}
