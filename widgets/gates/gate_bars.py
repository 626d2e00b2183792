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


def bar_rows(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Horizontal bars from 0 to each value, coloured by the value: (..., H) values with (..., 2)
    levels (lo, hi per leading index) -> (..., H, BAR_COLUMNS) uint8 ``bar_lut`` indices, 0 = no bar.
    Drawn as images (one row per unit, see ``_update_bars``) instead of H rectangles per gate."""
    values = np.asarray(values, dtype=np.float64)
    lo, hi = (np.asarray(levels, dtype=np.float64)[..., k, None] for k in (0, 1))
    edge = np.searchsorted(_COLUMN_X, np.where(np.isnan(values), 0.0, values))  # first column >= v
    zero = BAR_COLUMNS // 2  # first column right of x = 0
    first, last = np.minimum(edge, zero)[..., None], np.maximum(edge, zero)[..., None]
    columns = np.arange(BAR_COLUMNS)
    v = np.clip(np.where(np.isnan(values), lo, values), lo, hi)
    colour = (1 + np.rint((v - lo) / (hi - lo) * 254)).astype(np.uint8)  # 1..255 (as lut_index)
    return ((columns >= first) & (columns < last)) * colour[..., None]


def fit_image(item, rect: QRectF) -> None:
    """Show an image item's pixels over ``rect`` (data coordinates); set only when it changes (the
    scale depends on the image's size, so call it after the image is set)."""
    key = (rect.getRect(), item.argb.shape)
    if getattr(item, "_fitted", None) != key:
        item._fitted = key
        item.setRect(rect)
