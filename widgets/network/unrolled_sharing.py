"""Parameter sharing in the unrolled view: hover or click a cell box and every column of its chain
lights up with the same W_xh, W_hh and b, their shapes in the caption.

``SharingOverlay`` is owned by ``UnrolledView``; it builds its scene items on demand for one chain
(layer, direction) at a time and never touches the cell colouring.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen

from widgets.parts.notation import arrow

GATE_BLOCKS = {"lstm": "i, f, g, o", "gru": "r, z, n"}


def shape_text(shape) -> str:
    return "×".join(str(int(n)) for n in shape)


def sharing_caption(trace, layer: int, d: int) -> str:
    """One sentence: the chain's shared weights with their shapes (from the trace's parameter list)."""
    D, T = trace.num_directions, trace.seq_len
    sfx = f"_l{layer}" + ("_reverse" if d else "")
    shapes = {n.rsplit(".", 1)[-1]: g.shape for n, g in trace.param_grads.items() if n.endswith(sfx)}
    a = arrow(d, D)
    chain = f"layer {layer + 1}" + (f" h{a}" if D == 2 else "")
    w_ih, w_hh = shapes.get(f"weight_ih{sfx}"), shapes.get(f"weight_hh{sfx}")
    b_ih, b_hh = shapes.get(f"bias_ih{sfx}"), shapes.get(f"bias_hh{sfx}")
    if w_ih is None or w_hh is None:
        return f"Parameter sharing: every column of {chain} uses the same W{a}_xh, W{a}_hh and b{a}."
    blocks = GATE_BLOCKS.get(trace.cell_type)
    stacked = f" ({blocks} stacked)" if blocks else ""
    count = sum(int(_prod(s)) for s in (w_ih, w_hh, b_ih, b_hh) if s is not None)
    bias = f"b{a} {shape_text(b_ih or ())}" if b_hh is None else \
        f"b{a} = bias_ih + bias_hh, 2 × {shape_text(b_ih or b_hh)} (PyTorch keeps two)"
    return (f"Parameter sharing: all {T} columns of {chain} use the same W{a}_xh {shape_text(w_ih)}, "
            f"W{a}_hh {shape_text(w_hh)} and {bias}{stacked}: "
            f"{count:,} parameters, however long the sequence (weight_ih{sfx}, weight_hh{sfx}).")


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


class SharingOverlay:
    """Highlight of one chain's columns: box outlines, recurrent arrows and W labels in the accent."""

    def __init__(self, view):
        self.view = view
        self.row: tuple[int, int] | None = None  # the chain shown (layer, direction)
        self.selected: tuple[int, int] | None = None  # clicked: stays until clicked again or elsewhere
        self.items: list = []

    def clear_items(self) -> None:
        """The scene was rebuilt: the items are gone with it."""
        self.items, self.row = [], None

    def restore(self, num_layers: int, num_directions: int) -> None:
        """After a rebuild: show the selected chain again if the new model still has it."""
        sel = self.selected
        if sel is not None and not (sel[0] < num_layers and sel[1] < num_directions):
            self.selected = None
        self.show(self.selected)

    def refresh(self) -> None:
        """A new snapshot of the same-shaped network (another cell, size, step): the caption of the
        chain shown names this model's shapes and count, not the last one's."""
        view = self.view
        if self.row is not None and view.trace is not None:
            view.legend.setText(sharing_caption(view.trace, *self.row))

    def hover(self, row) -> None:
        self.show(row if row is not None else self.selected)

    def click(self, row) -> None:
        """Select the chain clicked (it stays lit), or deselect it when clicked again or elsewhere."""
        self.selected = None if row == self.selected else row
        self.show(self.selected)

    def show(self, row) -> None:
        if row == self.row:
            return
        scene = self.view.scene
        for item in self.items:
            scene.removeItem(item)
        self.items, self.row = [], row
        view = self.view
        if row is None or view.trace is None:
            view.legend.setText(view.legend_text)
            return
        layer, d = row
        th, D = view.theme, view.trace.num_directions
        a = arrow(d, D)
        pen = QPen(QColor(th["accent"]), 2.5)
        path, font = QPainterPath(), QFont()
        font.setPointSizeF(7.5)
        for (lay, dd, _t), box in view.cell_items.items():
            if (lay, dd) != row:
                continue
            r = box.sceneBoundingRect().adjusted(-2, -2, 2, 2)
            path.addRect(QRectF(r))
            rec = view.rec_arrows[(lay, dd, _t)]
            path.addPath(rec.path())
            for text, x, y in ((f"W{a}_hh", rec.path().boundingRect().center().x(), r.top() + 10),
                               (f"W{a}_xh", r.center().x() + 22, r.bottom() + 8)):
                label = scene.addSimpleText(text, font)
                label.setBrush(QColor(th["accent"]))
                br = label.boundingRect()
                label.setPos(x - br.width() / 2, y - br.height() / 2 - (14 if text.endswith("hh") else 0))
                label.setZValue(6)
                self.items.append(label)
        outline = scene.addPath(path, pen)
        outline.setZValue(5)
        self.items.append(outline)
        view.legend.setText(sharing_caption(view.trace, layer, d))
