"""Panel: the common shape of every RNN Lab panel.

A panel draws numpy snapshots and knows no torch. The app controller calls:
  set_trace(trace)     a new probed example (engine.Trace duck type: numpy arrays, see its docstring)
  set_time(t)          move the shared time cursor (0-based input position)
  set_history(hist)    training history: dict of equal-length 1-D arrays, keys
                       step, loss, metric, grad_norm, grad_norm_clipped, clipped, skipped
  set_task_info(info)  dict from engine Task.info() (name, metric, baseline, pass_threshold, ...)
  set_theme(light)     light (white background, dark ink) for export, or the dark screen theme
Exports read:
  data_table()  -> (header: list[str], rows: list[list]) the numbers behind the picture, for CSV
  export_item() -> the QGraphicsItem/QGraphicsScene/QWidget that image exporters render
Plot items are built once; updates only call setData/setImage (pyqtgraph scrollingPlots.py).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QImage, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

DARK = {"background": "#15171c", "foreground": "#d8dde6", "muted": "#8a93a3", "accent": "#ffcc44",
        "good": "#4cc38a", "bad": "#ef5b5b", "grid": 60}
LIGHT = {"background": "#ffffff", "foreground": "#1b1d22", "muted": "#5b6270", "accent": "#d9480f",
         "good": "#2b8a3e", "bad": "#c92a2a", "grid": 90}

# One colour per layer/direction/series, readable on both themes.
SERIES_COLORS = ("#4dabf7", "#ff922b", "#69db7c", "#f783ac", "#b197fc", "#ffd43b", "#63e6be", "#ff6b6b")


def diverging_cmap() -> pg.ColorMap:
    """256-entry blue-white-red map for tanh-range values in (-1, 1)."""
    return pg.colormap.get("CET-D1")  # colorcet diverging blue-white-red, 256 entries


def sequential_cmap() -> pg.ColorMap:
    """256-entry map for gate values in (0, 1)."""
    return pg.colormap.get("viridis")  # 256 entries


def brush_lut(cmap: pg.ColorMap, n: int = 256) -> list[QBrush]:
    """``n`` ready-made brushes along ``cmap``: colour a value by index instead of a mkBrush per item."""
    return [QBrush(QColor(int(r), int(g), int(b))) for r, g, b in cmap.getLookupTable(nPts=n)[:, :3]]


def lut_index(values: np.ndarray, lo: float, hi: float, n: int = 256) -> np.ndarray:
    """Values in (lo, hi) -> integer indices 0..n-1 into a lookup table (NaN -> 0).

    Clipped before scaling: a diverging model's huge states would overflow the multiplication."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=lo, posinf=hi, neginf=lo), lo, hi)
    return np.rint((v - lo) / (hi - lo) * (n - 1)).astype(np.intp)


