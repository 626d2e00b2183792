"""HiddenHeatmap: the hidden state h_t (or the LSTM memory c_t) of one layer and direction, units x time.

Draws ``trace.hidden[l, d].T`` (or ``trace.cell[l, d].T``) as a row-major (H, T) image: column t is
the state after reading x_t, row u is unit u. Fixed colour levels so colours mean the same thing
from one training step to the next: (-1, 1) for the tanh-bounded h_t, (-2, 2) for c_t, which is
not bounded (f_t c_{t-1} + i_t g_t can grow past 1). A vertical line marks the shared time cursor.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy

from widgets.explain.hover import HoverTip, plot_locator
from widgets.explain.states import explain_state, state_sources
from widgets.parts.base import Panel, apply_palette, diverging_cmap
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import SelectorRow, token_at
from widgets.parts.plot_items import FastImageItem, apply_plot_theme, count_from_one

H_LEVELS = (-1.0, 1.0)  # h_t = o_t tanh(c_t) or tanh(...): always inside (-1, 1) (ReLU RNNs clip at 1)
C_LEVELS = (-2.0, 2.0)  # c_t is unbounded; +-2 shows the usual range, larger values saturate
class HiddenHeatmap(Panel):
    unit_clicked = Signal(int)  # a click on a cell: its unit (the unit explorer shows it)

    def __init__(self, parent=None):
        super().__init__("hiddenHeatmap", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._shape = None
        self._look = None  # (shape, levels, title) last drawn
        controls = QHBoxLayout()
        controls.setSpacing(4)
        self.selectors = SelectorRow("heatmap")
        self.selectors.changed.connect(self._on_selection_changed)
        self.state_combo = QComboBox(objectName="heatmapStateCombo")
        self.state_combo.addItems(["h_t", "c_t"])
        self.state_combo.setEnabled(False)
        self.state_combo.setToolTip("LSTM only: h_t = o_t ⊙ tanh(c_t) is the hidden state that the next "
                                    "step and the output read; c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t: the memory.")
        self.state_combo.currentIndexChanged.connect(self._on_state_changed)
        self.hover_label = QLabel("", objectName="heatmapHoverLabel")
        self.hover_label.setMinimumWidth(10)
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls.addWidget(self.selectors)
        controls.addWidget(self.state_combo)
        controls.addWidget(self.hover_label, 1)
        self._layout.addLayout(controls)

        self.plot = pg.PlotWidget(objectName="heatmapPlot")
        self.plot.setMinimumSize(200, 120)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "time step t")
        count_from_one(item.getAxis("bottom"))
        item.setLabel("left", "unit")
        item.setMenuEnabled(False)
        item.hideButtons()
        self.image = FastImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.bar = pg.ColorBarItem(values=H_LEVELS, colorMap=diverging_cmap(), interactive=False,
                                   width=12, label="h_t", colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=item)
        self.cursor = pg.InfiniteLine(pos=0, angle=90, movable=False)
        self.cursor.setZValue(10)
        item.addItem(self.cursor)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._layout.addWidget(self.plot, 1)
        # hovered numbers' sources (another panel's) and the unit clicked in the cell view, outlined
        self.source_marks = pg.ScatterPlotItem(pxMode=False, size=1.0, symbol="s", brush=None)
        self.unit_mark = pg.PlotDataItem()
        for mark in (self.source_marks, self.unit_mark):
            mark.setZValue(11)
            item.addItem(mark, ignoreBounds=True)
        self._locate = plot_locator(item, self.plot)
        self.hover = HoverTip(self, self.plot, self._hovered, self._hover_sources)
        # before the first example: no invented axes, a sentence saying what will appear
        self.empty = EmptyState(self, "hₜ of every unit (rows) at every step t (columns)\nappears with the first "
                                "example", self.plot, hide=(self.cursor, self.bar))
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        if trace is self.trace:  # the same snapshot again: nothing new to draw
            return
        super().set_trace(trace)
        self.empty.set_empty(False)
        L, D, T, H = trace.hidden.shape
        self.selectors.update_shape(L, D)
        has_cell = trace.cell is not None
        if not has_cell and self.state_combo.currentIndex() != 0:
            self.state_combo.blockSignals(True)
            self.state_combo.setCurrentIndex(0)
            self.state_combo.blockSignals(False)
        self.state_combo.setEnabled(has_cell)
        self._refresh(reset_view=(L, D, T, H) != self._shape)
        self._shape = (L, D, T, H)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        self.cursor.setValue(self.clamp_time(self.time))

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        apply_plot_theme(self.plot, self.theme)
        apply_plot_theme(self.bar, self.theme)
        self.cursor.setPen(pg.mkPen(self.theme["accent"], width=2))
        self.source_marks.setPen(pg.mkPen(self.theme["foreground"], width=2))
        self.unit_mark.setPen(pg.mkPen(self.theme["accent"], width=1.5, style=Qt.PenStyle.DashLine))

    # ---- what is shown -----------------------------------------------------------------
    def showing_cell_state(self) -> bool:
        return self.state_combo.currentIndex() == 1 and self.trace is not None and self.trace.cell is not None

    def matrix(self) -> np.ndarray | None:
        """The (T, H) states of the selected layer/direction/state, or None before a trace."""
        if self.trace is None:
            return None
        layer, d = self.selectors.selection()
        source = self.trace.cell if self.showing_cell_state() else self.trace.hidden
        return source[layer, d]

    def image_array(self) -> np.ndarray | None:
        """The (H, T) array the image draws (row u = unit, column t = time)."""
        return self.image.image

    def levels(self) -> tuple[float, float]:
        return C_LEVELS if self.showing_cell_state() else H_LEVELS

    def cursor_position(self) -> float:
        return float(self.cursor.value())

    def value_at(self, t: int, unit: int) -> float | None:
        m = self.matrix()
        if m is None or not (0 <= t < m.shape[0] and 0 <= unit < m.shape[1]):
            return None
        return float(m[t, unit])

    def _refresh(self, reset_view: bool = False) -> None:
        m = self.matrix()
        if m is None:
            return
        T, H = m.shape
        self.image.setImage(np.ascontiguousarray(m.T, dtype=np.float32), autoLevels=False)
        layer, d = self.selectors.selection()
        a = ("→", "←")[d] if self.trace.num_directions == 2 else ""  # the deck's h→_t / h←_t
        name = f"c{a}_t (memory cell)" if self.showing_cell_state() else f"h{a}_t"
        direction = ("", " (forward)", " (backward)")[d + 1 if a else 0]
        look = ((T, H), self.levels(), f"{name}, layer {layer + 1}{direction}")
        if look != self._look:  # geometry, levels and titles: re-set only when they change (each
            self._look = look  # re-set re-renders text and axes at the next paint)
            self.image.setRect(QRectF(-0.5, -0.5, T, H))  # pixel (u, t) centred on (t, u)
            self.bar.setLevels(self.levels())
            self.bar.getAxis("left").setLabel(name.split()[0])  # (labels keep the theme's colour)
            self.plot.getPlotItem().setTitle(look[2])
        if reset_view:
            self.plot.getPlotItem().getViewBox().setRange(xRange=(-0.5, T - 0.5), yRange=(-0.5, H - 0.5),
                                                          padding=0)
        self.set_time(self.time)

    # ---- every number explains itself -------------------------------------------------------
    def explain(self, t: int, index: int, layer: int | None = None, direction: int | None = None) -> str:
        """h_t[index] (c_t[index] when the memory is shown) of the selected chain, t 1-based: the
        hover tooltip's text."""
        sel = self.selectors.selection()
        layer, d = sel[0] if layer is None else layer, sel[1] if direction is None else direction
        return explain_state(self.trace, layer, d, int(t), int(index), "c" if self.showing_cell_state() else "h")

    def _hovered(self, pos):
        p = self._locate(pos)
        if p is None:
            return None
        t, unit = int(round(p[0])), int(round(p[1]))
        return (t + 1, unit, {}) if self.value_at(t, unit) is not None else None

    def _hover_sources(self, t: int, index: int) -> list:
        layer, d = self.selectors.selection()
        return state_sources(self.trace, layer, d, t, index, "c" if self.showing_cell_state() else "h")

    def show_sources(self, sources) -> None:
        """Outline the cells (of the shown chain and state) another panel's hovered number read."""
        m = self.matrix()
        if m is None:
            return
        T, H = m.shape
        layer, d = self.selectors.selection()
        kind = "c" if self.showing_cell_state() else "h"
        xs, ys = [], []
        for s in sources or ():
            if s[0] == kind and s[1:3] == (layer, d) and 0 <= s[3] < T:
                units = range(H) if s[4] is None else [s[4]]
                xs += [s[3]] * len(units)
                ys += list(units)
        self.source_marks.setData(xs, ys)

    def highlight_unit(self, unit: int | None) -> None:
        """Outline one unit's row (the unit clicked in the cell view); None clears it."""
        m = self.matrix()
        if unit is None or m is None or not 0 <= unit < m.shape[1]:
            self.unit_mark.setData([], [])
            return
        T = m.shape[0]
        lo, hi = unit - 0.5, unit + 0.5
        self.unit_mark.setData([-0.5, T - 0.5, T - 0.5, -0.5, -0.5], [lo, lo, hi, hi, lo])

    # ---- handlers ----------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._refresh()

    def _on_state_changed(self, _index: int) -> None:
        self._refresh()

    def _on_mouse_moved(self, scene_pos) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if self.trace is None or not vb.sceneBoundingRect().contains(scene_pos):
            self.hover_label.setText("")
            return
        p = vb.mapSceneToView(scene_pos)
        t, unit = int(round(p.x())), int(round(p.y()))
        value = self.value_at(t, unit)
        if value is None:
            self.hover_label.setText("")
            return
        name = "c" if self.showing_cell_state() else "h"
        self.hover_label.setText(f"t={t + 1} ‘{token_at(self.trace, t)}’  unit {unit}:  {name}_t = {value:+.3f}")

    def _on_mouse_clicked(self, event) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if self.trace is None or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        t, unit = int(round(p.x())), int(round(p.y()))
        if self.value_at(t, unit) is not None:
            self.unit_clicked.emit(unit)

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        m = self.matrix()
        if m is None:
            return [], []
        header = ["t", "token"] + [f"u{u}" for u in range(m.shape[1])]
        rows = [[t, token_at(self.trace, t)] + [float(v) for v in m[t]] for t in range(m.shape[0])]
        return header, rows

    def export_item(self):
        return self.plot.getPlotItem()
