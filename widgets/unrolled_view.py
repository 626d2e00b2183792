"""UnrolledView: the lecture's unrolled RNN picture, drawn live for the current example.

Bottom to top in column t: the input x_t (its token), one cell box h_t per layer and direction
(the backward row above the forward row), the merge node of a bidirectional model, then the head:
y_t at every t (per-step softmax), or one output after the sequence (acceptor / regression on the
final state), or attention weights alpha_i feeding the weighted sum Σ α_i h_i into y.
Each cell box shows its vector h_t as a strip of H unit colours (unit 0 at the left, diverging map
fixed at -1..1). Recurrent arrow into h_t: width and colour grow with ||dL/dh_t|| on a log scale
normalised over this example.

Boxes keep a fixed size and pitch whatever T is; long sequences scroll (Ctrl+wheel zooms, F fits).
Items are built once per shape (T, L, D, head, merge); new traces of the same shape only recolour.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
)

from .base import Panel, diverging_cmap

BOX_W, BOX_H = 56.0, 34.0  # cell / input / output box size (scene px)
DX, DY = 92.0, 58.0  # column pitch (time) and row pitch
NODE_R = 11.0  # radius of merge and Σ nodes
MIN_ZOOM, MAX_ZOOM, TEXT_MIN_ZOOM = 0.15, 4.0, 0.4  # zoom limits; labels hidden below TEXT_MIN_ZOOM
STRIP_W, STRIP_H = BOX_W - 6, 14.0  # the unit strip inside a cell box
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
HEAD_NAMES = {"per_step": "y_t at every step", "final": "acceptor on h_n", "regression": "regression on h_n",
              "attention": "attention y = f(Σ α_i h_i)"}


def grad_levels(g: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| -> 0..1 on a log scale normalised over the whole array (0 stays 0)."""
    g = np.asarray(g, dtype=np.float64)
    out = np.zeros_like(g)
    pos = g > 0
    if not pos.any():
        return out
    logs = np.log10(g[pos])
    lo, hi = logs.min(), logs.max()
    out[pos] = 1.0 if hi - lo < 1e-12 else (logs - lo) / (hi - lo)
    return out


def _mix(a: str, b: str, v: float) -> QColor:
    ca, cb = QColor(a), QColor(b)
    return QColor.fromRgbF(*(ca.getRgbF()[i] * (1 - v) + cb.getRgbF()[i] * v for i in range(3)))


def _arrow(path: QPainterPath, pts, head: bool = True) -> None:
    """A polyline through ``pts`` with a V arrowhead at the end."""
    path.moveTo(*pts[0])
    for p in pts[1:]:
        path.lineTo(*p)
    if head:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        d = np.array([x1 - x0, y1 - y0], dtype=float)
        d /= max(np.hypot(*d), 1e-9)
        n = np.array([-d[1], d[0]])
        for s in (1, -1):
            path.moveTo(x1 - 7 * d[0] + s * 4 * n[0], y1 - 7 * d[1] + s * 4 * n[1])
            path.lineTo(x1, y1)


class _View(QGraphicsView):
    """Scrolling view; Ctrl+wheel zooms about the mouse."""

    def __init__(self, scene, panel):
        super().__init__(scene)
        self.panel = panel
        self.setObjectName("unrolledGraphicsView")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setToolTip("The network unrolled in time. Drag or scroll to move, Ctrl+wheel to zoom, F to fit.")

    def wheelEvent(self, event):
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.panel.zoom_by(1.15 ** (event.angleDelta().y() / 120.0))
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.panel._on_view_resized()


