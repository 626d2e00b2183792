"""pyqtgraph items and plot set-up shared by the panels: fast colour-mapped images, cheap grid
axes, log axes whose labels never crowd, 1-based time ticks and the theme of a plot."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF, QImage
from PySide6.QtWidgets import QGraphicsItem

from widgets.parts.base import mix_colors
from widgets.parts.view_ranges import nice_step


def argb_table(lut: np.ndarray) -> np.ndarray:
    """A (n, 3|4) uint8 colour lookup table as n + 1 premultiplied 0xAARRGGBB values; the extra last
    entry is transparent (for NaN)."""
    rgba = np.full((len(lut), 4), 255, dtype=np.uint32)
    rgba[:, :lut.shape[1]] = lut
    alpha = rgba[:, 3]
    rgb = rgba[:, :3] * alpha[:, None] // 255  # premultiplied
    colors = (alpha << 24) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    return np.append(colors, 0).astype(np.uint32)


def colorize(values: np.ndarray, table: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Colour-map a 2-D array like pyqtgraph does: entry ``clip((v - lo) * n / (hi - lo), 0, n - 1)``
    of the n colours of an ``argb_table``; NaN gets its transparent last entry. Returns uint32 ARGB."""
    n = len(table) - 1
    scaled = (np.asarray(values, dtype=np.float32) - np.float32(lo)) * np.float32(n / ((hi - lo) or 1.0))
    np.clip(scaled, 0, n - 1, out=scaled)
    scaled[np.isnan(scaled)] = n
    return table.take(scaled.astype(np.intp))  # (take: a few times faster than indexing)


def argb_qimage(argb: np.ndarray, opaque: bool | None = None) -> QImage:
    """A QImage over a C-contiguous (h, w) uint32 ARGB array (keep the array alive as long as it);
    opaque ones are drawn faster (None: look whether every pixel is)."""
    h, w = argb.shape
    if opaque is None:
        opaque = bool((argb >> 24 == 255).all())
    fmt = QImage.Format.Format_RGB32 if opaque else QImage.Format.Format_ARGB32_Premultiplied
    return QImage(argb.data, w, h, 4 * w, fmt)


class ArgbImageItem(pg.ImageItem):
    """An image given as (h, w) premultiplied 0xAARRGGBB values (already colour-mapped, possibly
    with transparent parts), drawn as a 32-bit QImage without any conversion. Row 0 is drawn at the
    item's y = 0 (row-major)."""

    def __init__(self, **kwargs):
        super().__init__(axisOrder="row-major", **kwargs)
        self.argb: np.ndarray | None = None

    def set_argb(self, argb: np.ndarray) -> None:
        self.argb = np.ascontiguousarray(argb, dtype=np.uint32)
        self.setImage(self.argb, autoLevels=False, levels=(0, 1))

    def render(self):
        if self.argb is None or self.argb.size == 0:
            self.qimage = None
            return
        self.qimage = argb_qimage(self.argb, opaque=False)  # (set_argb keeps a new array each time)
        self._renderRequired = False
        self._unrenderable = False


class FastImageItem(pg.ImageItem):
    """An ImageItem that colour-maps a 2-D array straight to a 32-bit RGB image with numpy.

    pyqtgraph renders a colour-mapped array as an 8-bit indexed QImage (rebuilding its 256-entry
    colour table in Python) that Qt converts at every paint; this takes a few times longer, and the
    heatmaps are redrawn with every snapshot. Same colours as pyqtgraph (see ``colorize``)."""

    def setImage(self, image=None, autoLevels=None, **kwargs):
        if image is not None and image.dtype.kind == "f":
            # a diverging model's huge (finite) states overflow pyqtgraph's rescale to the colour map;
            # every panel's levels lie far inside +-1e6, so clipping changes no colour (NaN stays NaN)
            image = np.clip(image, -1e6, 1e6)
        super().setImage(image, autoLevels=autoLevels, **kwargs)

    def render(self):
        lut, image, levels = self.lut, self.image, self.levels
        if not isinstance(lut, np.ndarray) or lut.ndim != 2 or lut.shape[1] not in (3, 4) or \
                lut.dtype != np.uint8 or image is None or image.ndim != 2 or image.size == 0 or \
                levels is None or np.ndim(levels) != 1 or self.autoDownsample or self.axisOrder != "row-major":
            super().render()  # anything else: pyqtgraph's own path, kept as 32-bit for drawing
            if self.qimage is not None and self.qimage.format() == QImage.Format.Format_Indexed8:
                fmt = QImage.Format.Format_ARGB32_Premultiplied if self.qimage.hasAlphaChannel() else \
                    QImage.Format.Format_RGB32
                self.qimage = self.qimage.convertToFormat(fmt)
            return
        cached = getattr(self, "_table_for", None)
        if cached is None or cached[0] is not lut:
            self._table_for = cached = (lut, argb_table(lut))
        argb = np.ascontiguousarray(colorize(image, cached[1], float(levels[0]), float(levels[1])))
        self._argb = argb  # the QImage reads this buffer: keep it alive with the image
        self.qimage = argb_qimage(argb)
        self._renderRequired = False
        self._unrenderable = False


