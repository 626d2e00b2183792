"""ViewScaler: a pyqtgraph view drawn larger in presentation mode, as far as its plots fit their slot.

Presentation mode (app/classroom/presentation.py) scales a plot view's scene with the view's transform
(fonts, axes and pens grow together). A layout of several plots has a minimum size in scene units; at
1.75x three plots side by side need more pixels than a stage slot has, and Qt would lay them out past
the view's edge (the last plot cut). The scaler draws such a view only as much larger as its plots
fit (never below 1x), and fits again when the plots rearrange.
"""
from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF

NAME_ROOM = 8  # scene px an axis keeps free beyond its name
TICK_ROOM = 2.5  # tick-label heights a vertical axis keeps (two labels apart)
SETTLED = 0.03  # a new fit within this fraction of the drawn scale is not drawn
ROUNDS = 4  # at most this many refits that grow in a row
SHRINK = 0.01  # the least a refit that would cut shrinks by
OWN_LAYOUT_S = 0.5  # a layout request this soon after a fit is the fit's own
FIT_MARGIN = 2  # px QGraphicsView.fitInView keeps free on each side of the viewport
FIXED = "_rnnlab_base_font"  # a plot view (and its viewport) keeps the unscaled font: its transform scales


class ViewScaler(QObject):
    """Keeps a pyqtgraph GraphicsView drawing its scene ``scale`` times larger across resizes, or less
    (not below 1) where its plots would not fit at that scale: a plot wider than its slot (three plots
    side by side in a stage slot) would be cut at the edge."""

    def __init__(self, view, base_font: QFont):
        super().__init__(view)
        self.view, self.scale, self.drawn = view, 1.0, 1.0  # asked for, and drawn at (the plots fit)
        self._rounds, self._applied_at = 0, 0.0
        self._settle = QTimer(self, singleShot=True, interval=0)  # (dies with the view: no late call)
        self._settle.timeout.connect(self._refit)
        self._changed = QTimer(self, singleShot=True, interval=0)
        self._changed.timeout.connect(self._refit)
        view.installEventFilter(self)
        if view.centralWidget is not None:  # its plots rearranged (another minimum size): fit again
            view.centralWidget.installEventFilter(self)
        # axes and labels without a font of their own paint with the view's: keep it at the base size,
        # the view's transform does the scaling (else they would grow by scale squared)
        for w in (view, view.viewport()):
            w.setFont(base_font)
            setattr(w, FIXED, True)
        if view.scene() is not None:
            view.scene().setFont(base_font)

    def set_scale(self, scale: float) -> None:
        if scale == self.scale:
            return
        self.scale, self._rounds = scale, 0
        self.apply()
        self._settle.start()

    def fitting(self, size) -> float:
        """The scale the view's plots fit at in ``size`` (at most ``scale``, at least 1): their layout's
        minimum, and each vertical axis's name within the axis' length (two stacked plots too short
        for their names would print them over each other)."""
        central = self.view.centralWidget
        if self.scale <= 1.0 or central is None:
            return self.scale
        need = central.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        room = (size.width() - 2 * FIT_MARGIN, size.height() - 2 * FIT_MARGIN)  # (what fitInView fills)
        fit = min(room[0] / max(need.width(), 1.0), room[1] / max(need.height(), 1.0))
        now = self.view.transform().m22() or 1.0  # the scale the axes' lengths are measured at
        for axis in vertical_axes(central):  # (a length shrinks about as 1 / scale)
            name, length = axis.label.boundingRect().width(), axis.geometry().height()
            if name > 0 and length > 0:
                fit = min(fit, now * length / (name + NAME_ROOM))
        for axis in vertical_axes(central, named=False):  # two tick labels apart ("1.0" on "0.8" in a short plot)
            length, font = axis.geometry().height(), axis.style["tickFont"] or axis.font()
            if axis.style["showValues"] and length > 0:
                fit = min(fit, now * length / (TICK_ROOM * QFontMetricsF(font).height()))
        return max(1.0, min(self.scale, fit))

    def apply(self, size=None, drawn: float | None = None) -> None:
        """Draw at ``drawn`` (default: the scale that fits ``size``)."""
        v = self.view
        size = size or v.size()
        self.drawn = self.fitting(size) if drawn is None else max(1.0, min(self.scale, drawn))
        self._applied_at = time.monotonic()
        self._set_range(size)
        pg.GraphicsView.setRange(v, v.range, padding=0, disableAutoPixel=False)

    def _set_range(self, size) -> None:
        """The scene rectangle the view shows at ``drawn`` (pixel for pixel at 1). pyqtgraph fits it into the
        viewport less ``FIT_MARGIN`` on each side (QGraphicsView.fitInView): the same scale across and down."""
        v = self.view
        v.autoPixelRange = self.drawn == 1.0  # (else a resize would draw it at 1x again: its resizeEvent)
        if v.autoPixelRange:
            v.range = QRectF(0, 0, size.width(), size.height())
        else:
            v.range = QRectF(0, 0, max(size.width() - 2 * FIT_MARGIN, 1) / self.drawn,
                             max(size.height() - 2 * FIT_MARGIN, 1) / self.drawn)

    def _refit(self) -> None:
        """Fit again (the plots rearranged, or an axis's length was measured at another scale). Growing: not
        by under SETTLED, and at most ROUNDS times in a row (an axis measured at another scale can make the
        fit swing, 1.43, 1.67, 1.55, ...). Shrinking, where the plots would be cut: always, by at least
        SHRINK (so that it ends), never below 1."""
        fit = self.fitting(self.view.size())
        if fit >= self.drawn:
            if fit - self.drawn <= SETTLED * self.drawn:
                self._rounds = 0
                return
            if self._rounds >= ROUNDS:
                return
            self._rounds += 1
            self.apply(drawn=fit)
        else:
            self.apply(drawn=min(fit, self.drawn * (1.0 - SHRINK)))
        self._settle.start()

    def eventFilter(self, obj, event) -> bool:
        if obj is not self.view:
            if event.type() == QEvent.LayoutRequest and self.scale != 1.0:
                if time.monotonic() - self._applied_at > OWN_LAYOUT_S:  # the plots changed (not our own fit):
                    self._rounds = 0  # room to grow again
                self._changed.start()  # (once the layout has its new minimum)
            return False
        if event.type() == QEvent.Resize and self.scale != 1.0:
            self.drawn = self.fitting(event.size())
            self._set_range(event.size())  # (before its resizeEvent, which applies it)
            self._rounds = 0
            self._settle.start()  # (its axes' new lengths are known once the plots are laid out for the size)
        return False


def plots_width(panel) -> int:
    """Pixels ``panel`` needs across so that its plots fit: the widest of its pyqtgraph layouts'
    minimum (at the view's scale) plus what sits beside that view in the panel."""
    need = panel.minimumSizeHint().width()
    for view in panel.findChildren(pg.GraphicsView):
        central = view.centralWidget
        if central is None or view.isHidden():
            continue
        scale = view.transform().m11() or 1.0
        least = central.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() * scale
        need = max(need, int(least + 0.999) + max(panel.width() - view.width(), 0))
    return need


def vertical_axes(central, named: bool = True) -> list:
    """The shown left/right axes (with a name, unless not ``named``) of the plots a view's central item lays out."""
    plots = [central] if isinstance(central, pg.PlotItem) else \
        [i for i in getattr(central, "items", {}) if isinstance(i, pg.PlotItem)]
    axes = [p.getAxis(side) for p in plots if p.isVisible() for side in ("left", "right")]
    return [a for a in axes if a.isVisible() and (not named or a.label.isVisible() and a.labelText)]
