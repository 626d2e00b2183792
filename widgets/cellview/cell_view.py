"""CellView: one step of one cell opened up, drawn as the deck draws the simple RNN, the GRU and the LSTM.

Every wire carries its vector at the cursor's step as a strip of unit colours (the heatmaps' scales:
gates 0..1 viridis, states −1..1 and pre-activations / memories −2..2 blue–white–red). Moving the
cursor one step forward (Play t) sends a pulse through the gates stage by stage; during the BPTT
animation (or with "dL/d(wire)" chosen) the strips show the gradient of the loss with respect to each
wire and the pulse runs backwards, so a saturated gate visibly stops the gradient.
Data: the "cell_view" analysis (``engine.analysis.cell_step.cell_wires``), computed in the engine.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6 import QtGui
from PySide6.QtCore import QEasingCurve, QEvent, QPointF, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsOpacityEffect,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QToolTip,
)

from widgets.cellview.diagram import CellDiagram
from widgets.cellview.layouts import layout
from widgets.cellview.texts import explain_wire, wire_sources
from widgets.explain.states import gate_sources, state_sources
from widgets.parts.base import Panel, apply_palette, diverging_cmap, lut_index, sequential_cmap
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import SelectorRow

LEVELS = {"gate": (0.0, 1.0), "state": (-1.0, 1.0), "pre": (-2.0, 2.0)}
TRANSITION_MS = 250  # drill-down in / back out (the issue: at most 300 ms)
GATE_NAMES = {"f": "forget", "i": "input", "g": "cell_candidate", "o": "output", "r": "reset", "z": "update",
              "n": "new"}


class CellView(Panel):
    unit_clicked = Signal(int)
    back_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("cellView", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.payload, self.diagram, self._key = None, None, None
        self.unit: int | None = None  # the clicked unit, outlined on every wire
        self.backward = False  # BPTT animation running: the strips show dL/d(wire)
        self._hover, self._last_time_set = None, 0.0
        top = QHBoxLayout()
        self.back_button = QToolButton(objectName="cellViewBackButton", text="◀ Network")
        self.back_button.setToolTip("Back to the unrolled network (Esc)")
        self.back_button.clicked.connect(self.go_back)
        self.selectors = SelectorRow("cellView")
        self.selectors.changed.connect(self._on_selection_changed)
        self.mode_combo = QComboBox(objectName="cellViewModeCombo")
        self.mode_combo.addItems(["values", "dL/d(wire)"])
        self.mode_combo.setToolTip("values: what each wire carries at step t; dL/d(wire): the gradient of the "
                                   "loss with respect to it (the BPTT animation switches to it by itself)")
        self.mode_combo.currentIndexChanged.connect(lambda _i: self._refresh())
        self.caption = QLabel("", objectName="cellViewCaption")
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for w in (self.back_button, self.selectors, self.mode_combo):
            top.addWidget(w)
        top.addStretch(1)
        self._layout.addLayout(top)
        self._layout.addWidget(self.caption)
        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene, objectName="cellViewGraphicsView")
        self.view.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(200, 140)
        self.view.viewport().setMouseTracking(True)
        self.view.viewport().installEventFilter(self)
        self._layout.addWidget(self.view, 1)
        self.legend = QLabel("", objectName="cellViewLegend", wordWrap=True)
        self._layout.addWidget(self.legend)
        QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape), self, self.go_back,
                        context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._luts = {"div": diverging_cmap().getLookupTable(nPts=256)[:, :3],
                      "seq": sequential_cmap().getLookupTable(nPts=256)[:, :3]}
        self._pulse = QVariantAnimation(self, startValue=0.0, endValue=1.0)
        self._pulse.valueChanged.connect(self._on_pulse)
        self._pulse.finished.connect(lambda: self.diagram and self.diagram.pulse(None))
        self._zoom = QVariantAnimation(self, startValue=0.0, endValue=1.0, duration=TRANSITION_MS)
        self._zoom.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._zoom.valueChanged.connect(self._on_zoom)
        self._zoom.finished.connect(self._on_zoom_finished)
        self._leaving = False
        self.empty = EmptyState(self, "the cell as the lecture draws it, every wire's vector at step t,\n"
                                "appears once an example's wires arrive", self.view)
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        self.selectors.update_shape(trace.num_layers, trace.num_directions)
        self._refresh()

    def set_cell_wires(self, payload) -> None:
        """The "cell_view" analysis: {"cell", "names", "values"/"grads": {wire: (L, D, T, n)}, "x_size", ...}."""
        self.payload = payload
        self._refresh()

    def set_time(self, t: int) -> None:
        before = self.time
        super().set_time(t)
        now = time.perf_counter()
        step = now - self._last_time_set
        self._last_time_set = now
        self._refresh()
        if self.trace is not None and self.time == before + 1 and not self.backward:
            self.play_pulse(backward=False, ms=int(np.clip(0.8 * step * 1000, 150, 700)))
        elif self.time != before and not self.backward:
            self.stop_pulse()  # a jump, not a step: the whole step at once

    def set_backward_step(self, t: int | None) -> None:
        """A frame of the BPTT animation (t runs T-1 .. 0): dL/d(wire) at step t, the pulse runs backwards."""
        if (t is not None) != self.backward:  # the mode box says what the strips show
            self.mode_combo.blockSignals(True)
            if t is not None:
                self._mode_before = self.mode_combo.currentIndex()
            self.mode_combo.setCurrentIndex(1 if t is not None else getattr(self, "_mode_before", 0))
            self.mode_combo.setEnabled(t is None)
            self.mode_combo.blockSignals(False)
        self.backward = t is not None
        if t is not None:
            super().set_time(t)
        self._refresh()
        if t is not None:
            self.play_pulse(backward=True, ms=400)
        else:
            self.stop_pulse()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        self.scene.setBackgroundBrush(QBrush(QColor(self.theme["background"])))
        self._key = None  # colours are baked into the items
        self._refresh()

    def select_chain(self, layer: int, direction: int) -> None:
        """Show the cell of another layer / direction (the drill-down's clicked row)."""
        sel = self.selectors
        for combo, value in ((sel.layer_combo, layer), (sel.direction_combo, direction)):
            if 0 <= value < combo.count() and combo.isEnabled() or value == 0:
                combo.setCurrentIndex(value)

    def highlight_unit(self, unit: int | None) -> None:
        self.unit = unit
        if self.diagram is not None:
            self.diagram.mark_units(unit)

    def show_sources(self, sources) -> None:
        """Outline the units another panel's hovered number was computed from (at this step and chain)."""
        if self.diagram is None or self.trace is None:
            return
        layer, d = self.selectors.selection()
        pos, prev = self.time, self.time - 1 if d == 0 else self.time + 1
        marks = {}
        for s in sources or ():
            kind, rest = s[0], s[1:]
            if kind in ("h", "c") and rest[:2] == (layer, d) and rest[3] is not None:
                if rest[2] == pos:
                    marks[kind] = rest[3]
                elif rest[2] == prev:
                    marks[f"{kind}_prev"] = rest[3]
            elif kind == "gate" and rest[1:4] == (layer, d, pos):
                short = {v: k for k, v in GATE_NAMES.items()}.get(rest[0])
                if short:
                    marks[short] = rest[4]
        self.diagram.mark_sources({k: v for k, v in marks.items() if k in self.diagram.strips})

    # ---- what is shown ------------------------------------------------------------------
    def gradient_view(self) -> bool:
        return self.backward or self.mode_combo.currentIndex() == 1

    def ready(self) -> bool:
        p, tr = self.payload, self.trace
        return p is not None and tr is not None and p["cell"] == tr.cell_type and \
            p["values"]["h"].shape[:3] == tr.hidden.shape[:3]

    def wire_vector(self, name: str, gradient: bool = False) -> np.ndarray:
        """The (n,) vector wire ``name`` carries at the cursor (what its strip draws)."""
        layer, d = self.selectors.selection()
        arr = self.payload["grads" if gradient else "values"][name][layer, d, self.clamp_time(self.time)]
        return arr[:int(self.payload["x_size"][layer])] if name == "x" else arr

    def explain(self, t: int, index: int, wire: str = "h", gradient: bool | None = None) -> str:
        """The text of unit ``index`` of ``wire`` at step t (1-based) in the selected chain (its tooltip)."""
        if not self.ready():
            return ""
        layer, d = self.selectors.selection()
        grad = self.gradient_view() if gradient is None else gradient
        return explain_wire(self.trace, self.payload, layer, d, t, int(index), wire, grad)

    # ---- drawing -------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.empty.set_empty(not self.ready())
        if not self.ready():
            self.caption.setText("waiting for the cell's wires from the engine…" if self.trace is not None else "")
            return
        tr = self.trace
        layer, d = self.selectors.selection()
        key = (tr.cell_type, d, tr.num_directions, id(self.theme))
        if key != self._key:
            self._key = key
            self.scene.clear()
            self.diagram = CellDiagram(self.scene, layout(tr.cell_type), self.theme, d, tr.num_directions)
            lay = self.diagram.layout
            self.scene.setSceneRect(-40, -12, lay.width + 110, lay.height + 22)
            self.diagram.mark_units(self.unit)
            self._fit()
        grad = self.gradient_view()
        t = self.clamp_time(self.time)
        vectors = {w.name: self.wire_vector(w.name, grad) for w in self.diagram.layout.wires}
        if grad:
            m = max(float(np.max(np.abs(v))) for v in vectors.values() if len(v)) or 1.0
            rgb = {n: self._luts["div"][lut_index(v, -m, m)] for n, v in vectors.items()}
            self.legend.setText(f"dL/d(wire) at t = {t + 1}: blue −{m:.2g} … white 0 … red +{m:.2g} (one scale for "
                                f"every wire of this step) · hover a unit: its chain rule")
        else:
            rgb = {}
            for w in self.diagram.layout.wires:
                lo, hi = LEVELS[w.kind]
                rgb[w.name] = self._luts["seq" if w.kind == "gate" else "div"][lut_index(vectors[w.name], lo, hi)]
            self.legend.setText("gates σ: 0 dark … 1 yellow · states: blue −1 … red +1 · pre-activations and "
                                "memories: blue −2 … red +2 · hover a unit: its formula · click: mark it")
        self.diagram.show(rgb)
        self.diagram.mark_units(self.unit)
        if self._zoom.state() != QVariantAnimation.State.Running:
            self.diagram.label_scale(self.view.transform().m11())
        chain = f"layer {layer + 1}" + ("", " forward h→", " backward h←")[(d + 1) * (tr.num_directions - 1)]
        what = "dL/d(wire)" if grad else "values"
        stale = "" if self.payload.get("step", tr.step) == tr.step else f" (of training step {self.payload['step']})"
        self.caption.setText(f"{tr.cell_type.upper()} {chain} · t = {t + 1} ‘{self._token(t)}’ · {what}{stale}")

    def _token(self, t: int) -> str:
        return self.trace.tokens[t] if t < len(self.trace.tokens) else ""

    def _fit(self) -> None:
        self.view.fitInView(self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        if self.diagram is not None and self._zoom.state() != QVariantAnimation.State.Running:
            self.diagram.label_scale(self.view.transform().m11())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    # ---- animation -----------------------------------------------------------------------
    def play_pulse(self, backward: bool, ms: int) -> None:
        if self.diagram is None:
            return
        self._pulse.stop()
        self._pulse_backward = backward
        self._pulse.setDuration(ms)
        self._pulse.start()

    def stop_pulse(self) -> None:
        self._pulse.stop()
        if self.diagram is not None:
            self.diagram.pulse(None)

    def _on_pulse(self, value) -> None:
        if self.diagram is not None:
            self.diagram.pulse(float(value) * self.diagram.layout.stages, self._pulse_backward)

    def arrive(self) -> None:
        """The drill-down: the cell grows out of its column (≤ 300 ms)."""
        self._leaving = False
        self._zoom.setDirection(QVariantAnimation.Direction.Forward)
        self._zoom.start()

    def go_back(self) -> None:
        """Esc / the back button: shrink back (≤ 300 ms), then the window shows the network again."""
        self._leaving = True
        self._zoom.setDirection(QVariantAnimation.Direction.Backward)
        self._zoom.start()

    def _on_zoom(self, value) -> None:
        """One frame of the level change: the diagram scales from 30% to full size and fades in."""
        v = float(value)
        self._fit()
        self.view.scale(0.3 + 0.7 * v, 0.3 + 0.7 * v)
        if self.view.graphicsEffect() is None:
            self.view.setGraphicsEffect(QGraphicsOpacityEffect(self.view))
        self.view.graphicsEffect().setOpacity(max(v, 0.05))

    def transition(self) -> float | None:
        """Progress of a running drill-down transition (0..1), None when none runs."""
        return float(self._zoom.currentValue()) if self._zoom.state() == QVariantAnimation.State.Running else None

    def _on_zoom_finished(self) -> None:
        self.view.setGraphicsEffect(None)
        self._fit()
        if self._leaving:
            self._leaving = False
            self.back_requested.emit()

    # ---- mouse ---------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove and self.diagram is not None:
            self._on_hover(self.view.mapToScene(event.position().toPoint()), event.globalPosition().toPoint())
        elif kind == QEvent.Type.Leave:
            self._on_hover(None, None)
        elif kind == QEvent.Type.MouseButtonPress and self.diagram is not None:
            hit = self.diagram.unit_at(self.view.mapToScene(event.position().toPoint()))
            if hit is not None and hit[0] != "x":
                self.highlight_unit(None if self.unit == hit[1] else hit[1])
                if self.unit is not None:
                    self.unit_clicked.emit(self.unit)
                return True
        elif kind == QEvent.Type.ToolTip and self._hover is not None:
            return True  # our own tooltip is showing
        return super().eventFilter(obj, event)

    def _on_hover(self, scene_pos: QPointF | None, global_pos) -> None:
        hit = None if scene_pos is None or not self.ready() else self.diagram.unit_at(scene_pos)
        if hit == self._hover:
            return
        self._hover = hit
        if hit is None:
            QToolTip.hideText()
            self.diagram and self.diagram.mark_sources({})
            self.sources_hovered.emit([])
            return
        wire, unit = hit
        QToolTip.showText(global_pos, self.explain(self.time + 1, unit, wire), self.view.viewport())
        if wire != "x":
            self.diagram.mark_sources({w: unit for w in wire_sources(self.trace.cell_type, wire) if w != "x"})
        self.sources_hovered.emit(self.hover_sources(wire, unit))

    def hover_sources(self, wire: str, unit: int) -> list:
        layer, d = self.selectors.selection()
        t = self.time + 1
        if wire == "h":
            return state_sources(self.trace, layer, d, t, unit)
        if wire in GATE_NAMES and GATE_NAMES[wire] in self.trace.gates:
            return gate_sources(self.trace, layer, d, t, unit)
        if wire == "c":
            return state_sources(self.trace, layer, d, t, unit, "c")
        return []

    # ---- export --------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        if not self.ready():
            return [], []
        layer, d = self.selectors.selection()
        header = [f"wire at t = {self.clamp_time(self.time) + 1} (layer {layer + 1}, direction {d})"]
        rows = [[w.name] + [float(x) for x in self.wire_vector(w.name, self.gradient_view())]
                for w in self.diagram.layout.wires]
        width = max(len(r) for r in rows) - 1
        what = "dL/d(wire)" if self.gradient_view() else "value"
        return header + [f"{what} u{u}" for u in range(width)], rows

    def export_item(self):
        if self.diagram is not None:  # an export draws the scene at its own size: labels at their own
            self.diagram.label_scale(1.0)  # (the next redraw on screen makes them readable there again)
        return self.scene

    def _on_selection_changed(self) -> None:
        self._key = None
        self._refresh()
