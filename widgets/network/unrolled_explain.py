"""UnrolledExplain: the unrolled view's numbers explain themselves (mixed into ``UnrolledView``).

Hovering a unit's stripe in a cell box shows ``explain(t, unit, layer, direction)`` (the formula of
h_t[unit] with its operands); another panel's hovered number outlines the boxes (and inputs) it read;
a double-click on a column opens that step in the cell view (``column_activated``).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen

from widgets.explain.states import explain_state, state_sources
from widgets.network.unrolled_scene import DX


class UnrolledExplain:
    def explain(self, t: int, index: int, layer: int = 0, direction: int = 0) -> str:
        """h_t[index] of one chain (default layer 1, forward), t 1-based: the stripe's tooltip."""
        return explain_state(self.trace, int(layer), int(direction), int(t), int(index))

    def unit_at(self, scene_pos: QPointF):
        """(t 1-based, unit, layer, direction) of the unit stripe under a scene position, else None."""
        for key, strip in self.cell_strips.items():
            r = strip.sceneBoundingRect()
            if r.contains(scene_pos) and self.trace is not None:
                H = self.trace.hidden_size
                unit = min(int((scene_pos.x() - r.left()) / max(r.width(), 1e-9) * H), H - 1)
                return key[2] + 1, unit, key[0], key[1]
        return None

    def _hovered(self, pos):
        hit = self.unit_at(self.view.mapToScene(pos))
        return None if hit is None else (hit[0], hit[1], {"layer": hit[2], "direction": hit[3]})

    def _hover_sources(self, t: int, index: int, layer: int = 0, direction: int = 0) -> list:
        return state_sources(self.trace, layer, direction, t, index)

    def column_at(self, scene_pos: QPointF):
        """(t 0-based, layer, direction) of the cell box under a double-click (layer 1 forward over
        another part of the column), else None."""
        chain = self.chain_at(scene_pos)
        if self.trace is None:
            return None
        t = int(round(scene_pos.x() / DX))
        if not 0 <= t < self.trace.seq_len:
            return None
        return (t,) + (chain if chain is not None else (0, 0))

    def show_sources(self, sources) -> None:
        """Outline the cell boxes (and inputs) another panel's hovered number was computed from."""
        marks = getattr(self, "_source_marks", None)
        if marks is None or marks[0] is not self.cell_items:  # items are rebuilt with the shape
            self._source_marks = marks = (self.cell_items, [])
        rects = []
        for s in sources or ():
            if s[0] in ("h", "c") and (s[1], s[2], s[3]) in self.cell_items:
                rects.append(self.cell_items[(s[1], s[2], s[3])].sceneBoundingRect())
            elif s[0] == "x" and s[1] == 0 and 0 <= s[2] < len(self.input_texts):
                c = self.input_texts[s[2]].sceneBoundingRect().center()
                rects.append(QRectF(c.x() - 30, c.y() - 19, 60, 38))
        pool = marks[1]
        while len(pool) < len(rects):
            item = self.scene.addRect(QRectF(), QPen(QColor(self.theme["foreground"]), 2.5, Qt.PenStyle.DotLine))
            item.setZValue(6)
            pool.append(item)
        for k, item in enumerate(pool):
            item.setVisible(k < len(rects))
            if k < len(rects):
                item.setRect(rects[k].adjusted(-3, -3, 3, 3))
