"""The unrolled network's static picture: boxes, nodes, wiring and labels, built once per shape.

``UnrolledScene`` is mixed into ``UnrolledView``, which owns ``self.scene``, ``self.theme`` and the
item tables filled here, and colours the items for every trace (``UnrolledView._recolour``).
Columns count the lecture's way: x_1 .. x_T, h_0 the zero initial state.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen

from widgets.parts.notation import head_input_label, state_sub

BOX_W, BOX_H = 56.0, 34.0  # cell / input / output box size (scene px)
DX, DY = 92.0, 58.0  # column pitch (time) and row pitch
NODE_R = 11.0  # radius of merge, Σ and initial-state nodes
STRIP_W, STRIP_H = BOX_W - 6, 14.0  # the unit strip inside a cell box
MIN_ZOOM, MAX_ZOOM, TEXT_MIN_ZOOM = 0.25, 4.0, 0.4  # zoom limits; labels hidden below TEXT_MIN_ZOOM
ALIGN_DATA = 1  # QGraphicsItem.data key of a label's alignment, "l", "c", "r" or "tl" (its top left): the
# point presentation mode keeps in place when it enlarges the label (app.classroom.presentation)
HEAD_NAMES = {"per_step": "y_t at every step", "per_step_regression": "real y_t at every step",
              "final": "acceptor on h_n", "regression": "regression on h_n",
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


def follow_x(x: float, view_width: float, scene_left: float) -> float:
    """The scene x to centre the view on for step t's column at ``x`` (scene units): the column
    centred, except near the start, where the row names left of step 1 stay in view as long as the
    column fits beside them; past that the view catches up with the column at twice its pace (no
    jump while Play t runs)."""
    centred = x - view_width / 2  # the view's left edge with the column centred
    if centred <= scene_left:
        return x  # (the view stops at the scene's left edge anyway)
    last = scene_left + view_width - DX  # the last column x that fits beside the row names
    left = max(scene_left, min(centred, scene_left + 2 * (x - last)))
    return left + view_width / 2


class UnrolledScene:
    """Scene building for ``UnrolledView`` (see the module docstring)."""

    def _clear_items(self) -> None:
        self.scene.clear()
        self.sharing.clear_items()
        self.cell_items, self.cell_texts, self.cell_strips, self.rec_arrows = {}, {}, {}, {}
        self.input_texts, self.output_items, self.output_texts, self.alpha_items = [], [], [], []
        self.text_items, self.node_texts = [], []  # (node_texts: the labels in the merge, Σ and h_0 circles)
        self.head_input_text = self.head_input_strip = None  # final / regression heads only
        self.stage_items = {}  # attention heads: "embed", "encode", "attend", "predict" -> label
        self.stage_rows: dict = {}  # stage label -> scene y of its rows' centre
        self.stage_bracket = self.stage_back = None  # the brackets (a path) and the box behind the group
        self.row_names = []  # "output y", "layer 1 h_t", ...: the row labels left of step 1
        self._cell_style: dict = {}  # cell -> (backward step, styles) it is drawn with
        self._labelled, self._outputs_shown = None, {}  # what the input labels and each output box show
        self._strip_units, self._colours, self._coloured = None, None, set()  # strip H; colours to draw
        # (UnrolledView._recolour) and the columns drawn with them
        self._columns_of = (None, {})  # (cell_items, {t: cell keys}) for UnrolledView._colour_columns
        self.highlight = self.scene.addRect(QRectF(-DX / 2 + 3, 0, DX - 6, 1))

    def _text(self, s: str, x: float, y: float, colour: str, size: float = 9, align: str = "c"):
        font = QFont()
        font.setPointSizeF(size)
        item = self.scene.addSimpleText(s, font)
        item.setBrush(QColor(colour))
        item.setZValue(3)
        item.setVisible(self.zoom() >= TEXT_MIN_ZOOM)
        item.setData(ALIGN_DATA, align)  # the end that stays put when presentation mode enlarges it
        self._place(item, x, y, align)
        self.text_items.append(item)
        return item

    @staticmethod
    def _place(item, x: float, y: float, align: str = "c") -> None:
        r = item.boundingRect()
        item.setPos(x - {"c": r.width() / 2, "r": r.width(), "l": 0.0}[align], y - r.height() / 2)

    def _place_boxed(self, item, x: float, y: float, room: float = BOX_W - 6) -> None:
        """A box's (or node's) label centred at (x, y), drawn smaller if it is wider than ``room`` (a long
        token, or h₀ in its circle, once presentation mode has enlarged the font): never over the edges."""
        item.setScale(1.0)
        self._place(item, x, y)
        width = item.boundingRect().width()
        if width > room:
            item.setScale(room / width)
            item.setPos(item.pos() + QPointF(x, y) - item.sceneBoundingRect().center())

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
        self.node_texts.append(self._text(label, x, y, ink, 10))

    def _build(self, trace) -> None:
        self._clear_items()
        L, D, T, _H = trace.hidden.shape
        kind, th = trace.output_kind, self.theme
        keys = ["y"] + (["alpha"] if kind == "attention" else []) + (["merge"] if D == 2 else [])
        keys += [(lay, d) for lay in reversed(range(L)) for d in reversed(range(D))] + ["x"]
        y_of = {k: i * DY for i, k in enumerate(keys)}  # row key -> scene y of the row centre, top to bottom
        merge = "+" if trace.merge == "sum" else "⊕"
        per_step_merge = kind in ("per_step", "attention", "per_step_regression")  # else only the ends merge
        names = {"y": "output y", "alpha": "attention α_i", "x": "input x_t",
                 "merge": ("h_t = h→_t + h←_t" if trace.merge == "sum" else "h_t = [h→_t; h←_t]") if per_step_merge
                 else "merged once: " + head_input_label(D, trace.merge, T)}
        for k, yk in y_of.items():
            name = names[k] if k in names else f"layer {k[0] + 1} " + (("h→_t", "h←_t")[k[1]] if D == 2 else "h_t")
            self.row_names.append(self._text(name, -DX / 2 - 28, yk, th["muted"], 9, "r"))
        if kind == "attention":
            self._stage_labels(y_of, L, D)
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
        self.legend_text = self._forward_legend
        self.legend.setText(self.legend_text)
        self.legend.setToolTip(f"Head: {HEAD_NAMES.get(kind, kind)}. Each box shows the vector h_t: one "
                               "stripe per unit, blue (−1) to red (+1). The recurrent arrow into h_t "
                               "gets thicker and redder the larger ‖∂L/∂h_t‖ (log scale, over this example).")

    def _build_column(self, t: int, trace, y_of: dict, merge: str, path: QPainterPath) -> None:
        """Input box, cell boxes and the static wiring of column t (wires drawn into ``path``)."""
        L, D, T = trace.num_layers, trace.num_directions, trace.seq_len
        kind, ink, cx = trace.output_kind, self.theme["foreground"], t * DX
        per_column = kind in ("per_step", "attention", "per_step_regression")
        self._box(cx, y_of["x"])
        self.input_texts.append(self._text("", cx, y_of["x"], ink, 9))
        self._text(str(t + 1), cx, y_of["x"] + BOX_H / 2 + 9, self.theme["muted"], 8)  # lecture: from 1
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
                self.cell_items[(layer, d, t)] = box = self._box(cx, yc)
                box.setData(0, ("cell", layer, d, t))  # tooltip_at writes its tooltip
                label = state_sub("h", d, D, t + 1)  # h₃, or h→₃ / h←₃ in a bidirectional model
                self.cell_texts[(layer, d, t)] = self._text(label, cx, yc - 8, ink, 8)
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
        if kind in ("per_step", "per_step_regression"):
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
            init = getattr(self.trace, "initial_hidden", None)
            zero = init is None or not np.any(init[layer, d])
            self._node(x0, yc, "0" if zero else "h₀", "initial state h_0 = 0 (the lecture)" if zero else
                       "initial state h_0, not zero: random or learned (Controls > initial h_0)")
            x_start = x0 + sign * NODE_R
        path = QPainterPath()
        _arrow(path, [(x_start, yc), (cx - sign * BOX_W / 2, yc)])
        self.rec_arrows[(layer, d, t)] = item = self.scene.addPath(path)
        item.setZValue(1)
        item.setData(0, ("arrow", layer, d, t))

    def _stage_labels(self, y_of: dict, L: int, D: int) -> None:
        """The deck's "embed, encode, attend, predict" left of the row names of an attention model,
        each with a bracket over the rows that do it (placed by ``pin_stages``)."""
        accent = self.theme["accent"]
        encode = [y_of[(lay, d)] for lay in range(L) for d in range(D)] + ([y_of["merge"]] if D == 2 else [])
        stages = (("embed", "x_t = E[token]: each word becomes a vector", [y_of["x"]]),
                  ("encode", "the RNN turns the vectors into states h_i that know their context", encode),
                  ("attend", "α_i = softmax(w_α^T h_i); context Σ_i α_i h_i", [y_of["alpha"]]),
                  ("predict", "y = f(W_hy Σ_i α_i h_i + b_y)", [y_of["y"]]))
        path, self.stage_items, self.stage_rows = QPainterPath(), {}, {}
        self.stage_span = (y_of["y"] - BOX_H / 2 - 4, y_of["x"] + BOX_H / 2 + 4)
        back = QBrush(QColor(self.theme["background"]))  # the box keeps the labels readable over the cells
        self.stage_back = self.scene.addRect(QRectF(), QPen(Qt.PenStyle.NoPen), back)
        self.stage_back.setZValue(6)
        for name, tip, ys in stages:
            top, bottom = min(ys) - BOX_H / 2 + 2, max(ys) + BOX_H / 2 - 2
            item = self._text(name, 0, (top + bottom) / 2, accent, 10, "r")
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setToolTip(f"{name}: {tip}")
            item.setZValue(7)
            self.stage_items[name], self.stage_rows[name] = item, (top + bottom) / 2
            path.moveTo(4, top)  # a bracket with its spine at x = 0 (the item is moved to the group's place)
            path.lineTo(0, top)
            path.lineTo(0, bottom)
            path.lineTo(4, bottom)
        self.stage_bracket = self.scene.addPath(path, QPen(QColor(accent), 1.2))
        self.stage_bracket.setZValue(7)
        self.pin_stages(None)

    def _centre_on_time(self) -> None:
        """Step t in view again (a new size, zoom or network), even when t is the step already centred."""
        self._centred = None
        self.set_time(self.time)

    def relayout(self) -> None:
        """Presentation mode enlarged the labels (app.classroom.presentation): the view follows step t
        again (the row names grew left, past where it had scrolled) and the stages are placed anew."""
        self._on_scrolled()  # (the stages at their new place widen the scene to the left ...)
        self._centre_on_time()  # (... and the view follows step t within the wider scene)
        for items, room in ((self.input_texts + self.output_texts, BOX_W - 6), (self.node_texts, 1.5 * NODE_R)):
            for item in items:
                centre = item.sceneBoundingRect().center()
                self._place_boxed(item, centre.x(), centre.y(), room)

    def pin_stages(self, view_left: float | None) -> None:
        """The stage labels left of the row names (as large as the labels are now: presentation mode
        enlarges them), or, when the view has scrolled past that, at the view's left edge; a row name
        the pinned group would cover is hidden rather than shown half under it."""
        if not self.stage_items:
            return
        home = min(t.sceneBoundingRect().left() for t in self.row_names) - 14  # the brackets' right end
        group = max(t.boundingRect().width() for t in self.stage_items.values()) + 10  # label, gap, bracket
        scene = self.scene.sceneRect()
        if view_left is not None and home - group - 16 < scene.left():  # (labels enlarged past the scene's
            self.scene.setSceneRect(scene.adjusted(home - group - 16 - scene.left(), 0, 0, 0))  # edge: reachable)
        right = home if view_left is None else max(home, view_left + 4 + group)
        for name, item in self.stage_items.items():
            r = item.boundingRect()
            item.setPos(right - 10 - r.width(), self.stage_rows[name] - r.height() / 2)
        self.stage_bracket.setPos(right - 4, 0)
        top, bottom = self.stage_span
        self.stage_back.setRect(QRectF(right - group - 4, top, group + 8, bottom - top))
        visible = self.zoom() >= TEXT_MIN_ZOOM
        for t in self.row_names:
            t.setVisible(visible and (right <= home or t.sceneBoundingRect().left() > right + 4))

    def _head_input_item(self, x: float, y: float, trace) -> None:
        """Label "head input = h→ₙ + h←₁" with a unit strip of its value (coloured per trace, its
        numbers in the tooltip) beside where a final / regression head reads it."""
        label = head_input_label(trace.num_directions, trace.merge, trace.seq_len)
        self.head_input_text = self._text(f"head input = {label}", x, y + STRIP_H + 9, self.theme["foreground"], 8, "l")
        self.head_input_text.setData(ALIGN_DATA, "tl")  # under its strip, growing down (the output box is above)
        self.head_input_strip = strip = QtWidgets.QGraphicsPixmapItem()
        strip.setPos(x, y)
        strip.setZValue(2.5)
        self.scene.addItem(strip)

    def _build_output(self, trace, y_of, xo, merge, wire_pen) -> None:
        """The single output of final / regression / attention heads, in the column after the sequence."""
        L, D, T = trace.num_layers, trace.num_directions, trace.seq_len
        kind, path, muted = trace.output_kind, QPainterPath(), self.theme["muted"]
        y_in = y_of["y"] + BOX_H / 2  # bottom of the output box
        if kind in ("per_step", "per_step_regression"):
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
            self._head_input_item(xo + 10, (yt + y_of["y"]) / 2, trace)
        else:
            ym, yf, yb = y_of["merge"], y_of[(L - 1, 0)], y_of[(L - 1, 1)]
            _arrow(path, [((T - 1) * DX + BOX_W / 2, yf), (xo, yf), (xo, ym + NODE_R)])
            _arrow(path, [(0, yb - BOX_H / 2), (0, ym), (xo - NODE_R, ym)])
            self._text("h←₁: the backward chain ends at position 1", DX * 0.35, ym - 8, muted, 8, "l")
            self._node(xo, ym, merge, "the head's input: the last forward state h→_n merged with the "
                       "backward state h←_1 (the backward chain reads x_n … x_1 and ends at position 1)")
            _arrow(path, [(xo, ym - NODE_R), (xo, y_in)])
            self._head_input_item(xo + NODE_R + 6, ym + 2, trace)
        self.output_items.append(self._box(xo, y_of["y"]))
        self.output_texts.append(self._text("", xo, y_of["y"], self.theme["foreground"], 9))
        self.scene.addPath(path, wire_pen).setZValue(1)
