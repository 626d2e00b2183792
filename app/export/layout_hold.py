"""A panel's layouts stay as they were while it is exported over several event-loop turns.

Changing a panel's theme, and pyqtgraph's axes measuring their labels on the 2x export painter, post
LayoutRequest events; a one-go export painted everything before the event loop could process them. Painted in
steps, a layout settling in between would tear a figure (an axis of one layout beside the plot of the next)
or give its SVG another layout than its PNG. ``LayoutHold`` holds back the LayoutRequest events of the
panel's widgets and of the graphics widgets in its scenes, and posts them again when the panel is done: the
figures are those of a one-go export, byte for byte.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication, QGraphicsView, QGraphicsWidget, QWidget


class LayoutHold(QObject):
    def __init__(self, panel):
        super().__init__()
        self.panel = panel
        self.scenes = [v.scene() for v in panel.findChildren(QGraphicsView) if v.scene() is not None]
        self.held: list = []

    def add_scene(self, scene) -> None:
        if scene is not None and not any(scene is s for s in self.scenes):
            self.scenes.append(scene)

    def start(self) -> LayoutHold:
        QApplication.instance().installEventFilter(self)
        return self

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)
        held, self.held = self.held, []
        for obj in held:  # (as if the events had waited in the queue)
            QCoreApplication.postEvent(obj, QEvent(QEvent.Type.LayoutRequest))

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.LayoutRequest or not self._ours(obj):
            return False
        if not any(obj is h for h in self.held):
            self.held.append(obj)
        return True

    def _ours(self, obj) -> bool:
        if isinstance(obj, QWidget):
            return obj is self.panel or self.panel.isAncestorOf(obj)
        if isinstance(obj, QGraphicsWidget):
            scene = obj.scene()
            return any(scene is s for s in self.scenes)
        return False
