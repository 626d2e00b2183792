"""GateProductsPanel: the deck's gate g = x ⊙ y, for every gating product of the cell at the cursor.

For the selected layer and direction at step t, each product of an LSTM (f_t ⊙ c_{t−1}, i_t ⊙ g_t,
o_t ⊙ tanh c_t) or GRU (z_t ⊙ h_{t−1}, r_t ⊙ (W_hn h_{t−1} + b_hn)) is three rows of H unit cells:
the two factors and their product, so a closed gate (dark) visibly wipes out its row. On the right,
one unit's three numbers (the unit spin box, or the cell under the mouse). Colours: gates on (0, 1)
(viridis), states on (−1, 1) and memories / pre-activations on (−2, 2) (blue–white–red).
Data: the "gate_products" analysis (engine.analysis.gate_products), computed in the engine.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QWidget

from widgets.explain.hover import HoverTip
from widgets.explain.readout import explain_product
from widgets.explain.text import adding_up, fixed, product
from widgets.parts.base import Panel, apply_palette, diverging_cmap, gates_reason, message_label, sequential_cmap
from widgets.parts.empty_state import EmptyState
from widgets.parts.notation import arrow, subscripted
from widgets.parts.panel_parts import SelectorRow
from widgets.parts.plot_items import argb_table, colorize

LEVELS = {"gate": (0.0, 1.0), "state": (-1.0, 1.0), "cell": (-2.0, 2.0)}
LABEL_W, NUMBER_W = 190, 150  # least px of the row labels (left) and the chosen unit's numbers (right)
ROW_H, TITLE_H, GAP = 17, 19, 7  # least px; a larger font (presentation mode) makes them as large as it needs
TITLE_FLAGS = int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap)  # a long title takes two lines


def factor_text(u: int, a: float, b: float, c: float) -> str:
    """The numbers beside a product's rows: "unit 3:\n0.412 × 0.728\n= 0.300", in digits that check out."""
    k = adding_up((a, b), c, product, most=5, form=fixed)  # (3 places, more where 3 would not give the product)
    return f"unit {u}:\n{fixed(a, k)} × {fixed(b, k)}\n= {fixed(c)}"


