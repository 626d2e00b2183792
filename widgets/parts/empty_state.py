"""EmptyState: what a panel shows before its data arrives (and after a reset or another model).

No invented axes: a plot without data has no range to number, so its axes keep their names but
lose their numbers; instead one short centred line says what will appear ("gate activations appear
after the first step"). In a plot the line is a ``pg.TextItem`` in the view box (placed in pixels, so
it stays centred whatever range the plot had); over any other widget (a table, a text, a drawing)
it is a label laid over the widget's viewport. The panel calls ``set_empty(False)`` when its data
arrives and ``set_empty(True)`` when it goes away; everything else is here.

Every panel registers its empty states (``Panel.empty_states``): the theme recolours them and the
test of every registered panel (tests/widgets/test_empty_states.py) reads them.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QAbstractScrollArea, QLabel

AXES = ("left", "bottom", "right", "top")
MARGIN = 8  # px between the line and the edges of its plot


def prefix_off(axis) -> None:
    """No SI scale on ``axis`` (pyqtgraph's enableAutoSIPrefix(False) computes one for the current
    range and keeps it: an axis of values under 1 would then number them x1000)."""
    axis.autoSIPrefix = False
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    axis._updateLabel()


def plot_item(host):
    """The pg.PlotItem of a PlotWidget or PlotItem host, else None (a plain widget)."""
    if isinstance(host, pg.PlotWidget):
        return host.getPlotItem()
    return host if isinstance(host, pg.PlotItem) else None


class EmptyState(QObject):
    """One sentence centred in ``host`` (a plot or a widget) while the panel has no data; meanwhile the
    numbers of ``host``'s and ``quiet``'s axes are hidden, what their view boxes hold (a previous model's
    drawing) and the items ``hide`` (legends, colour bars) made transparent."""

    def __init__(self, panel, text: str, host, quiet=(), hide=()):
        super().__init__(panel)
        self.text = text
        self.plots = [p for p in (plot_item(h) for h in (host, *quiet)) if p is not None]
        self.hidden = tuple(hide)
        self.empty = None
        self._numbered: list = []  # (axis, SI prefix on) of the axes whose numbers it hid (to give them back)
        item = plot_item(host)
        if item is not None:
            self.box = item.getViewBox()
            self.note = pg.TextItem(text, anchor=(0.5, 0.5))
            self.note.textItem.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignCenter))
            self.note.setParentItem(self.box)  # (in the box's pixels: any data range keeps it centred)
            self.note.setZValue(20)
            self.box.sigResized.connect(self._place)
            self.label = None
        else:
            self.box = self.note = None
            self.widget = host.viewport() if isinstance(host, QAbstractScrollArea) else host
            self.label = QLabel(text, self.widget, objectName=f"{panel.objectName()}Empty")
            self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.label.setWordWrap(True)
            self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.label.setProperty("floating", True)  # over its empty host by design (the overlap audit)
            self.widget.installEventFilter(self)
        panel.empty_states.append(self)
        self.set_color(panel.theme["muted"], panel.theme["background"])
        self.set_empty(True)

    def set_empty(self, empty: bool) -> None:
        empty = bool(empty)
        if empty == self.empty:
            return
        self.empty = empty
        if self.note is not None:
            self.note.setVisible(empty)
            self._place()
        else:
            self.label.setVisible(empty)
            self._place()
        for item in self.hidden:  # (by opacity: the panel's own show/hide logic and its layout stay as they are)
            item.setOpacity(0.0 if empty else 1.0)
        for plot in self.plots:  # what the plots still hold (a previous model's curves) out of sight too
            plot.getViewBox().childGroup.setOpacity(0.0 if empty else 1.0)
        if empty:  # no numbers, and no "(x0.001)" scale of them in the axis' name
            axes = [a for p in self.plots for a in (p.getAxis(n) for n in AXES) if a.style["showValues"]]
            self._numbered = [(axis, axis.autoSIPrefix) for axis in axes]
            for axis in axes:
                axis.setStyle(showValues=False)
                if axis.autoSIPrefix:
                    prefix_off(axis)
        else:
            for axis, prefix in self._numbered:
                axis.setStyle(showValues=True)
                if prefix:
                    axis.enableAutoSIPrefix(True)  # (scaled for its range again)
            self._numbered = []
            self._settle()

    def _settle(self) -> None:
        """Lay the plots out now that their axes have numbers again (and hidden items are back): the
        panel's first drawing then sees the view boxes at their real size, not the empty state's."""
        for plot in self.plots:
            outer = plot.parentLayoutItem()
            for layout in (getattr(outer, "layout", None), plot.layout):
                if layout is not None and hasattr(layout, "activate"):
                    layout.activate()

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            (self.note or self.label).setText(text)
            self._place()

    def shown(self) -> bool:
        """Is the sentence up (the panel has no data)?"""
        return bool(self.empty)

    def set_color(self, color, background: str | None = None) -> None:
        if self.note is not None:
            self.note.setColor(color)
            if background is not None:  # readable over a line the plot draws without data (a max-norm)
                self.note.fill = pg.mkBrush(background + "e0")
                self.note.update()
        else:
            self.label.setStyleSheet(f"color: {color}; background: transparent;")

    def _place(self, *_args) -> None:
        if self.note is not None:
            rect = self.box.rect()
            self.note.setTextWidth(-1)
            if self.note.textItem.boundingRect().width() > rect.width() - 2 * MARGIN:
                self.note.setTextWidth(max(rect.width() - 2 * MARGIN, 40))  # wrap in a narrow plot
            self.note.setPos(rect.center())
        elif self.label is not None:
            self.label.setGeometry(self.widget.rect().adjusted(MARGIN, 0, -MARGIN, 0))  # (centred: no need of more)
            self.label.raise_()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
