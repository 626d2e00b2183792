"""UnrolledView: the lecture's unrolled RNN picture, drawn live for the current example.

Column t, bottom to top: input x_t (its token), a cell box h_t per layer and direction (backward row
above forward), a bidirectional merge node, then the head: y_t per step, one output after the sequence
(final state), or attention dots α_i feeding Σ α_i h_i into y. A cell box shows h_t as H unit stripes
(diverging map, -1..1); the arrow into h_t thickens and reddens with ||dL/dh_t|| (log, per example).
Fixed box size and pitch for any T: long sequences scroll. Items are built once per shape.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QSizePolicy

from .base import Panel, apply_palette, diverging_cmap, log_levels, mix_colors

BOX_W, BOX_H = 56.0, 34.0  # cell / input / output box size (scene px)
DX, DY = 92.0, 58.0  # column pitch (time) and row pitch
NODE_R = 11.0  # radius of merge, Σ and initial-state nodes
STRIP_W, STRIP_H = BOX_W - 6, 14.0  # the unit strip inside a cell box
MIN_ZOOM, MAX_ZOOM, TEXT_MIN_ZOOM = 0.25, 4.0, 0.4  # zoom limits; labels hidden below TEXT_MIN_ZOOM
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
HEAD_NAMES = {"per_step": "y_t at every step", "final": "acceptor on h_n", "regression": "regression on h_n",
              "attention": "attention y = f(Σ α_i h_i)"}


def _arrow(path: QPainterPath, pts, head: bool = True) -> None:
    """A polyline through ``pts`` with a V arrowhead at the end."""
    path.moveTo(*pts[0])
    for p in pts[1:]:
        path.lineTo(*p)
    if head:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        d = np.array([x1 - x0, y1 - y0], dtype=float) / max(np.hypot(x1 - x0, y1 - y0), 1e-9)
        for s in (1, -1):
            path.moveTo(x1 - 7 * d[0] - s * 4 * d[1], y1 - 7 * d[1] + s * 4 * d[0])
            path.lineTo(x1, y1)


class UnrolledView(Panel):
    title = "Unrolled network"
    time_indexed = True

    def __init__(self, parent=None):
        super().__init__("unrolledView", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene, objectName="unrolledGraphicsView", minimumSize=QSize(200, 120))
        self.view.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.view.setToolTip("The network unrolled in time. Drag or scroll to move, Ctrl+wheel zooms, F fits")
        self.view.viewport().installEventFilter(self)
        bar = QtWidgets.QHBoxLayout()
        self.legend = QLabel("", objectName="unrolledLegend", wordWrap=True)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.legend, 1)
        buttons = []
        for name, text, key, tip, slot in (
                ("unrolledFitButton", "Fit", "F", "Zoom out to show as much of the sequence as fits (key F)",
                 self.fit_to_view),
                ("unrolledZoomResetButton", "1:1", "1", "Full-size boxes centred on step t (key 1)",
                 self.reset_zoom)):
            buttons.append(QtWidgets.QToolButton(objectName=name, text=text, toolTip=tip))
            buttons[-1].clicked.connect(slot)
            bar.addWidget(buttons[-1])
            QtGui.QShortcut(QtGui.QKeySequence(key), self, slot,
                            context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fit_button, self.zoom_reset_button = buttons
        self._layout.addLayout(bar)
        self._layout.addWidget(self.view, 1)
        self._shape, self._user_zoomed, self._backward_step = None, False, None
        self._lut = diverging_cmap().getLookupTable(nPts=256)  # (256, 3) uint8
        self._clear_items()
        self.set_theme(False)

    # ---- introspection (tests, the backward-pass animation) ----------------------------
    def row_count(self) -> int:
        """Number of cell rows drawn: layers x directions."""
        return len({key[:2] for key in self.cell_items})

    def highlight_x(self) -> float:
        """Scene x of the centre of the current-step highlight."""
        return self.highlight.sceneBoundingRect().center().x()

    def view_center(self) -> QPointF:
        return self.view.mapToScene(self.view.viewport().rect().center())

    def eventFilter(self, obj, event) -> bool:
        """On the view's viewport: Ctrl+wheel zooms about the mouse; a resize re-fits the rows."""
        if event.type() == QEvent.Type.Wheel and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 ** (event.angleDelta().y() / 120.0))
            return True
        if event.type() == QEvent.Type.Resize and self.trace is not None:
            self._auto_zoom()
        return super().eventFilter(obj, event)

    def zoom(self) -> float:
        return self.view.transform().m11()

    def lit_cells(self) -> set[tuple[int, int, int]]:
        """(layer, direction, t) of the cells lit in the current backward-pass frame (all if none)."""
        return {k for k, item in self.cell_items.items() if item.opacity() > 0.5}

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        L, D, T, _H = trace.hidden.shape
        shape = (T, L, D, trace.output_kind, trace.merge)
        rebuilt = shape != self._shape
        if rebuilt:
            self._shape = shape
            self._build(trace)
            self._auto_zoom()
        self._recolour()
        if rebuilt:
            self.set_time(self.time)  # centre on t; later same-shape traces leave the scrolling alone

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.trace is not None:
            x = self.clamp_time(t) * DX
            self.highlight.setPos(x, 0)
            self.view.centerOn(QPointF(x, self.view_center().y()))

    def set_backward_step(self, t: int | None) -> None:
        """Show one frame of the backward pass (t runs T-1 -> 0): dL/dh flows back from the loss.

        Forward-chain cells at >= t are lit with their ||dL/dh_t|| colour, cells < t dim. The
        backward chain (d=1) runs right to left, so its frame is mirrored: cells at <= T-1-t lit.
        None ends the animation and restores the activation strips.
        """
        self._backward_step = None if t is None else int(t)
        self._recolour()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        self.scene.setBackgroundBrush(QBrush(QColor(self.theme["background"])))
        apply_palette(self, self.theme)
        if self.trace is not None:  # colours are baked into the items: rebuild
            self._build(self.trace)
            self._recolour()
            self.set_time(self.time)

    # ---- zoom --------------------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        self._set_zoom(self.zoom() * factor)
        self._user_zoomed = True

    def fit_to_view(self) -> None:
        """Show as much of the sequence as fits, never below MIN_ZOOM (long sequences still scroll)."""
        r, vp = self.scene.sceneRect(), self.view.viewport().rect()
        self._set_zoom(min(vp.width() / max(r.width(), 1.0), vp.height() / max(r.height(), 1.0)))
        self._user_zoomed = True
        self.set_time(self.time)

    def _set_zoom(self, z: float) -> None:
        z = float(np.clip(z, MIN_ZOOM, MAX_ZOOM))
        self.view.resetTransform()
        self.view.scale(z, z)
        for item in self.text_items:  # level of detail: labels a few px high are noise
            item.setVisible(z >= TEXT_MIN_ZOOM)

    def _auto_zoom(self) -> None:
        """Until the user zooms: full-size boxes, shrunk (not below 0.55) if the rows do not fit."""
        if not self._user_zoomed:
            v = self.view
            room = v.height() - 2 * v.frameWidth() - v.horizontalScrollBar().sizeHint().height()
            self._set_zoom(float(np.clip(room / max(self.scene.sceneRect().height(), 1.0), 0.55, 1.0)))

    def reset_zoom(self) -> None:
        """Back to automatic zoom (full-size boxes unless the rows do not fit), centred on t."""
        self._user_zoomed = False
        self._auto_zoom()
        self.set_time(self.time)

    # ---- building ----------------------------------------------------------------------
    def _clear_items(self) -> None:
        self.scene.clear()
        self.cell_items, self.cell_texts, self.cell_strips, self.rec_arrows = {}, {}, {}, {}
        self.input_texts, self.output_items, self.output_texts, self.alpha_items = [], [], [], []
        self.text_items = []
        self.highlight = self.scene.addRect(QRectF(-DX / 2 + 3, 0, DX - 6, 1))

    def _text(self, s: str, x: float, y: float, colour: str, size: float = 9, align: str = "c"):
        font = QFont()
        font.setPointSizeF(size)
        item = self.scene.addSimpleText(s, font)
        item.setBrush(QColor(colour))
        item.setZValue(3)
        item.setVisible(self.zoom() >= TEXT_MIN_ZOOM)
        self._place(item, x, y, align)
        self.text_items.append(item)
        return item

    @staticmethod
    def _place(item, x: float, y: float, align: str = "c") -> None:
        r = item.boundingRect()
        item.setPos(x - {"c": r.width() / 2, "r": r.width(), "l": 0.0}[align], y - r.height() / 2)

    def _box(self, x: float, y: float):
        th = self.theme
        item = self.scene.addRect(QRectF(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H),
                                  QPen(QColor(th["foreground"]), 1.2), QBrush(QColor(th["background"])))
        item.setZValue(2)
        return item

    def _node(self, x: float, y: float, label: str, tip: str = ""):
        ink, r = self.theme["foreground"], NODE_R
        item = self.scene.addEllipse(QRectF(x - r, y - r, 2 * r, 2 * r), QPen(QColor(ink), 1.2),
                                     QBrush(QColor(self.theme["background"])))
        item.setZValue(2)
        item.setToolTip(tip)
        self._text(label, x, y, ink, 10)

    def _build(self, trace) -> None:
        self._clear_items()
        L, D, T, _H = trace.hidden.shape
        kind, th = trace.output_kind, self.theme
        keys = ["y"] + (["alpha"] if kind == "attention" else []) + (["merge"] if D == 2 else [])
        keys += [(lay, d) for lay in reversed(range(L)) for d in reversed(range(D))] + ["x"]
        y_of = {k: i * DY for i, k in enumerate(keys)}  # row key -> scene y of the row centre, top to bottom
        merge = "+" if trace.merge == "sum" else "⊕"
        names = {"y": "output y", "alpha": "attention α_i", "x": "input x_t",
                 "merge": "merge: h→+h←" if trace.merge == "sum" else "merge: concat [h→;h←]"}
        for k, yk in y_of.items():
            name = names.get(k) or f"layer {k[0] + 1} " + (("→", "←")[k[1]] if D == 2 else "h_t")
            self._text(name, -DX / 2 - 28, yk, th["muted"], 9, "r")
        wire_pen = QPen(QColor(th["muted"]), 1.2)
        for t in range(T):
            path = QPainterPath()
            self._build_column(t, trace, y_of, merge, path)
            self.scene.addPath(path, wire_pen).setZValue(1)
        self._build_output(trace, y_of, T * DX, merge, wire_pen)
        top, bottom = -DY / 2, y_of["x"] + BOX_H / 2 + 18
        self.highlight.setRect(QRectF(-DX / 2 + 3, top, DX - 6, bottom - top))
        self.highlight.setPen(QPen(QColor(th["accent"]), 2))
        fill = QColor(th["accent"])
        fill.setAlpha(40)
        self.highlight.setBrush(QBrush(fill))
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-12, -12, 12, 12))
        self.legend.setText("box stripes: units of h_t (blue −1 … red +1) · arrow width: ‖∂L/∂h_t‖")
        self.legend.setToolTip(f"Head: {HEAD_NAMES.get(kind, kind)}. Each box shows the vector h_t: one "
                               "stripe per unit, blue (−1) to red (+1). The recurrent arrow into h_t "
                               "gets thicker and redder the larger ‖∂L/∂h_t‖ (log scale, over this example).")

    def _build_column(self, t: int, trace, y_of: dict, merge: str, path: QPainterPath) -> None:
        """Input box, cell boxes and the static wiring of column t (wires drawn into ``path``)."""
        L, D, T = trace.num_layers, trace.num_directions, trace.seq_len
        kind, ink, cx = trace.output_kind, self.theme["foreground"], t * DX
        per_column = kind in ("per_step", "attention")
        self._box(cx, y_of["x"])
        self.input_texts.append(self._text("", cx, y_of["x"], ink, 9))
        self._text(str(t + 1), cx, y_of["x"] + BOX_H / 2 + 9, self.theme["muted"], 8)  # the lecture counts from 1
        point = (cx, y_of["x"] - BOX_H / 2)  # where the input of the next layer comes from
        for layer in range(L):
            y_f = y_of[(layer, 0)]
            _arrow(path, [point, (cx, y_f + BOX_H / 2)])
            point = (cx, y_f - BOX_H / 2)
            if D == 2:
                xl, xr = cx - BOX_W / 2 - 7, cx + BOX_W / 2 + 7
                y_b = y_of[(layer, 1)]
                yf_top, yb_bot, yb_top = y_f - BOX_H / 2, y_b + BOX_H / 2, y_b - BOX_H / 2
                # the same input feeds the backward cell: bypass left of the forward box
                _arrow(path, [(cx, y_f + BOX_H / 2 + 7), (xl, y_f + BOX_H / 2 + 7), (xl, yb_bot + 7),
                              (cx - 10, yb_bot + 7), (cx - 10, yb_bot)])
                if layer < L - 1 or per_column:  # both go up: forward bypasses right of the backward box
                    _arrow(path, [(cx + 10, yf_top), (cx + 10, yf_top - 7), (xr, yf_top - 7),
                                  (xr, yb_top - 7), (cx, yb_top - 7)], head=False)
                    _arrow(path, [(cx, yb_top), (cx, yb_top - 7)], head=False)
                    path.addEllipse(QPointF(cx, yb_top - 7), 2, 2)
                point = (cx, yb_top - 7)
            for d in range(D):
                yc = y_of[(layer, d)]
                self.cell_items[(layer, d, t)] = self._box(cx, yc)
                self.cell_texts[(layer, d, t)] = self._text(f"h{str(t + 1).translate(SUB)}", cx, yc - 8, ink, 8)
                strip = QtWidgets.QGraphicsPixmapItem()
                strip.setPos(cx - STRIP_W / 2, yc + 1)
                strip.setZValue(2.5)
                self.scene.addItem(strip)
                self.cell_strips[(layer, d, t)] = strip
                self._recurrent_arrow(layer, d, t, T, cx, yc)
        if not per_column:
            return
        if D == 2:
            _arrow(path, [point, (cx, y_of["merge"] + NODE_R)])
            self._node(cx, y_of["merge"], merge)
            point = (cx, y_of["merge"] - NODE_R)
        if kind == "per_step":
            _arrow(path, [point, (cx, y_of["y"] + BOX_H / 2)])
            self.output_items.append(self._box(cx, y_of["y"]))
            self.output_texts.append(self._text("", cx, y_of["y"], ink, 9))
            return
        ya = y_of["alpha"]
        _arrow(path, [point, (cx, ya + 4)])
        dot = self.scene.addEllipse(QRectF(-4, -4, 8, 8), QPen(Qt.PenStyle.NoPen),
                                    QBrush(QColor(self.theme["accent"])))
        dot.setPos(cx, ya)
        dot.setZValue(2)
        self.alpha_items.append(dot)
        path.moveTo(cx, ya - 4)
        path.lineTo(cx, ya - 24)  # stub up to the bus into Σ

    def _recurrent_arrow(self, layer, d, t, T, cx, yc) -> None:
        """Arrow h_{t-1} -> h_t (forward) or h_{t+1} -> h_t (backward); the first comes from h = 0."""
        sign = 1 if d == 0 else -1  # +1: left to right
        x_start = cx - sign * (DX - BOX_W / 2)
        if t == (0 if d == 0 else T - 1):
            x0 = cx - sign * (DX / 2 + 10)
            self._node(x0, yc, "0", "initial state h = 0")
            x_start = x0 + sign * NODE_R
        path = QPainterPath()
        _arrow(path, [(x_start, yc), (cx - sign * BOX_W / 2, yc)])
        self.rec_arrows[(layer, d, t)] = item = self.scene.addPath(path)
        item.setZValue(1)

    def _build_output(self, trace, y_of, xo, merge, wire_pen) -> None:
        """The single output of final / regression / attention heads, in the column after the sequence."""
        L, D, T = trace.num_layers, trace.num_directions, trace.seq_len
        kind, path, muted = trace.output_kind, QPainterPath(), self.theme["muted"]
        y_in = y_of["y"] + BOX_H / 2  # bottom of the output box
        if kind == "per_step":
            return
        if kind == "attention":
            ya = y_of["alpha"]
            _arrow(path, [(0, ya - 24), (xo - 30, ya - 24), (xo - NODE_R * 0.8, ya - NODE_R * 0.6)])
            self._node(xo, ya, "Σ", "context Σ_i α_i h_i")
            self._text("Σ α_i h_i", xo + NODE_R + 4, ya, muted, 8, "l")
            _arrow(path, [(xo, ya - NODE_R), (xo, y_in)])
        elif D == 1:
            yt = y_of[(L - 1, 0)]
            _arrow(path, [((T - 1) * DX + BOX_W / 2, yt), (xo, yt), (xo, y_in)])
            self._text("h_n", xo + 4, (yt + y_of["y"]) / 2, muted, 8, "l")
        else:
            ym, yf, yb = y_of["merge"], y_of[(L - 1, 0)], y_of[(L - 1, 1)]
            _arrow(path, [((T - 1) * DX + BOX_W / 2, yf), (xo, yf), (xo, ym + NODE_R)])
            _arrow(path, [(0, yb - BOX_H / 2), (0, ym), (xo - NODE_R, ym)])
            self._text("h←₁ (backward final state)", DX * 0.35, ym - 8, muted, 8, "l")
            self._node(xo, ym, merge, "h_n: last forward state merged with the backward state at t=1")
            _arrow(path, [(xo, ym - NODE_R), (xo, y_in)])
        self.output_items.append(self._box(xo, y_of["y"]))
        self.output_texts.append(self._text("", xo, y_of["y"], self.theme["foreground"], 9))
        self.scene.addPath(path, wire_pen).setZValue(1)

    # ---- colouring ---------------------------------------------------------------------
    def _recolour(self) -> None:
        tr, th, step = self.trace, self.theme, self._backward_step
        if tr is None or not self.cell_items:
            return
        L, D, T, H = tr.hidden.shape
        means = tr.hidden.mean(axis=3)  # (L, D, T)
        glev = log_levels(tr.grad_norm)  # (L, D, T) in 0..1
        idx = np.clip(((tr.hidden + 1) / 2 * 255).round(), 0, 255).astype(np.intp)  # (L, D, T, H)
        rgb = np.ascontiguousarray(self._lut[idx], dtype=np.uint8)  # (L, D, T, H, 3)
        scale = QTransform.fromScale(STRIP_W / H, STRIP_H)
        for (layer, d, t), box in self.cell_items.items():
            g, v = float(tr.grad_norm[layer, d, t]), glev[layer, d, t]
            lit = step is None or (t >= step if d == 0 else t <= T - 1 - step)
            fill = QColor(th["background"]) if step is None else mix_colors(th["background"], th["accent"],
                                                                      0.25 + 0.75 * v)
            box.setBrush(QBrush(fill))
            box.setOpacity(1.0 if lit else 0.25)
            strip = self.cell_strips[(layer, d, t)]
            image = QImage(rgb[layer, d, t].data, H, 1, 3 * H, QImage.Format.Format_RGB888)  # 1 x H pixels
            strip.setPixmap(QPixmap.fromImage(image))
            strip.setTransform(scale)
            strip.setVisible(step is None)
            text = self.cell_texts[(layer, d, t)]
            text.setBrush(QColor("#ffffff" if fill.lightnessF() < 0.45 else "#1b1d22"))
            text.setOpacity(1.0 if lit else 0.25)
            box.setToolTip(f"h_{t}, layer {layer + 1}{('', ' forward', ' backward')[(d + 1) * (D - 1)]}\n"
                           f"mean over units {means[layer, d, t]:+.3f}\n‖∂L/∂h_{t}‖ = {g:.3g}")
            arrow = self.rec_arrows[(layer, d, t)]
            arrow.setPen(QPen(mix_colors(th["muted"], th["bad"], v), 1.0 + 4.0 * v))
            arrow.setOpacity(1.0 if lit else 0.2)
            arrow.setToolTip(f"‖∂L/∂h_{t}‖ = {g:.3g}")
        for t, item in enumerate(self.input_texts):
            self._set_text(item, tr.tokens[t] if t < len(tr.tokens) else "")
        self._recolour_outputs()

    def _recolour_outputs(self) -> None:
        tr, th, correct = self.trace, self.theme, self.trace.correct
        for i, item in enumerate(self.output_texts):
            pred = tr.predictions[i] if i < len(tr.predictions) else ""
            target = tr.targets[i] if i < len(tr.targets) else ""
            self._set_text(item, pred)
            ok = None if correct is None or not target else correct[i]
            colour = th["foreground"] if ok is None else (th["good"] if ok else th["bad"])
            self.output_items[i].setPen(QPen(QColor(colour), 1.2 if ok is None else 2.0))
            self.output_items[i].setToolTip(f"prediction {pred}" + (f", target {target}" if target else ""))
        if tr.attention is not None and len(self.alpha_items) == len(tr.attention):
            a = np.asarray(tr.attention, dtype=float)
            for t, dot in enumerate(self.alpha_items):
                dot.setScale(0.6 + 1.9 * a[t] / max(a.max(), 1e-12))
                dot.setToolTip(f"α_{t} = {a[t]:.3f}")

    def _set_text(self, item, s: str, limit: int = 7) -> None:
        s = s if len(s) <= limit else s[: limit - 1] + "…"
        if item.text() != s:
            centre = item.sceneBoundingRect().center()
            item.setText(s)
            self._place(item, centre.x(), centre.y())

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        tr = self.trace
        if tr is None:
            return [], []
        L, D, T, _H = tr.hidden.shape
        names = [f"L{i + 1}" + ("", " fwd", " bwd")[(d + 1) * (D - 1)] for i in range(L) for d in range(D)]
        header = ["t", "token"] + [f"mean h {n}" for n in names] + [f"|dL/dh| {n}" for n in names]
        means = tr.hidden.mean(axis=3).reshape(L * D, T)
        grads = np.asarray(tr.grad_norm).reshape(L * D, T)
        rows = [[t, tr.tokens[t] if t < len(tr.tokens) else ""] + [float(v) for v in means[:, t]]
                + [float(v) for v in grads[:, t]] for t in range(T)]
        return header, rows

    def export_item(self):
        return self.scene
