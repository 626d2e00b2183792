"""CellLinks: the window's links between the cell view and the other panels.

- Drill-down: a double-click on a column of the unrolled network opens the cell view at that step and
  chain (the time cursor moves there; the view comes to the front with its ≤ 300 ms transition);
  Esc or its back button shrinks it away and brings back the tab that was in front before.
- The unit clicked in the cell view is outlined in the heatmap, and the other way round.
- Hover: a panel's hovered number (``Panel.sources_hovered``) outlines its sources in every other
  visible panel; a new snapshot under a still mouse rewrites the open tooltip (``HoverTip.refresh``).
"""
from __future__ import annotations


class CellLinks:
    def __init__(self, window):
        self.window = window
        panels = window.panels
        self.cell, self.heatmap = panels["cellView"], panels["hiddenHeatmap"]
        self._back_to = None  # (tab widget, index) in front before the drill-down
        panels["unrolledView"].column_activated.connect(self.open_cell)
        self.cell.back_requested.connect(self.back)
        self.cell.unit_clicked.connect(self.heatmap.highlight_unit)
        self.heatmap.unit_clicked.connect(self.cell.highlight_unit)
        for panel in panels.values():
            panel.sources_hovered.connect(lambda sources, origin=panel: self.route(origin, sources))
        window.controller.snapshot_shown.connect(self.refresh_tooltips)

    def open_cell(self, t: int, layer: int, direction: int) -> None:
        """The cell of (layer, direction) at step t (0-based) in front, growing out of the network."""
        w = self.window
        tabs = w.tabs.get("cellView")
        if tabs is not None and tabs[0].currentIndex() != tabs[1]:
            self._back_to = (tabs[0], tabs[0].currentIndex())
        w.transport.set_time(t)
        self.cell.select_chain(layer, direction)
        w.show_panel("cellView")
        self.cell.arrive()
        self.cell.view.setFocus()

    def back(self) -> None:
        """Esc / back: the tab that was in front before the drill-down, focus on the network."""
        if self._back_to is not None:
            tabs, index = self._back_to
            self._back_to = None
            tabs.setCurrentIndex(index)
        self.window.panels["unrolledView"].view.setFocus()

    def route(self, origin, sources) -> None:
        for panel in self.window.panels.values():
            if panel is not origin and panel.isVisible():
                panel.show_sources(sources)

    def refresh_tooltips(self, _snap=None) -> None:
        for panel in self.window.panels.values():
            hover = getattr(panel, "hover", None)
            if hover is not None:
                hover.refresh()