class Panel(QWidget):
    """Base class: a titled panel with the controller-facing methods as no-ops."""

    title = ""
    time_indexed = False  # does the panel draw a time cursor

    def __init__(self, object_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.theme = DARK
        self.trace = None
        self.time = 0
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(2, 2, 2, 2)
        self._layout.setSpacing(2)

    # ---- controller-facing API (override what applies) ---------------------------------
    def set_trace(self, trace) -> None:
        self.trace = trace

    def set_time(self, t: int) -> None:
        self.time = int(t)

    def set_history(self, history: dict) -> None:
        pass

    def set_task_info(self, info: dict) -> None:
        pass

    def set_theme(self, light: bool) -> None:
        self.theme = LIGHT if light else DARK

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        return [], []

    def export_item(self):
        return self

    # ---- helpers -----------------------------------------------------------------------
    def clamp_time(self, t: int) -> int:
        if self.trace is None:
            return 0
        return int(np.clip(t, 0, self.trace.hidden.shape[2] - 1))


class FastImageItem(pg.ImageItem):
    """An ImageItem whose colour-mapped image is kept as 32-bit RGB for drawing.

    pyqtgraph renders a colour-mapped array as an 8-bit indexed QImage, which Qt converts at every
    paint: drawing it takes ~6 times longer than a 32-bit one (and a moving cursor repaints it)."""

    def setImage(self, image=None, autoLevels=None, **kwargs):
        if image is not None and image.dtype.kind == "f":
            # a diverging model's huge (finite) states overflow pyqtgraph's rescale to the colour map;
            # every panel's levels lie far inside +-1e6, so clipping changes no colour (NaN stays NaN)
            image = np.clip(image, -1e6, 1e6)
        super().setImage(image, autoLevels=autoLevels, **kwargs)

    def render(self):
        super().render()
        image = self.qimage
        if image is not None and image.format() == QImage.Format.Format_Indexed8:
            fmt = QImage.Format.Format_ARGB32_Premultiplied if image.hasAlphaChannel() else \
                QImage.Format.Format_RGB32
            self.qimage = image.convertToFormat(fmt)


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
    (always labelled), then 2 and 5 times a decade, then the rest, each later level labelled only
    where its labels fit. (pyqtgraph puts every tick of a short range in one level, always labelled,
    so a short plot's labels overlap.) Its grid lines are GridAxis's cheap opaque ones."""

    MAX_DECADES = 6  # beyond this pyqtgraph's own choice (every 2nd or 5th decade) reads better

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(textFillLimits=[(0, 0.8), (2, 0.3)])  # 3, 4, 6.. labelled only on a tall axis

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 (pyqtgraph override)
        if not maxVal - minVal <= self.MAX_DECADES:
            return super().logTickValues(minVal, maxVal, size, stdTicks)
        levels: list[list[float]] = [[], [], []]
        for decade in range(math.floor(minVal), math.ceil(maxVal) + 1):
            for mantissa in range(1, 10):
                v = decade + math.log10(mantissa)
                if minVal <= v <= maxVal:
                    levels[0 if mantissa == 1 else 1 if mantissa in (2, 5) else 2].append(v)
        if not any(levels):  # a range narrower than the gap between two ticks: pyqtgraph's even steps
            return [(spacing, values) for spacing, values in stdTicks]
        return [(1.0, levels[0]), (None, levels[1]), (None, levels[2])]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        if spacing is not None and spacing < 1:  # the narrow-range steps: one digit would repeat
            return [f"{10 ** v * scale:.3g}" for v in values]
        return super().logTickStrings(values, scale, spacing)


def count_from_one(axis) -> None:
    """Label a time axis 1..T like the lecture (x_1 .. x_n; h_0 is the zero initial state) while
    the data stay at 0-based positions: whole-number ticks read t + 1."""
    plain = axis.tickStrings

    def tick_strings(values, scale, spacing):
        if spacing >= 1 and all(float(v).is_integer() for v in values):
            return [str(int(v) + 1) for v in values]
        return plain(values, scale, spacing)

    axis.tickStrings = tick_strings


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


def apply_palette(widget, theme: dict) -> None:
    """Colour a plain Qt widget and its children (labels, fields, buttons) for ``theme``."""
    ink, bg = QColor(theme["foreground"]), QColor(theme["background"])

    def toward_ink(t: float) -> QColor:
        return QColor.fromRgbF(*(bg.getRgbF()[i] * (1 - t) + ink.getRgbF()[i] * t for i in range(3)))

    pal = widget.palette()
    for role, color in ((QPalette.ColorRole.Window, bg), (QPalette.ColorRole.WindowText, ink),
                        (QPalette.ColorRole.Text, ink), (QPalette.ColorRole.ButtonText, ink),
                        (QPalette.ColorRole.Base, toward_ink(0.06)),
                        (QPalette.ColorRole.Button, toward_ink(0.14)),
                        (QPalette.ColorRole.PlaceholderText, QColor(theme["muted"]))):
        pal.setColor(role, color)
    widget.setPalette(pal)
    widget.setAutoFillBackground(True)


def mix_colors(a: str, b: str, t: float) -> QColor:
    """The colour a fraction ``t`` (0..1) of the way from colour ``a`` to colour ``b``."""
    ca, cb = QColor(a).getRgbF(), QColor(b).getRgbF()
    return QColor.fromRgbF(*(ca[i] * (1 - t) + cb[i] * t for i in range(3)))


def log_levels(values) -> np.ndarray:
    """Positive values (e.g. gradient norms) -> 0..1 on a log scale over the whole array; 0 stays 0.

    Non-finite values (a diverged example) map to 1 (inf) or 0 (nan) and do not set the scale.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.where(np.isposinf(v), 1.0, 0.0)
    pos = np.isfinite(v) & (v > 0)
    if pos.any():
        logs = np.log10(v[pos])
        lo, hi = logs.min(), logs.max()
        out[pos] = 1.0 if hi - lo < 1e-12 else (logs - lo) / (hi - lo)
    return out


def history_arrays(history: dict | None) -> dict[str, np.ndarray]:
    """A training history as float64 copies (the panel keeps them: the caller may reuse its arrays)."""
    return {k: np.array(v, dtype=np.float64) for k, v in (history or {}).items()}


def same_arrays(a: dict, b: dict) -> bool:
    """Do two dicts of arrays hold the same keys and values (NaN equal to NaN)?"""
    return a.keys() == b.keys() and all(
        np.shape(a[k]) == np.shape(b[k]) and np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def settle_y_range(plot, lo: float, hi: float, slack: float = 0.5) -> None:
    """Show y in (lo, hi), but keep the current range while it holds (lo, hi) and is at most
    ``1 + slack`` times as wide: a range that stays put neither jitters from one update to the next
    nor re-renders its axis (and grid) at every update."""
    vb = plot.getViewBox()
    cur_lo, cur_hi = vb.viewRange()[1]
    if vb.state["autoRange"][1] is False and cur_lo <= lo and hi <= cur_hi and \
            cur_hi - cur_lo <= (1 + slack) * (hi - lo):
        return  # (a range we set, not one pyqtgraph's auto-range is about to replace)
    plot.setYRange(lo, hi, padding=0)


def downsample_to_pixels(curve: pg.PlotDataItem) -> None:
    """Draw a long curve (thousands of training steps) as its min and max per pixel column.

    Call after ``plot.addItem(curve)`` (addItem applies the plot's own downsampling settings). Peak
    downsampling keeps the envelope of a noisy curve; pyqtgraph's default of ~5 bins per pixel only
    draws 5x more segments into the same pixels (wide pens make each segment expensive)."""
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = 1.0  # (no setter in pyqtgraph 0.14)
    curve.setClipToView(True)


def thin_marks(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """At most the lowest and the highest mark per bin of x (bins ~ pixel columns): thousands of
    symbols a few pixels wide overlap into the same picture, and each costs time to place and draw."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) <= 2 * bins or x[-1] <= x[0]:
        return x, y
    b = np.minimum(((x - x[0]) / (x[-1] - x[0]) * bins).astype(np.intp), bins - 1)
    order = np.lexsort((y, b))  # by bin, then by y within the bin
    sb = b[order]
    first = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
    last = np.r_[first[1:] - 1, len(order) - 1]
    keep = np.unique(np.r_[order[first], order[last]])  # chronological again
    return x[keep], y[keep]


def run_range(steps) -> tuple[float, float] | None:
    """The x range that shows a whole training run: from its first step to its last, rounded up to a
    multiple of a 1-2-5 step of 2.5-6% of the run. It moves once every few snapshots instead of at
    every one, so the step axis neither jitters nor re-renders while training runs (the newest steps
    stay in view, a few percent from the right edge). None without finite steps."""
    steps = np.asarray(steps, dtype=np.float64)
    steps = steps[np.isfinite(steps)]
    if not steps.size:
        return None
    lo, hi = float(steps.min()), float(steps.max())
    least = max(hi - lo, 1.0) / 40
    quantum = 10.0 ** math.floor(math.log10(least))
    quantum *= next(m for m in (1, 2, 5, 10) if m * quantum >= least)
    return lo, max(math.ceil(hi / quantum) * quantum, lo + 1.0)


def settle_views(view) -> None:
    """Apply the view-range changes of a pg.GraphicsView's plots now, not at the next paint.

    pyqtgraph defers a new range's transform to the start of the paint; the items that react to
    it (curves clipped and downsampled to the view, labels, axes) then dirty the plot again and a
    second paint follows. Settled here, one paint draws the final picture."""
    view.scene().prepareForPaint()


def set_combo_items(combo, items: list[str]) -> None:
    """Replace a QComboBox's items without emitting signals, keeping the current index if it survives."""
    old = combo.currentIndex()
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(items)
    combo.setCurrentIndex(min(max(old, 0), len(items) - 1) if items else -1)
    combo.blockSignals(False)


def message_label(text: str, object_name: str = "") -> QLabel:
    """A wrapped, centred explanatory label (used where a panel has nothing to plot)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMargin(12)
    if object_name:
        label.setObjectName(object_name)
    return label
