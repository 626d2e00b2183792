"""The gates panel's bars: every unit's gate value at the cursor step as a horizontal bar, drawn as one image
(a row of pixels per unit) instead of H rectangles per gate."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

BAR_COLUMNS = 128  # image columns across the bar plot's x range -1..1
BAR_SUBROWS = 5  # image rows per unit: 4 of bar (height 0.8, centred on the unit) and 1 of gap
_COLUMN_X = -1.0 + (np.arange(BAR_COLUMNS) + 0.5) * (2.0 / BAR_COLUMNS)  # x of each column's centre


def bar_lut(cmap: pg.ColorMap) -> np.ndarray:
    """(256, 4) RGBA table for bar images: entry 0 is no bar (transparent), 1..255 the colour map."""
    lut = np.zeros((256, 4), dtype=np.uint8)
    lut[1:, :3] = cmap.getLookupTable(nPts=255)[:, :3]
    lut[1:, 3] = 255
    return lut


_ZERO = BAR_COLUMNS // 2  # first column right of x = 0
_columns = np.arange(BAR_COLUMNS)
_edges = np.arange(BAR_COLUMNS + 1)[:, None]
# _SPANS[e]: the columns a bar covers whose value's first column >= v is e (from e to the zero column)
_SPANS = (_columns >= np.minimum(_edges, _ZERO)) & (_columns < np.maximum(_edges, _ZERO))
_SPAN_MASKS = np.where(_SPANS, np.uint32(0xFFFFFFFF), np.uint32(0))  # the same as pixel masks


def bar_parts(values: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., H) values with (..., 2) levels (lo, hi per leading index) -> each bar's edge (its value's first
    column, an index into the bars' spans) and colour (1..255, a ``bar_lut`` index as ``lut_index`` makes)."""
    values = np.asarray(values, dtype=np.float64)
    lo, hi = (np.asarray(levels, dtype=np.float64)[..., k, None] for k in (0, 1))
    nan = np.isnan(values)
    edge = np.searchsorted(_COLUMN_X, np.where(nan, 0.0, values))  # first column >= v
    v = np.clip(np.where(nan, lo, values), lo, hi)
    return edge, (1 + np.rint((v - lo) / (hi - lo) * 254)).astype(np.uint8)


def bar_rows(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Horizontal bars from 0 to each value, coloured by the value: (..., H) values with (..., 2)
    levels (lo, hi per leading index) -> (..., H, BAR_COLUMNS) uint8 ``bar_lut`` indices, 0 = no bar.
    Drawn as images (one row per unit, see ``_update_bars``) instead of H rectangles per gate."""
    edge, colour = bar_parts(values, levels)
    return _SPANS.take(edge, axis=0) * colour[..., None]


def bar_argb(edge: np.ndarray, colour: np.ndarray, table: np.ndarray) -> np.ndarray:
    """One gate's bars as (H, BAR_COLUMNS) ARGB pixels (0 = none) from its ``bar_parts``: each unit's colour
    looked up once, then spread over its span (not a table lookup per pixel)."""
    return _SPAN_MASKS.take(edge, axis=0) & table.take(colour)[:, None]


def fit_image(item, rect: QRectF) -> None:
    """Show an image item's pixels over ``rect`` (data coordinates); set only when it changes (the
    scale depends on the image's size, so call it after the image is set)."""
    key = (rect.getRect(), item.argb.shape)
    if getattr(item, "_fitted", None) != key:
        item._fitted = key
        item.setRect(rect)
