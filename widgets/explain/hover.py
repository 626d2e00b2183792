"""HoverTip: a panel's ``explain`` text as its tooltip the moment the mouse reaches a number.

Qt's own tooltips wait ~700 ms; this shows the text on the mouse move itself, replaces it when the
mouse reaches another number, and rewrites it when a new snapshot arrives under a still mouse
(``refresh``), so a tooltip follows training live. It also reports the hovered number's sources
(``Panel.sources_hovered``), which the window hands to the other panels to outline.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QToolTip


def plot_locator(plot_item, view):
    """pos (viewport px of ``view``) -> (x, y) in ``plot_item``'s data coordinates, or None outside it."""
    def locate(pos: QPoint):
        scene = view.mapToScene(pos)
        vb = plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(scene):
            return None
        p = vb.mapSceneToView(scene)
        return p.x(), p.y()
    return locate


class HoverTip(QObject):
    """``locate(pos) -> (t, index, {keyword: value}) or None`` maps a position of ``widget`` (a
    QGraphicsView's viewport receives the events) to what ``panel.explain`` takes; ``sources(t, index,
    **kw)`` optionally lists what that number was computed from."""

    def __init__(self, panel, widget, locate, sources=None):
        super().__init__(panel)
        self.panel, self.locate, self.sources = panel, locate, sources
        self.target = widget.viewport() if hasattr(widget, "viewport") else widget
        self.target.setMouseTracking(True)
        self.target.installEventFilter(self)
        self.current, self.text, self._global = None, "", QPoint()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self.hover(event.position().toPoint(), event.globalPosition().toPoint())
        elif kind == QEvent.Type.Leave:
            self.hover(None, None)
        elif kind == QEvent.Type.ToolTip and self.current is not None:
            return True  # the explain text is already showing: not the static tooltip over it
        return False

    def hover(self, pos: QPoint | None, global_pos: QPoint | None) -> None:
        hit = None if pos is None or self.panel.trace is None else self.locate(pos)
        if global_pos is not None:
            self._global = global_pos
        if hit == self.current:
            return
        self.current = hit
        if hit is None:
            if self.text:
                QToolTip.hideText()
            self.text = ""
            self.panel.sources_hovered.emit([])
            return
        self._show()
        if self.sources is not None:
            t, index, kw = hit
            self.panel.sources_hovered.emit(self.sources(t, index, **kw))

    def refresh(self) -> None:
        """A new snapshot under a still mouse: the same number, its new value."""
        if self.current is not None and self.panel.trace is not None:
            self._show()

    def _show(self) -> None:
        t, index, kw = self.current
        try:
            text = self.panel.explain(t, index, **kw)
        except (IndexError, KeyError, ValueError):  # the number left with the last snapshot
            text = ""
        if text != self.text or not QToolTip.isVisible():
            self.text = text
            if text:
                QToolTip.showText(self._global, text, self.target)
            else:
                QToolTip.hideText()


def step_locator(plot_item, view, count, index=lambda x, y: 0):
    """For plots with one value per step on x (0-based): pos -> (t 1-based, index(x, y), {}), or None
    off the plot or past the ``count()`` steps."""
    to_data = plot_locator(plot_item, view)

    def locate(pos: QPoint):
        p = to_data(pos)
        if p is None:
            return None
        t = int(round(p[0]))
        return (t + 1, index(p[0], p[1]), {}) if 0 <= t < count() else None
    return locate