class GridAxis(pg.AxisItem):
    """An axis whose grid lines are opaque, pre-mixed with the background, and lie beneath the data.

    pyqtgraph draws grid lines over the data with a translucent pen, and Qt's raster engine draws
    translucent non-antialiased lines about 25 times slower than opaque ones: a log axis' grid cost
    2-5 ms at every repaint of its plot (a moving cursor, a new curve). Mixed with the background,
    the lines look the same on empty background; beneath the view box they no longer cross the
    curves. ``apply_plot_theme`` tells it the background colour. Use ``PlotItem(axisItems=...)``.
    """

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.background: str | None = None
        self._opaque_pens: dict = {}

    def set_background(self, color: str) -> None:
        self.background, self._opaque_pens = color, {}
        self.picture = None
        self.update()

    def setGrid(self, grid):  # noqa: N802 (pyqtgraph override)
        super().setGrid(grid)
        self.setZValue(0.5 if grid is False else -200)  # the plot's view box sits at z = -100
        # With a grid the axis covers its whole plot, so every new curve repaints it: keep it as a
        # pixmap, redrawn only when the axis itself changes (exports still draw it afresh).
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache if grid is False else
                          QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def generateDrawSpecs(self, p):  # noqa: N802 (pyqtgraph override)
        specs = super().generateDrawSpecs(p)
        if specs is None or self.background is None:
            return specs
        axis_spec, tick_specs, text_specs = specs
        # opaque lines cover each other where levels coincide (log minor ticks repeat the decades):
        # the faintest first, so the strongest line shows
        tick_specs = sorted(tick_specs, key=lambda spec: spec[0].color().alpha())
        return axis_spec, [(self._opaque(pen), a, b) for pen, a, b in tick_specs], text_specs

    def _opaque(self, pen):
        color = pen.color()
        if color.alpha() == 255:
            return pen
        key = (color.rgba(), pen.widthF())
        if key not in self._opaque_pens:
            opaque = type(pen)(pen)
            opaque.setColor(mix_colors(self.background, color.name(), color.alphaF()))
            self._opaque_pens[key] = opaque
        return self._opaque_pens[key]


class LogAxis(GridAxis):
    """A log axis whose ticks over up to ``MAX_DECADES`` decades come in three levels: whole decades
    (labelled, every k-th only on an axis too short for all), then 2 and 5 times a decade, then the
    rest, each later level labelled only where its labels fit. (pyqtgraph puts every tick of a short
    range in one level, always labelled, so a short plot's labels overlap.) Its grid lines are
    GridAxis's cheap opaque ones."""

    MAX_DECADES = 6  # beyond this pyqtgraph's own choice (every 2nd or 5th decade) reads better

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(textFillLimits=[(0, 0.8), (2, 0.3)])  # 3, 4, 6.. labelled only on a tall axis

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 (pyqtgraph override)
        if not maxVal - minVal <= self.MAX_DECADES:
            return self._thinned(super().logTickValues(minVal, maxVal, size, stdTicks), size)
        levels: list[list[float]] = [[], [], []]
        for decade in range(math.floor(minVal), math.ceil(maxVal) + 1):
            for mantissa in range(1, 10):
                v = decade + math.log10(mantissa)
                if minVal <= v <= maxVal:
                    levels[0 if mantissa == 1 else 1 if mantissa in (2, 5) else 2].append(v)
        if not any(levels):  # a range narrower than the gap between two ticks: pyqtgraph's even steps
            return [(spacing, values) for spacing, values in stdTicks]
        # (the decades too thinned where even they would not fit: a plot squeezed under its legend)
        return self._thinned([(1.0, levels[0]), (None, levels[1]), (None, levels[2])], size)

    def _thinned(self, levels, size: float):
        """pyqtgraph's decades of a long range, every k-th only where the labels would not fit the axis'
        length ("10⁻¹⁰" over "10⁻²⁰" on a short plot): labels of a vertical axis a line and a half apart."""
        if self.orientation not in ("left", "right") or not levels or size <= 0:
            return levels
        font = self.style.get("tickFont") or self.font()
        fits = max(int(size / (1.5 * QFontMetricsF(font).height())), 2)
        spacing, values = levels[0]
        step = math.ceil(len(values) / fits)
        if step <= 1:
            return levels
        kept = sorted(values, reverse=True)[::step]  # from the top decade down (1, 10⁻¹⁰, 10⁻²⁰ ...)
        return [(spacing * step if spacing else spacing, kept)] + [(s, []) for s, _v in levels[1:]]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        if spacing is not None and spacing < 1:  # the narrow-range steps: one digit would repeat
            return [f"{10 ** v * scale:.3g}" for v in values]
        # pyqtgraph writes 10⁻⁴ as "0.0001" (its "%g" turns to powers only below that): beside an axis title in
        # a fixed-width axis (the curves' 52 px) it ran into the title; written as a power like 10⁻⁵ and below
        return ["10⁻⁴" if text == "0.0001" else text for text in super().logTickStrings(values, scale, spacing)]