class UnrolledView(Panel):
    title = "Unrolled network"
    time_indexed = True

    def __init__(self, parent=None):
        super().__init__("unrolledView", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.scene = QGraphicsScene(self)
        self.view = _View(self.scene, self)
        self.view.setMinimumSize(200, 120)
        bar = QHBoxLayout()
        self.legend = QLabel("", objectName="unrolledLegend")
        self.legend.setWordWrap(True)
        font = self.legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.legend.setFont(font)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.legend, 1)
        self.fit_button = QToolButton(objectName="unrolledFitButton", text="Fit")
        self.fit_button.setToolTip("Zoom to show the whole unrolled sequence (key F)")
        self.fit_button.clicked.connect(self._on_fit_clicked)
        self.zoom_reset_button = QToolButton(objectName="unrolledZoomResetButton", text="1:1")
        self.zoom_reset_button.setToolTip("Back to full-size boxes, centred on the current step t")
        self.zoom_reset_button.clicked.connect(self._on_zoom_reset_clicked)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.zoom_reset_button)
        self._layout.addLayout(bar)
        self._layout.addWidget(self.view, 1)
        for key, slot in (("F", self._on_fit_clicked), ("1", self._on_zoom_reset_clicked)):
            QShortcut(QKeySequence(key), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shape = None
        self._user_zoomed = False
        self._backward_step = None
        self._lut = diverging_cmap().getLookupTable(nPts=256)  # (256, 3) uint8
        self._clear_items()
        self.set_theme(False)

    # ---- introspection (tests, the backward-pass animation) ----------------------------
    def row_count(self) -> int:
        """Number of cell rows drawn: layers x directions."""
        return len({(l, d) for (l, d, _t) in self.cell_items})

    def cell_rect(self, layer: int, direction: int, t: int) -> QRectF:
        return self.cell_items[(layer, direction, t)].sceneBoundingRect()

    def column_x(self, t: int) -> float:
        return t * DX

    def highlight_x(self) -> float:
        """Scene x of the centre of the current-step highlight."""
        return self.highlight.sceneBoundingRect().center().x()

    def view_center_x(self) -> float:
        return self.view.mapToScene(self.view.viewport().rect().center()).x()

    def zoom(self) -> float:
        return self.view.transform().m11()

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        L, D, T, _H = trace.hidden.shape
        shape = (T, L, D, trace.output_kind, trace.merge)
        if shape != self._shape:
            self._shape = shape
            self._build(trace)
            self._auto_zoom()
        self._recolour()
        self.set_time(self.time)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.trace is None:
            return
        t = self.clamp_time(t)
        self.highlight.setPos(self.column_x(t), 0)
        self.view.centerOn(QPointF(self.column_x(t), self.view.mapToScene(
            self.view.viewport().rect().center()).y()))

    def set_backward_step(self, t: int | None) -> None:
        """Show one frame of the backward pass: dL/dh flows back from the loss, step t.

        Forward chain cells at >= t are lit with their ||dL/dh_t|| colour and cells < t are dim;
        the backward chain runs the other way, so its cells at <= T-1-t are lit. None ends it.
        """
        self._backward_step = None if t is None else int(t)
        self._recolour()

    def lit_cells(self) -> set[tuple[int, int, int]]:
        """(layer, direction, t) of the cells lit in the current backward-pass frame (all if none)."""
        return {k for k, item in self.cell_items.items() if item.opacity() > 0.5}

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        self.scene.setBackgroundBrush(QBrush(QColor(self.theme["background"])))
        if self.trace is not None:
            self._build(self.trace)
            self._recolour()
            self.set_time(self.time)

    # ---- zoom --------------------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        self._set_zoom(self.zoom() * factor)
        self._user_zoomed = True

    def fit_to_view(self) -> None:
        """Show as much of the sequence as fits, but never below MIN_ZOOM (long sequences still scroll)."""
        r, vp = self.scene.sceneRect(), self.view.viewport().rect()
        self._set_zoom(min(vp.width() / max(r.width(), 1.0), vp.height() / max(r.height(), 1.0)))
        self._user_zoomed = True
        self.set_time(self.time)

    def _set_zoom(self, z: float) -> None:
        z = float(np.clip(z, MIN_ZOOM, MAX_ZOOM))
        self.view.resetTransform()
        self.view.scale(z, z)
        for item in self.text_items:  # level of detail: labels below ~4 px are noise
            item.setVisible(z >= TEXT_MIN_ZOOM)

    def _auto_zoom(self) -> None:
        """Until the user zooms: full-size boxes, shrunk (not below 0.55) if the rows do not fit."""
        if self._user_zoomed:
            return
        height = max(self.scene.sceneRect().height(), 1.0)
        room = self.view.height() - 2 * self.view.frameWidth() - self.view.horizontalScrollBar().sizeHint().height()
        self._set_zoom(float(np.clip(room / height, 0.55, 1.0)))

    def _on_fit_clicked(self) -> None:
        self.fit_to_view()

    def _on_zoom_reset_clicked(self) -> None:
        self._user_zoomed = False
        self._auto_zoom()
        self.set_time(self.time)

    def _on_view_resized(self) -> None:
        if self.trace is not None:
            self._auto_zoom()

    # ---- building ----------------------------------------------------------------------
    def _clear_items(self) -> None:
        self.scene.clear()
        self.cell_items, self.cell_texts, self.cell_strips, self.rec_arrows = {}, {}, {}, {}
        self.input_texts, self.output_items, self.output_texts, self.alpha_items = [], [], [], []
        self.text_items = []
        self.highlight = self.scene.addRect(QRectF(-DX / 2 + 3, 0, DX - 6, 1))

    def _text(self, s: str, x: float, y: float, colour: str, size: float = 9, align: str = "c"):
        item = QGraphicsSimpleTextItem(s)
        font = QFont()
        font.setPointSizeF(size)
        item.setFont(font)
        item.setBrush(QColor(colour))
        self.scene.addItem(item)
        self._place(item, x, y, align)
        item.setZValue(3)
        item.setVisible(self.zoom() >= TEXT_MIN_ZOOM)
        self.text_items.append(item)
        return item

    @staticmethod
    def _place(item, x: float, y: float, align: str = "c") -> None:
        r = item.boundingRect()
        dx = {"c": r.width() / 2, "r": r.width(), "l": 0.0}[align]
        item.setPos(x - dx, y - r.height() / 2)

    def _box(self, x: float, y: float, w: float = BOX_W, h: float = BOX_H) -> QGraphicsRectItem:
        item = self.scene.addRect(QRectF(x - w / 2, y - h / 2, w, h), QPen(QColor(self.theme["foreground"]), 1.2))
        item.setZValue(2)
        return item

    def _node(self, x: float, y: float, label: str) -> QGraphicsEllipseItem:
        ink = self.theme["foreground"]
        item = self.scene.addEllipse(QRectF(x - NODE_R, y - NODE_R, 2 * NODE_R, 2 * NODE_R), QPen(QColor(ink), 1.2),
                                     QBrush(QColor(self.theme["background"])))
        item.setZValue(2)
        self._text(label, x, y, ink, 10)
        return item

    def _build(self, trace) -> None:
        self._clear_items()
        L, D, T, _H = trace.hidden.shape
        kind, th = trace.output_kind, self.theme
        ink, muted = th["foreground"], th["muted"]
        # rows top to bottom -> scene y of the row centre
        keys = ["y"] + (["alpha"] if kind == "attention" else []) + (["merge"] if D == 2 else [])
        keys += [(l, d) for l in reversed(range(L)) for d in reversed(range(D))] + ["x"]
        y_of = {k: i * DY for i, k in enumerate(keys)}
        per_column = kind in ("per_step", "attention")
        xo = T * DX  # output column of final / regression / attention heads
        merge_label = "+" if trace.merge == "sum" else "⊕"
        arrow_names = ("→", "←")
        row_names = {"y": "output y", "alpha": "attention α_i",
                     "merge": "merge: h→+h←" if trace.merge == "sum" else "merge: concat [h→;h←]",
                     "x": "input x_t"}
        for k, yk in y_of.items():
            name = row_names.get(k) or f"layer {k[0] + 1} {arrow_names[k[1]] if D == 2 else 'h_t'}"
            self._text(name, -DX / 2 - 28, yk, muted, 9, "r")
        wire_pen = QPen(QColor(muted), 1.2)
        for t in range(T):
            cx, path = t * DX, QPainterPath()
            xb = self._box(cx, y_of["x"])
            xb.setBrush(QBrush(QColor(th["background"])))
            self.input_texts.append(self._text("", cx, y_of["x"], ink, 9))
            self._text(str(t), cx, y_of["x"] + BOX_H / 2 + 9, muted, 8)
            point = (cx, y_of["x"] - BOX_H / 2)  # where the input of the next layer comes from
            for layer in range(L):
                y_f = y_of[(layer, 0)]
                _arrow(path, [point, (cx, y_f + BOX_H / 2)])
                out_needed = layer < L - 1 or per_column
                if D == 1:
                    point = (cx, y_f - BOX_H / 2)
                else:
                    y_b = y_of[(layer, 1)]
                    xl, xr = cx - BOX_W / 2 - 7, cx + BOX_W / 2 + 7
                    yb_bot, yf_top, yb_top = y_b + BOX_H / 2, y_f - BOX_H / 2, y_b - BOX_H / 2
                    # x (or the layer below) feeds the backward cell too: bypass left of the forward box
                    _arrow(path, [(cx, y_f + BOX_H / 2 + 7), (xl, y_f + BOX_H / 2 + 7), (xl, yb_bot + 7),
                                  (cx - 10, yb_bot + 7), (cx - 10, yb_bot)])
                    if out_needed:  # both directions go up: forward bypasses right of the backward box
                        _arrow(path, [(cx + 10, yf_top), (cx + 10, yf_top - 7), (xr, yf_top - 7),
                                      (xr, yb_top - 7), (cx, yb_top - 7)], head=False)
                        _arrow(path, [(cx, yb_top), (cx, yb_top - 7)], head=False)
                        path.addEllipse(QPointF(cx, yb_top - 7), 2, 2)
                    point = (cx, yb_top - 7)
                for d in range(D):
                    yc = y_of[(layer, d)]
                    self.cell_items[(layer, d, t)] = self._box(cx, yc)
                    self.cell_texts[(layer, d, t)] = self._text(f"h{str(t).translate(SUB)}", cx, yc - 8, ink, 8)
                    strip = QGraphicsPixmapItem()
                    strip.setPos(cx - STRIP_W / 2, yc + 1)
                    strip.setZValue(2.5)
                    self.scene.addItem(strip)
                    self.cell_strips[(layer, d, t)] = strip
                    self._recurrent_arrow(layer, d, t, T, cx, yc)
            if per_column:
                if D == 2:
                    _arrow(path, [point, (cx, y_of["merge"] + NODE_R)])
                    self._node(cx, y_of["merge"], merge_label)
                    point = (cx, y_of["merge"] - NODE_R)
                if kind == "per_step":
                    _arrow(path, [point, (cx, y_of["y"] + BOX_H / 2)])
                    self.output_items.append(self._box(cx, y_of["y"]))
                    self.output_texts.append(self._text("", cx, y_of["y"], ink, 9))
                else:
                    ya = y_of["alpha"]
                    _arrow(path, [point, (cx, ya + 4)])
                    dot = self.scene.addEllipse(QRectF(-4, -4, 8, 8), QPen(Qt.PenStyle.NoPen), QBrush(QColor(th["accent"])))
                    dot.setPos(cx, ya)
                    dot.setZValue(2)
                    self.alpha_items.append(dot)
                    path.moveTo(cx, ya - 4)
                    path.lineTo(cx, ya - 24)  # stub up to the bus into Σ
            self.scene.addPath(path, wire_pen).setZValue(1)
        self._build_output(trace, y_of, xo, merge_label, wire_pen)
        top, bottom = -DY / 2, y_of["x"] + BOX_H / 2 + 18
        self.highlight.setRect(QRectF(-DX / 2 + 3, top, DX - 6, bottom - top))
        self.highlight.setPen(QPen(QColor(th["accent"]), 2))
        fill = QColor(th["accent"])
        fill.setAlpha(40)
        self.highlight.setBrush(QBrush(fill))
        self.highlight.setZValue(0)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-12, -12, 12, 12))
        self.legend.setText("box stripes: units of h_t (blue −1 … red +1) · arrow width: ‖∂L/∂h_t‖")
        self.legend.setToolTip(f"Head: {HEAD_NAMES.get(kind, kind)}. Each box shows the vector h_t: one stripe per unit, coloured blue (−1) to red "
                               "(+1). The recurrent arrow into h_t gets thicker and redder the larger the "
                               "gradient ‖∂L/∂h_t‖ (log scale, normalised over this example).")

    def _recurrent_arrow(self, layer, d, t, T, cx, yc) -> None:
        """Arrow h_{t-1} -> h_t (forward) or h_{t+1} -> h_t (backward); the first comes from h = 0."""
        sign = 1 if d == 0 else -1  # +1: left to right
        first = t == 0 if d == 0 else t == T - 1
        x_end = cx - sign * BOX_W / 2
        x_start = cx - sign * (DX - BOX_W / 2)
        if first:
            x0 = cx - sign * DX / 2 - sign * 6
            self._node(x0 - sign * 4, yc, "0").setToolTip("initial state h = 0")
            x_start = x0 - sign * 4 + sign * NODE_R
        path = QPainterPath()
        _arrow(path, [(x_start, yc), (x_end, yc)])
        item = self.scene.addPath(path)
        item.setZValue(1)
        self.rec_arrows[(layer, d, t)] = item

    def _build_output(self, trace, y_of, xo, merge_label, wire_pen) -> None:
        L, D, T = trace.num_layers, trace.num_directions, trace.seq_len
        kind, path = trace.output_kind, QPainterPath()
        if kind == "per_step":
            return
        top = L - 1
        if kind == "attention":
            ya = y_of["alpha"]
            path.moveTo(0, ya - 24)
            path.lineTo(xo - 30, ya - 24)
            _arrow(path, [(xo - 30, ya - 24), (xo - NODE_R * 0.8, ya - NODE_R * 0.6)])
            self._node(xo, ya, "Σ").setToolTip("context Σ_i α_i h_i")
            self._text("Σ α_i h_i", xo + NODE_R + 4, ya, self.theme["muted"], 8, "l")
            _arrow(path, [(xo, ya - NODE_R), (xo, y_of["y"] + BOX_H / 2)])
        elif D == 1:
            yt = y_of[(top, 0)]
            _arrow(path, [((T - 1) * DX + BOX_W / 2, yt), (xo, yt), (xo, y_of["y"] + BOX_H / 2)])
            self._text("h_n", xo + 4, (yt + y_of["y"]) / 2, self.theme["muted"], 8, "l")
        else:
            ym, yf, yb = y_of["merge"], y_of[(top, 0)], y_of[(top, 1)]
            _arrow(path, [((T - 1) * DX + BOX_W / 2, yf), (xo, yf), (xo, ym + NODE_R)])
            _arrow(path, [(0, yb - BOX_H / 2), (0, ym), (xo - NODE_R, ym)])
            self._text("h←₀ (backward final state)", DX * 0.35, ym - 8, self.theme["muted"], 8, "l")
            self._node(xo, ym, merge_label).setToolTip("h_n = h→_n merged with h←_1")
            _arrow(path, [(xo, ym - NODE_R), (xo, y_of["y"] + BOX_H / 2)])
        self.output_items.append(self._box(xo, y_of["y"]))
        self.output_texts.append(self._text("", xo, y_of["y"], self.theme["foreground"], 9))
        self.scene.addPath(path, wire_pen).setZValue(1)

    # ---- colouring ---------------------------------------------------------------------
    def _recolour(self) -> None:
        tr = self.trace
        if tr is None or not self.cell_items:
            return
        L, D, T, _H = tr.hidden.shape
        th = self.theme
        means = tr.hidden.mean(axis=3)  # (L, D, T)
        glev = grad_levels(tr.grad_norm)  # (L, D, T) in 0..1
        idx = np.clip(((tr.hidden + 1) / 2 * 255).round(), 0, 255).astype(np.intp)  # (L, D, T, H)
        step = self._backward_step
        rgb = np.ascontiguousarray(self._lut[idx], dtype=np.uint8)  # (L, D, T, H, 3)
        H = rgb.shape[3]
        scale = QTransform.fromScale(STRIP_W / H, STRIP_H)
        for (layer, d, t), box in self.cell_items.items():
            g = float(tr.grad_norm[layer, d, t])
            lit = step is None or (t >= step if d == 0 else t <= T - 1 - step)
            fill = QColor(th["background"]) if step is None else _mix(
                th["background"], th["accent"], 0.25 + 0.75 * glev[layer, d, t])
            box.setBrush(QBrush(fill))
            box.setOpacity(1.0 if lit else 0.25)
            strip = self.cell_strips[(layer, d, t)]
            row = rgb[layer, d, t]  # (H, 3)
            strip.setPixmap(QPixmap.fromImage(QImage(row.data, H, 1, 3 * H, QImage.Format.Format_RGB888)))
            strip.setTransform(scale)
            strip.setVisible(step is None)
            text = self.cell_texts[(layer, d, t)]
            text.setBrush(QColor("#ffffff" if fill.lightnessF() < 0.45 else "#1b1d22"))
            text.setOpacity(1.0 if lit else 0.25)
            box.setToolTip(f"h_{t}, layer {layer + 1}{('', ' forward', ' backward')[(d + 1) * (D - 1)]}\n"
                           f"mean over units {means[layer, d, t]:+.3f}\n‖∂L/∂h_{t}‖ = {g:.3g}")
            v = glev[layer, d, t]
            arrow = self.rec_arrows[(layer, d, t)]
            arrow.setPen(QPen(_mix(th["muted"], th["bad"], v), 1.0 + 4.0 * v))
            arrow.setOpacity(1.0 if lit else 0.2)
            arrow.setToolTip(f"‖∂L/∂h_{t}‖ = {g:.3g}")
        for t, item in enumerate(self.input_texts):
            self._set_text(item, tr.tokens[t] if t < len(tr.tokens) else "", 7)
        correct = tr.correct
        for i, item in enumerate(self.output_texts):
            pred = tr.predictions[i] if i < len(tr.predictions) else ""
            target = tr.targets[i] if i < len(tr.targets) else ""
            self._set_text(item, pred, 7)
            box = self.output_items[i]
            ok = None if correct is None or not target else correct[i]
            colour = th["foreground"] if ok is None else (th["good"] if ok else th["bad"])
            box.setPen(QPen(QColor(colour), 2.0 if ok is not None else 1.2))
            box.setBrush(QBrush(QColor(th["background"])))
            box.setToolTip(f"prediction {pred}" + (f", target {target}" if target else ""))
        if tr.attention is not None and len(self.alpha_items) == T:
            a = np.asarray(tr.attention, dtype=float)
            scale = a / max(a.max(), 1e-12)
            for t, dot in enumerate(self.alpha_items):
                dot.setScale(0.6 + 1.9 * scale[t])
                dot.setToolTip(f"α_{t} = {a[t]:.3f}")

    def _set_text(self, item, s: str, limit: int) -> None:
        s = s if len(s) <= limit else s[: limit - 1] + "…"
        if item.text() != s:
            x = item.pos().x() + item.boundingRect().width() / 2
            y = item.pos().y() + item.boundingRect().height() / 2
            item.setText(s)
            self._place(item, x, y)

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        tr = self.trace
        if tr is None:
            return [], []
        L, D, T, _H = tr.hidden.shape
        names = [f"L{layer + 1}" + ("", " fwd", " bwd")[(d + 1) * (D - 1)] for layer in range(L) for d in range(D)]
        header = ["t", "token"] + [f"mean h {n}" for n in names] + [f"|dL/dh| {n}" for n in names]
        means = tr.hidden.mean(axis=3).reshape(L * D, T)
        grads = np.asarray(tr.grad_norm).reshape(L * D, T)
        rows = [[t, tr.tokens[t] if t < len(tr.tokens) else ""] + [float(v) for v in means[:, t]]
                + [float(v) for v in grads[:, t]] for t in range(T)]
        return header, rows

    def export_item(self):
        return self.scene
