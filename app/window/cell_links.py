"""CellLinks: the window's links between the cell view and the other panels.

- Drill-down: a double-click on a column of the unrolled network opens the cell view at that step and
  chain (the time cursor moves there; the view comes to the front with its ≤ 300 ms transition);
  Esc or its back button shrinks it away and brings back the tab that was in front before.
- The unit clicked in the cell view is outlined in the heatmap, and the other way round.
- Hover: a panel's hovered number (``Panel.sources_hovered``) outlines its sources in every other
  visible panel; a new snapshot under a still mouse rewrites the open tooltip (``HoverTip.refresh``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt

ROOM = (0.36, 0.62)  # the drill-down gives the cell view's dock at least this share of the window (w, h)


class CellLinks:
    def __init__(self, window):
        self.window = window
        panels = window.panels
        self.heatmap = panels["hiddenHeatmap"]
        self._back_to = None  # (tab widget, index) in front before the drill-down
        self._sizes = None  # {dock: (width, height)} before the drill-down made room for the cell
        panels["unrolledView"].column_activated.connect(self.open_cell)
        self.heatmap.unit_clicked.connect(self._highlight_in_cell)
        panels.when_built(self._wire)  # (the cell view is built when first needed)
        window.controller.snapshot_shown.connect(self.refresh_tooltips)

    @property
    def cell(self):
        return self.window.panels["cellView"]

    def _wire(self, name: str, panel) -> None:
        panel.sources_hovered.connect(lambda sources, origin=panel: self.route(origin, sources))
        if name == "cellView":
            panel.back_requested.connect(self.back)
            panel.unit_clicked.connect(self.heatmap.highlight_unit)
            panel.unit_clicked.connect(self.window.panels["gatesPanel"].highlight_unit)

    def _highlight_in_cell(self, unit) -> None:
        self.cell.highlight_unit(unit)

    def open_cell(self, t: int, layer: int, direction: int) -> None:
        """The cell of (layer, direction) at step t (0-based) in front, growing out of the network."""
        w = self.window
        tabs = w.tabs.get("cellView")
        if tabs is not None and tabs[0].currentIndex() != tabs[1]:
            self._back_to = (tabs[0], tabs[0].currentIndex())
        w.transport.set_time(t)
        self.cell.select_chain(layer, direction)
        w.show_panel("cellView")
        self._make_room()
        self.cell.arrive()
        self.cell.view.setFocus()

    def _make_room(self) -> None:
        """A dock squeezed under others (the wide layout) grows so the diagram is legible."""
        w = self.window
        dock = next((d for d in w.docks.values() if d.isAncestorOf(self.cell)), None)
        if dock is None or dock.isFloating():
            return
        if self._sizes is None:
            self._sizes = {d: (d.width(), d.height()) for d in w.docks.values() if d.isVisible()}
        bottom = [d for d in w.docks.values() if d.isVisible() and d is not dock and not d.isFloating()
                  and w.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
        if bottom and w.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            w.resizeDocks(bottom[:1], [int(w.height() * 0.2)], Qt.Orientation.Vertical)  # the bottom row lower
        w.resizeDocks([dock], [max(dock.height(), int(w.height() * ROOM[1]))], Qt.Orientation.Vertical)
        w.resizeDocks([dock], [max(dock.width(), int(w.width() * ROOM[0]))], Qt.Orientation.Horizontal)

    def back(self) -> None:
        """Esc / back: the tab that was in front before the drill-down (and the dock its size), focus on
        the network."""
        if self._sizes is not None:
            sizes, self._sizes = self._sizes, None
            docks = list(sizes)
            self.window.resizeDocks(docks, [sizes[d][1] for d in docks], Qt.Orientation.Vertical)
            self.window.resizeDocks(docks, [sizes[d][0] for d in docks], Qt.Orientation.Horizontal)
        if self._back_to is not None:
            tabs, index = self._back_to
            self._back_to = None
            tabs.setCurrentIndex(index)
        self.window.panels["unrolledView"].view.setFocus()

    def route(self, origin, sources) -> None:
        for panel in self.window.panels.built().values():
            if panel is not origin and panel.isVisible():
                panel.show_sources(sources)

    def refresh_tooltips(self, _snap=None) -> None:
        for panel in self.window.panels.built().values():
            hover = getattr(panel, "hover", None)
            if hover is not None:
                hover.refresh()