class SparseAxis(pg.AxisItem):
    """An axis whose labelled ticks stay at least ``MIN_PX`` apart: pyqtgraph spaces ticks
    by the axis' length alone, so a narrow plot's step numbers ("100120140") run into each other.
    Apart in the axis' own units, which its labels are drawn in: ``size`` is in the device's pixels, and
    on the stage (a view scaled 1.75x) 42 of those put "50100150200250" in one word."""

    MIN_PX = 42

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph override)
        levels = super().tickSpacing(minVal, maxVal, size)
        span = maxVal - minVal
        if not levels or span <= 0 or size <= 0:
            return levels
        length = self.geometry().height() if self.orientation in ("left", "right") else self.geometry().width()
        major = nice_step(span * self.MIN_PX / (length if length > 0 else size))
        return levels if levels[0][0] >= major else [(major, 0)]


def count_from_one(axis) -> None:
    """Label a time axis 1..T like the lecture (x_1 .. x_n; h_0 is the zero initial state) while
    the data stay at 0-based positions: whole-number ticks read t + 1. Steps are whole numbers, so
    the ticks are too: never "1.5" between two steps, however wide the axis."""
    integer_ticks(axis)

    def tick_strings(values, scale, spacing):
        return [str(int(round(v)) + 1) if float(v).is_integer() else "" for v in values]

    axis.tickStrings = tick_strings


def integer_ticks(axis) -> None:
    """Ticks only at whole numbers (a step count, a time step): pyqtgraph's half steps are dropped."""
    plain = axis.tickSpacing

    def tick_spacing(minVal, maxVal, size):  # noqa: N803 (pyqtgraph's names)
        levels = [(max(1.0, float(np.ceil(sp))), off) for sp, off in (plain(minVal, maxVal, size) or [])
                  if sp >= 1] or [(1.0, 0.0)]
        return list(dict.fromkeys(levels))

    axis.tickSpacing = tick_spacing


def grid_axes(*names: str) -> dict:
    """``axisItems`` for a PlotItem: a ``LogAxis`` (a ``GridAxis`` whose log ticks never crowd;
    linear ranges are unchanged) for each named side."""
    return {name: LogAxis(name) for name in names}


def theme_plots(view, plots, theme: dict) -> None:
    """Colour a GraphicsLayoutWidget's background and its plots, with y grids to read values off."""
    view.setBackground(theme["background"])
    for plot in plots:
        apply_plot_theme(plot, theme)
        plot.showGrid(x=False, y=True, alpha=theme["grid"] / 255)


def apply_plot_theme(plot, theme: dict) -> None:
    """Colour a pg.PlotWidget (background too) or a pg.PlotItem's axes, labels and title for ``theme``."""
    if isinstance(plot, pg.PlotWidget):
        plot.setBackground(theme["background"])
        plot = plot.getPlotItem()
    ink, muted = theme["foreground"], theme["muted"]
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        if isinstance(axis, GridAxis):
            axis.set_background(theme["background"])
        axis.setPen(pg.mkPen(muted))
        axis.setTextPen(pg.mkPen(ink))  # also recolours the axis label
    plot.titleLabel.setAttr("color", ink)
    plot.titleLabel.setText(plot.titleLabel.text)