class ProductCanvas(QWidget):
    """Paints the rows; ``panel`` holds the data."""

    def __init__(self, panel):
        super().__init__(objectName="gateProductsCanvas")
        self.panel = panel
        self.setMouseTracking(True)
        self.setMinimumSize(420, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def metrics(self) -> tuple[float, float, float, float]:
        """(row height, title height, label width, numbers width) for the canvas's font: each at least the
        constants above, and as large as the texts drawn in them need (presentation mode scales the font)."""
        fm = QFontMetricsF(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        rows = self.panel.rows_at_cursor()
        labels = [subscripted(label) for _n, _t, factors in rows for label, _k, _v in factors]
        label_w = max([LABEL_W] + [fm.horizontalAdvance(text) + 14 for text in labels])
        number_w = max(NUMBER_W, fm.horizontalAdvance("−0.00000 × −0.00000") + 12)  # (factors: 3-5 places)
        wrap = QRectF(0, 0, max(self.width() - 8, 40), 10_000)
        title_h = max([TITLE_H] + [QFontMetricsF(bold).boundingRect(wrap, TITLE_FLAGS, subscripted(title)).height() + 4
                                   for _n, title, _f in rows])
        return max(ROW_H, fm.height() + 2), title_h, label_w, number_w

    def cell_rect(self) -> QRectF:
        """Where the unit cells go (x range), full height."""
        _row_h, _title_h, label_w, number_w = self.metrics()
        return QRectF(label_w, 0, max(self.width() - label_w - number_w, 40), self.height())

    def unit_at(self, x: float) -> int | None:
        H = self.panel.units()
        r = self.cell_rect()
        if not H or not r.left() <= x < r.right():
            return None
        return int((x - r.left()) / r.width() * H)

    def mouseMoveEvent(self, event) -> None:
        self.panel.hover_unit(self.unit_at(event.position().x()))

    def leaveEvent(self, event) -> None:
        self.panel.hover_unit(None)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        th = self.panel.theme
        p.fillRect(self.rect(), QColor(th["background"]))
        rows = self.panel.rows_at_cursor()
        if not rows:
            return
        font, bold = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        row_h, title_h, label_w, number_w = self.metrics()
        r, u = self.cell_rect(), self.panel.focus_unit()
        H = len(rows[0][2][0][2])
        y = 2.0
        for _name, title, factors in rows:
            p.setFont(bold)
            p.setPen(QColor(th["accent"]))
            p.drawText(QRectF(4, y, self.width() - 8, title_h), TITLE_FLAGS, subscripted(title))
            y += title_h
            p.setFont(font)
            values = []
            for label, kind, v in factors:
                p.setPen(QColor(th["foreground"]))
                p.drawText(QRectF(4, y, label_w - 10, row_h), Qt.AlignmentFlag.AlignVCenter
                           | Qt.AlignmentFlag.AlignRight, subscripted(label))
                argb = colorize(v[None, :], self.panel.tables[kind], *LEVELS[kind])  # (1, H) uint32
                image = QImage(argb.data, H, 1, 4 * H, QImage.Format.Format_ARGB32_Premultiplied)
                p.drawImage(QRectF(r.left(), y + 1, r.width(), row_h - 2), image)
                values.append(float(v[u]))
                y += row_h
            p.setPen(QColor(th["muted"]))
            p.drawText(QRectF(r.right() + 8, y - 3 * row_h, number_w - 8, 3 * row_h),
                       Qt.AlignmentFlag.AlignVCenter, factor_text(u, *values))
            y += GAP
        x = r.left() + (u + 0.5) * r.width() / H  # the chosen unit, marked through every row
        p.setPen(QColor(th["accent"]))
        p.drawLine(int(x), int(title_h), int(x), int(y - GAP))
        p.end()

    def content_height(self) -> int:
        n = len(self.panel.rows_at_cursor() or ())
        row_h, title_h, _label_w, _number_w = self.metrics()
        return int(n * (title_h + 3 * row_h + GAP) + 4)


class GateProductsPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("gateProductsPanel", parent)
        self.payload = None  # the "gate_products" analysis
        self._hover = None
        self.tables = {"gate": argb_table(sequential_cmap().getLookupTable(nPts=256)),
                       "state": argb_table(diverging_cmap().getLookupTable(nPts=256)),
                       "cell": argb_table(diverging_cmap().getLookupTable(nPts=256))}
        top = QHBoxLayout()
        self.selectors = SelectorRow("gateProducts")
        self.selectors.changed.connect(self._on_selection_changed)
        self.unit_spin = QSpinBox(objectName="gateProductsUnitSpin")
        self.unit_spin.setPrefix("unit ")
        self.unit_spin.setToolTip("The unit whose three numbers are printed on the right (or hover a cell).")
        self.unit_spin.valueChanged.connect(self._on_unit_changed)
        self.caption = QLabel("", objectName="gateProductsCaption", wordWrap=True)  # (two lines when presenting)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.MinimumExpanding)
        top.addWidget(self.selectors)
        top.addWidget(self.unit_spin)
        top.addWidget(self.caption, 1)
        self._layout.addLayout(top)
        self.canvas = ProductCanvas(self)
        self.canvas.setToolTip("A gate is a pairwise product g = x ⊙ y (the deck): each block shows the two "
                               "factors and their product for every unit at step t. Gates: 0 (dark) … 1 "
                               "(yellow); states: blue −1 … red +1 (memories and pre-activations ±2).")
        self.no_gates = message_label("A simple RNN has no gates: nothing is multiplied elementwise. Switch "
                                      "the cell to GRU or LSTM to see each gate g = x ⊙ y.",
                                      "gateProductsMessage")
        self._layout.addWidget(self.canvas, 1)
        self._layout.addWidget(self.no_gates, 1)
        self.no_gates.hide()
        self.hover = HoverTip(self, self.canvas, self._hovered)
        self.empty = EmptyState(self, "each gate g = x ⊙ y with its two factors, for every unit,\n"
                                "appears with the first example of a GRU or LSTM", self.canvas)
        self.set_theme(False)

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        return gates_reason(trace)

    # ---- controller API ----------------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        L, D, _T, H = trace.hidden.shape
        self.selectors.update_shape(L, D)
        self.unit_spin.setRange(0, H - 1)
        if trace.cell_type not in ("lstm", "gru"):
            self.payload = None
        self._refresh()

    def set_products(self, payload) -> None:
        """The "gate_products" analysis: {"cell", "products": [(name, title, [(label, kind, (L, D, T, H))])]},
        or None (a simple RNN)."""
        self.payload = payload
        self._refresh()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        self._refresh()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        self.canvas.update()

    # ---- data --------------------------------------------------------------------------
    def units(self) -> int:
        rows = self.rows_at_cursor()
        return len(rows[0][2][0][2]) if rows else 0

    def rows_at_cursor(self):
        """[(name, title, [(label, kind, (H,) values) x3])] at the cursor for the selected chain."""
        pl, tr = self.payload, self.trace
        if pl is None or tr is None or pl["cell"] != tr.cell_type:
            return []
        layer, d = self.selectors.selection()
        arrays = pl["products"][0][2][0][2]
        if layer >= arrays.shape[0] or d >= arrays.shape[1] or arrays.shape[2] != tr.seq_len:
            return []  # the analysis of an older model: wait for the next one
        t = self.clamp_time(self.time)
        return [(name, title, [(label, kind, a[layer, d, t]) for label, kind, a in factors])
                for name, title, factors in pl["products"]]

    def focus_unit(self) -> int:
        H = max(self.units(), 1)
        return min(self._hover if self._hover is not None else self.unit_spin.value(), H - 1)

    def hover_unit(self, u) -> None:
        if u != self._hover:
            self._hover = u
            self.canvas.update()

    def explain(self, t: int, index: int) -> str:
        """Every gating product of unit ``index`` at step t (1-based), factors and product: its tooltip."""
        layer, d = self.selectors.selection()
        return explain_product(self.payload, layer, d, int(t), int(index)) if self.payload else ""

    def _hovered(self, pos):
        u = self.canvas.unit_at(pos.x())
        return None if u is None or not self.payload else (self.time + 1, u, {})

    def _refresh(self) -> None:
        tr = self.trace
        gated = tr is not None and tr.cell_type in ("lstm", "gru")
        self.canvas.setVisible(gated or tr is None)
        self.no_gates.setVisible(not gated and tr is not None)
        self.empty.set_empty(not (gated and self.rows_at_cursor()) and (gated or tr is None))
        if gated:
            layer, d = self.selectors.selection()
            a = arrow(d, tr.num_directions)
            t = self.clamp_time(self.time)
            ready = "" if self.rows_at_cursor() else " · computing…"
            self.caption.setText(f"{tr.cell_type.upper()} layer {layer + 1}{(' h' + a) if a else ''} · "
                                 f"t = {t + 1}: each gate g = x ⊙ y{ready}")
            self.canvas.setMinimumHeight(max(160, self.canvas.content_height()))
        self.canvas.update()

    # ---- handlers ----------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._refresh()

    def _on_unit_changed(self, _value: int) -> None:
        self.canvas.update()

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        rows = self.rows_at_cursor()
        if not rows:
            return [], []
        labels = [label for _n, _t, factors in rows for label, _k, _v in factors]
        values = [v for _n, _t, factors in rows for _l, _k, v in factors]
        return ["unit"] + labels, [[u] + [float(v[u]) for v in values] for u in range(len(values[0]))]

    def export_item(self):
        return self.canvas if self.canvas.isVisible() else self.no_gates
