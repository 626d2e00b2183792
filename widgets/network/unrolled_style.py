"""Colours and tooltips of the unrolled view's cells.

The pens and brushes are made once per theme, for ``LEVELS`` quantised gradient-norm levels, so that
recolouring the cells after every training snapshot only looks them up. Tooltips are written when
the mouse asks for one, not for every cell at every snapshot.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QPen

from widgets.parts.base import mix_colors
from widgets.parts.notation import state

LEVELS = 64  # gradient-norm levels (log scale over the example, 0..1) with their own pen and fill


def ink_on(fill: QColor) -> QColor:
    """Text colour readable on ``fill``."""
    return QColor("#ffffff" if fill.lightnessF() < 0.45 else "#1b1d22")


class CellStyles:
    """Per theme: the recurrent-arrow pen and the backward-pass box fill for each gradient level."""

    def __init__(self, theme: dict):
        self.theme = theme
        bg, steps = theme["background"], np.linspace(0.0, 1.0, LEVELS)
        # arrow into h_t: thicker and redder the larger ||dL/dh_t||
        self.arrow_pens = [QPen(mix_colors(theme["muted"], theme["bad"], v), 1.0 + 4.0 * v) for v in steps]
        plain = QColor(bg)
        self.plain = (QBrush(plain), ink_on(plain))  # (box brush, text colour) outside the animation
        # a perceptual sequential map (dark purple -> yellow), so that levels decades apart look
        # clearly different, not shades of one hue
        lut = pg.colormap.get("inferno").getLookupTable(0.12, 1.0, nPts=LEVELS)
        fills = [QColor(int(r), int(g), int(b)) for r, g, b in lut[:, :3]]
        self.backward = [(QBrush(c), ink_on(c)) for c in fills]  # during the backward-pass animation

    @staticmethod
    def levels(grad_levels: np.ndarray) -> np.ndarray:
        """Gradient levels in 0..1 (``log_levels``) -> indices 0..LEVELS-1."""
        return np.rint(np.asarray(grad_levels) * (LEVELS - 1)).astype(np.intp)


def cell_tooltip(trace, kind: str, layer: int, d: int, t: int) -> str:
    """What a cell box ("cell") or its recurrent arrow ("arrow") says about h_t (steps count from 1)."""
    g = float(trace.grad_norm[layer, d, t])
    n = t + 1  # the lecture's (and the box labels') step number
    if kind == "arrow":
        return f"‖∂L/∂{state('h', d, trace.num_directions, str(n))}‖ = {g:.3g}"
    D = trace.num_directions
    h = state("h", d, D, str(n))  # h_3, or h→_3 / h←_3 in a bidirectional model
    direction = ("", " (forward chain, reads x_1 … x_t)", " (backward chain, reads x_n … x_t)")[(d + 1) * (D - 1)]
    mean = float(trace.hidden[layer, d, t].mean())
    return f"{h}, layer {layer + 1}{direction}\nmean over units {mean:+.3f}\n‖∂L/∂{h}‖ = {g:.3g}"
