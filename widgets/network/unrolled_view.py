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
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QSizePolicy, QToolTip

from widgets.explain.hover import HoverTip
from widgets.network.unrolled_explain import UnrolledExplain
from widgets.network.unrolled_fold import FoldAnimator
from widgets.network.unrolled_outputs import OutputBars, recolour_outputs
from widgets.network.unrolled_scene import (  # noqa: F401 (BOX_W: the box size, read by tests)
    BOX_W,
    DX,
    MAX_ZOOM,
    MIN_ZOOM,
    STRIP_H,
    STRIP_W,
    TEXT_MIN_ZOOM,
    UnrolledScene,
    follow_x,
)
from widgets.network.unrolled_sharing import SharingOverlay
from widgets.network.unrolled_style import CellStyles, cell_tooltip
from widgets.parts.base import Panel, apply_palette, diverging_cmap, log_levels, lut_index
from widgets.parts.empty_state import EmptyState
from widgets.parts.plot_items import argb_table


class UnrolledView(UnrolledScene, UnrolledExplain, Panel):
    column_activated = Signal(int, int, int)  # a double-clicked column: (t 0-based, layer, direction)

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
        self.view.horizontalScrollBar().valueChanged.connect(self._on_scrolled)
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
        self.fold_button = QtWidgets.QToolButton(objectName="unrolledFoldButton", text="Fold", checkable=True,
                                                 toolTip="Fold the network into the deck's single cell with its "
                                                         "loop, or unroll it in time again (key U)")
        self.fold_button.toggled.connect(self.set_folded)
        bar.insertWidget(1, self.fold_button)  # (before Fit and 1:1: the corner "?" stays clear of them)
        QtGui.QShortcut(QtGui.QKeySequence("U"), self, self.fold_button.toggle,
                        context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._layout.addLayout(bar)
        self._layout.addWidget(self.view, 1)
        self._shape, self._user_zoomed, self._backward_step, self._centred = None, False, None, None
        self._lut = diverging_cmap().getLookupTable(nPts=256)  # (256, 3) uint8
        self._rgb32 = argb_table(self._lut)[:-1]  # the same 256 colours as 0xffRRGGBB (QImage's own format)
        self._styles = None  # CellStyles of the current theme
        self.sharing = SharingOverlay(self)  # hover / click a cell: its chain's shared weights
        self.fold = FoldAnimator(self)  # the deck's folded cell with its loop <-> unrolled in time
        self.output_bars = OutputBars(self)  # the softmax over the classes above each output box
        self.legend_text = ""
        self._press_pos = None
        self.view.viewport().setMouseTracking(True)
        self._clear_items()
        self.highlight.hide()  # (no column to mark; the first trace draws the scene afresh)
        self.empty = EmptyState(self, "the network unrolled in time, one column per step t,\nappears with the "
                                "first example", self.view)
        self.hover = HoverTip(self, self.view, self._hovered, self._hover_sources)  # after the sharing filter
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
            self._centre_on_time()  # step t (and near the start the row names) in view at the new size
        kind = event.type()
        if kind == QEvent.Type.MouseMove and not event.buttons():
            self.sharing.hover(self.chain_at(self.view.mapToScene(event.position().toPoint())))
        elif kind == QEvent.Type.Leave:
            self.sharing.hover(None)
        elif kind == QEvent.Type.MouseButtonDblClick:
            column = self.column_at(self.view.mapToScene(event.position().toPoint()))
            if column is not None:
                self.column_activated.emit(*column)  # the window opens the cell view at that step
                return True
        elif kind == QEvent.Type.MouseButtonPress:
            self._press_pos = event.position()
        elif kind == QEvent.Type.MouseButtonRelease and self._press_pos is not None:
            moved = (event.position() - self._press_pos).manhattanLength()
            self._press_pos = None
            if moved < 4:  # a click, not a drag: select (or deselect) the chain under the mouse
                self.sharing.click(self.chain_at(self.view.mapToScene(event.position().toPoint())))
        if kind == QEvent.Type.ToolTip:
            text = self.tooltip_at(self.view.mapToScene(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.view.viewport())
                return True
        return super().eventFilter(obj, event)

    def tooltip_at(self, scene_pos: QPointF) -> str:
        """The tooltip of the cell box or recurrent arrow under ``scene_pos`` ("" elsewhere: the other
        items carry their own). Written on demand, from the current trace."""
        for item in self.scene.items(scene_pos):
            key = item.data(0)
            if key and self.trace is not None:
                return cell_tooltip(self.trace, *key)
        return ""

    def chain_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(layer, direction) of the cell box under ``scene_pos``, else None."""
        for item in self.scene.items(scene_pos):
            key = item.data(0)
            if key and key[0] == "cell":
                return key[1], key[2]
        return None

    def zoom(self) -> float:
        return self.view.transform().m11()

    def lit_cells(self) -> set[tuple[int, int, int]]:
        """(layer, direction, t) of the cells lit in the current backward-pass frame (all if none)."""
        self._colour_all()
        return {k for k, item in self.cell_items.items() if item.opacity() > 0.5}

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        self.empty.set_empty(False)
        L, D, T, _H = trace.hidden.shape
        init = getattr(trace, "initial_hidden", None)
        shape = (T, L, D, trace.output_kind, trace.merge, init is None or not np.any(init))  # h_0 node: 0 or h₀
        rebuilt = shape != self._shape
        if rebuilt:
            self._shape = shape
            self._build(trace)
            self._user_zoomed = False  # another network: automatic zoom again (a Fit was for the old one)
            self._auto_zoom()
            self.sharing.restore(L, D)
        else:
            self.sharing.refresh()
        self._recolour()
        if rebuilt:
            self.fold.rebuilt()
            self._centre_on_time()  # centre on t; later same-shape traces leave the scrolling alone
        self.fold.refresh()

    def set_task_info(self, info: dict) -> None:
        self.output_bars.set_classes((info or {}).get("classes"))

    def folded(self) -> bool:
        return self.fold.folded()

    def set_folded(self, on: bool, animate: bool = True) -> None:
        """Fold into the deck's one cell with its loop arrow (animated), or unroll it in time again."""
        self.fold_button.blockSignals(True)
        self.fold_button.setChecked(bool(on))
        self.fold_button.blockSignals(False)
        self.fold.set_folded(bool(on), animate)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.fold.progress > 0.0:  # folded (or folding): the one cell shows step t
            self.fold.refresh()
        elif self.trace is not None and (self.clamp_time(t), self._shape) != self._centred:  # (the same step
            self._centred = (self.clamp_time(t), self._shape)  # again leaves the user's scrolling alone)
            x = self.clamp_time(t) * DX
            self.highlight.setPos(x, 0)
            width, left = self.view.viewport().width() / self.zoom(), self.scene.sceneRect().left()
            self.view.centerOn(QPointF(follow_x(x, width, left), self.view_center().y()))  # row names kept

    def set_backward_step(self, t: int | None) -> None:
        """Show one frame of the backward pass (t runs T-1 -> 0): dL/dh flows back from the loss.

        Forward-chain cells at >= t are lit with their ||dL/dh_t|| colour, cells < t dim. The
        backward chain (d=1) runs right to left, so its frame is mirrored: cells at <= T-1-t lit.
        None ends the animation and restores the activation strips.
        """
        self._backward_step = None if t is None else int(t)
        self._recolour()
        self._update_legend()

    _forward_legend = ("box stripes: units of h_t (blue −1 … red +1) · arrow width: ‖∂L/∂h_t‖ · "
                       "hover or click a box: the weights every column shares")

    def _update_legend(self) -> None:
        """The caption says what the colours mean now: unit stripes, or (during the backward pass)
        ||dL/dh_t|| on a log scale from the example's smallest to its largest."""
        tr = self.trace
        if tr is None:
            return
        if self._backward_step is None:
            self.legend.setText(self._forward_legend)
            return
        g = np.asarray(tr.grad_norm, dtype=float)
        g = g[np.isfinite(g) & (g > 0)]
        span = f"{g.min():.0e} (dark) … {g.max():.0e} (bright)" if g.size else "none"
        self.legend.setText(f"backward pass: box colour = ‖∂L/∂h_t‖ on a log scale, {span} · dim: not reached yet")

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        self.scene.setBackgroundBrush(QBrush(QColor(self.theme["background"])))
        apply_palette(self, self.theme)
        if self.trace is not None:  # colours are baked into the items: rebuild
            self._build(self.trace)
            self.sharing.restore(self.trace.num_layers, self.trace.num_directions)
            self._recolour()
            self.fold.rebuilt()
            self._centre_on_time()

    def _on_scrolled(self, *_args) -> None:
        """Columns that come into view get the current colours; the stage labels stay in view."""
        self._colour_columns(self._visible_columns())
        if self.stage_items:
            self.pin_stages(self.view.mapToScene(self.view.viewport().rect()).boundingRect().left())

    # ---- zoom --------------------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        self._set_zoom(self.zoom() * factor)
        self._user_zoomed = True

    def fit_to_view(self) -> None:
        """Show as much of the sequence as fits, never so small that the labels go (long sequences
        still scroll)."""
        r, vp = self.scene.sceneRect(), self.view.viewport().rect()
        fit = min(vp.width() / max(r.width(), 1.0), vp.height() / max(r.height(), 1.0))
        self._set_zoom(max(fit, TEXT_MIN_ZOOM))
        self._user_zoomed = True
        self._centre_on_time()

    def _set_zoom(self, z: float) -> None:
        z = float(np.clip(z, MIN_ZOOM, MAX_ZOOM))
        self.view.resetTransform()
        self.view.scale(z, z)
        for item in self.text_items:  # level of detail: labels a few px high are noise
            item.setVisible(z >= TEXT_MIN_ZOOM)
        self._on_scrolled()

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
        self._centre_on_time()

    # ---- colouring ---------------------------------------------------------------------
    def _recolour(self) -> None:
        """Colour the cells for the current trace and backward frame: the columns in view now, the
        others when they scroll into view (a long sequence has hundreds of columns off screen)."""
        tr, step = self.trace, self._backward_step
        if tr is None or not self.cell_items:
            return
        L, D, T, H = tr.hidden.shape
        if self._styles is None or self._styles.theme is not self.theme:
            self._styles = CellStyles(self.theme)
        level = self._styles.levels(log_levels(tr.grad_norm))  # (L, D, T): ||dL/dh_t|| on a log scale
        rgb = self._rgb32.take(lut_index(tr.hidden, -1.0, 1.0))  # (L, D, T, H) pixels
        if H != self._strip_units:  # a strip is 1 x H pixels stretched over its box
            self._strip_units = H
            scale = QTransform.fromScale(STRIP_W / H, STRIP_H)
            for strip in self.cell_strips.values():
                strip.setTransform(scale)
        self._colours, self._coloured = (step, self._styles, level, rgb, T), set()
        self._colour_columns(self._visible_columns())
        first = (lambda: self.input_texts[0].text() if self.input_texts else None)  # (the folded view writes it)
        if (tuple(tr.tokens), first()) != self._labelled:  # the same tokens at every training step: the 100
            for t, item in enumerate(self.input_texts):  # labels stay (a new scene resets _labelled)
                self._set_text(item, tr.tokens[t] if t < len(tr.tokens) else "")
            self._labelled = (tuple(tr.tokens), first())
        recolour_outputs(self, tr)

    def _visible_columns(self) -> set[int]:
        """The time steps whose column is (partly) in view, and one more on either side."""
        rect = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        first, last = int(np.floor(rect.left() / DX)) - 1, int(np.ceil(rect.right() / DX)) + 1
        return set(range(max(first, 0), last + 1))

    def _colour_columns(self, columns) -> None:
        """Give the cells of ``columns`` (time steps) the colours of ``self._colours``."""
        if self._colours is None or not self.cell_items:
            return
        step, styles, level, rgb, T = self._colours
        H = rgb.shape[3]
        todo = {t for t in columns if 0 <= t < T} - self._coloured
        if not todo:
            return
        self._coloured |= todo
        if self._columns_of[0] is not self.cell_items:  # the cells of each time step, once per build
            columns: dict = {}
            for key in self.cell_items:
                columns.setdefault(key[2], []).append(key)
            self._columns_of = (self.cell_items, columns)
        for key in (k for t in sorted(todo) for k in self._columns_of[1].get(t, ())):
            layer, d, t = key
            box = self.cell_items[key]
            v = level[layer, d, t]
            image = QImage(rgb[layer, d, t].data, H, 1, 4 * H, QImage.Format.Format_RGB32)  # 1 x H pixels
            self.cell_strips[key].setPixmap(QPixmap.fromImage(image.copy()))  # (a pixmap of this format would
            # share the array's memory, not copy it)
            arrow = self.rec_arrows[key]
            arrow.setPen(styles.arrow_pens[v])
            # boxes, labels and opacities change only with the backward-pass frame (and the theme)
            if step is not None or self._cell_style.get(key) != (step, styles):
                self._cell_style[key] = (step, styles)
                lit = step is None or (t >= step if d == 0 else t <= T - 1 - step)
                brush, ink = styles.plain if step is None else styles.backward[v]
                box.setBrush(brush)
                box.setOpacity(1.0 if lit else 0.25)
                self.cell_strips[key].setVisible(step is None)
                text = self.cell_texts[key]
                text.setBrush(ink)
                text.setOpacity(1.0 if lit else 0.25)
                arrow.setOpacity(1.0 if lit else 0.2)

    def _colour_all(self) -> None:
        if self.trace is not None:
            self._colour_columns(range(self.trace.hidden.shape[2]))

    def _set_text(self, item, s: str, limit: int = 7) -> None:
        s = s if len(s) <= limit else s[: limit - 1] + "…"
        if item.text() != s:
            centre = item.sceneBoundingRect().center()
            item.setText(s)
            self._place_boxed(item, centre.x(), centre.y())

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
        self._colour_all()  # the whole picture, not only the columns in view
        return self.scene
