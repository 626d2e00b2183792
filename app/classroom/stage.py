"""The stage: the panels a Lecture preset (or a slide) is about, side by side in one dock.

In presentation mode (F5) the stage is all there is beside the unrolled network: the controls, the
timeline and every other dock step aside, the network column keeps at least half the window, and the
stage holds the preset's 1-3 panels. Tab puts the next panel (or the preset's group again) on the
stage, Shift+Tab the previous; Esc leaves presentation mode. The transport row keeps Train, Step,
Reset, the time cursor, Play t and BPTT.

Outside presentation mode a preset with panels meant to be read together (the vanishing preset's
dL/dh_t and "why gradients vanish") puts them on the stage too, instead of leaving them as tabs of
one dock; another preset, Reset layout or closing the stage puts them back where they live.

A panel on the stage is borrowed: taken out of its tab (or dock) and returned to the same place.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QSplitter, QTabBar, QToolBar, QVBoxLayout, QWidget

from app.classroom.view_scaler import plots_width
from app.panels.registry import CENTER, PANELS, SPECS
from app.window.sizing import comfortable_width

NETWORK_SHARE = 0.5  # of the window's width the network column keeps while presenting
UNROLLED_SHARE = 0.5  # of the window's height the unrolled network gets while presenting (issue 25)
DEFAULT_STAGE = ("hiddenHeatmap",)
LEAVE_RELAYOUT_MS = 150
FIT_AFTER_MS = (100, 400)  # the side-by-side stage widened for its panels' plots once they are laid out
# objectNames hidden while presenting: reading aids and figures a room does not need
QUIET_WHILE_PRESENTING = ("unrolledLegend", "status_speed")


class StageDock(QDockWidget):
    def __init__(self, stage, window):
        super().__init__("On stage", window)
        self.stage = stage
        self.setObjectName("stageDock")
        self.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().closeEvent(event)
        if not self.stage.presenting:
            self.stage.put_back()  # the panels go home


class Stage(QObject):
    def __init__(self, window, presentation_action):
        super().__init__(window)
        self.window = window
        self.presenting = False
        self.group: tuple[str, ...] = ()  # the preset's panels
        self.names: tuple[str, ...] = ()  # the panels on the stage now
        self._homes: list = []  # (panel, kind, container, index, title, tooltip) in borrowing order
        self._stepped_aside: list = []  # docks and toolbars hidden while presenting
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setObjectName("stageSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.dock = StageDock(self, window)  # outside presentation mode
        self.dock.setWidget(self.splitter)
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        # while presenting, the stage sits right of the network column in the central area (no dock tab
        # bars left behind by the docks that stepped aside)
        center = window.findChild(QSplitter, "centerSplitter")
        self.row = QSplitter(Qt.Horizontal)
        self.row.setObjectName("stageRow")
        self.row.setChildrenCollapsible(False)
        center.parentWidget().layout().replaceWidget(center, self.row)
        self.row.addWidget(center)
        # while presenting, the preset's note sits above the stage: the network column keeps its height
        self.note = window.lecture_note
        self.side = QWidget(objectName="stageSide")
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(2)
        self.row.addWidget(self.side)
        self.side.hide()
        self.shortcuts = [QShortcut(QKeySequence(key), window, lambda d=d: self.cycle(d))
                          for key, d in ((Qt.Key_Tab, 1), (Qt.Key_Backtab, -1))]
        for s in self.shortcuts:
            s.setEnabled(False)
        self.action = presentation_action
        self._fit_timers = [QTimer(self, singleShot=True, interval=ms) for ms in FIT_AFTER_MS]
        for timer, ms in zip(self._fit_timers, FIT_AFTER_MS, strict=True):
            timer.timeout.connect(lambda last=ms == FIT_AFTER_MS[-1]: self._fit_dock(last))
        window.installEventFilter(self)  # Esc (unless a panel uses it first, e.g. the cell view's "back")
        presentation_action.toggled.connect(self.set_presenting)
        if presentation_action.isChecked():  # remembered from the last run
            self.set_presenting(True)

    # ---- what is on stage ---------------------------------------------------------------------
    def bring(self, names) -> None:
        """A preset's (or a slide's) panels: on the stage while presenting or when they are meant to
        be read together; otherwise brought to the front where they live."""
        names = tuple(n for n in names if n in self.window.panels and SPECS.get(n) and SPECS[n].dock != CENTER)
        self.group = names
        self.put_back()
        if self.presenting:
            self._show(names or DEFAULT_STAGE)
            QTimer.singleShot(0, self._share)  # (the preset's note is shown after its panels)
        elif len(names) >= 2 and self._tabbed_together(names):
            self._show(names)
            self._place_dock()
        else:
            self.clear()
            for name in names:
                self.window.show_panel(name)

    def _tabbed_together(self, names) -> bool:
        """Would two of these panels be tabs of one dock, or in docks tabbed together (a compact window's one
        column)? Panels in docks side by side are already read together: the stage would only squeeze them."""
        w, groups = self.window, []
        for name in names:
            dock = next((d for d in w.docks.values() if d.isAncestorOf(w.panels[name])), None)
            if dock is not None:
                groups.append(min(id(d) for d in [dock, *w.tabifiedDockWidgets(dock)]))
        return len(set(groups)) < len(groups)

    def _place_dock(self) -> None:
        """Outside presentation mode: the stage in front of the dock its panels came from."""
        w = self.window
        anchor = next((c.parentWidget() for _p, kind, c, *_rest in self._homes if kind == "tab"), None)
        while anchor is not None and not isinstance(anchor, QDockWidget):
            anchor = anchor.parentWidget()
        own = next((c for _p, kind, c, *_rest in self._homes if kind == "dock" and c is not self.dock), None)
        width = anchor.width() if anchor is not None else own.width() if own is not None else 0
        if anchor is not None and anchor is not self.dock and not anchor.isHidden():
            # in the anchor's place (its tab, its title): the dock the panels came from steps back
            w.tabifyDockWidget(anchor, self.dock)
            self.dock.setWindowTitle(anchor.windowTitle())
            anchor.hide()
            self._homes.append((anchor, "hidden", anchor, 0, "", ""))
        elif own is not None:  # panels with docks of their own (hidden, now empty): in the first one's place
            w.tabifyDockWidget(own, self.dock)
        else:
            w.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.show()
        self.dock.raise_()
        if width:
            w.resizeDocks([self.dock], [width], Qt.Horizontal)  # the column keeps its width
        vertical = self.dock.height() > self.dock.width()
        self.splitter.setOrientation(Qt.Vertical if vertical else Qt.Horizontal)
        for timer in self._fit_timers:  # (a panel's plots have their minimum once laid out, and again once
            timer.start()  # it has rearranged them; the timers die with the window)

    def _fit_dock(self, last: bool = False) -> None:
        """Side by side outside presentation mode: the stage as wide as its panels' plots need (a plot
        cut at the edge is worse than a narrower neighbouring dock): the docks beside it give the
        difference as far as their own tabs allow; if that is not enough, one above the other."""
        if self.presenting or not self.names or not self.dock.isVisible() or \
                self.splitter.orientation() != Qt.Horizontal:
            return
        needs = [plots_width(self.window.panels[n]) for n in self.names]
        need = sum(needs) + self.splitter.handleWidth() * (len(needs) - 1) + 4
        w = self.window
        row = [d for d in w.docks.values() if d.isVisible() and d.y() == self.dock.y() and d is not self.dock]
        short = need - self.dock.width()
        for other in sorted(row, key=lambda d: -d.width()):  # the widest first, each keeping its tabs in full
            give = min(short, other.width() - comfortable_width([other] + w.tabifiedDockWidgets(other)))
            if give > 0:
                w.resizeDocks([self.dock, other], [need - short + give, other.width() - give], Qt.Horizontal)
                short -= give
        if short > 0 and last:
            self.splitter.setOrientation(Qt.Vertical)
            return
        extra = max(self.dock.width() - need, 0) // len(needs)  # each panel what its plots need, the rest shared
        self.splitter.setSizes([n + extra for n in needs])

    def show_panel(self, name: str) -> bool:
        """Bring one panel forward if the stage is where it shows (True), else leave it to its dock."""
        if name in self.names:
            if not self.presenting:  # (while presenting the stage is beside the network, not in its dock:
                self.dock.show()  # shown, the empty dock sat over the menu bar)
                self.dock.raise_()
            return True
        if self.presenting and SPECS.get(name) and SPECS[name].dock != CENTER:
            self._show((name,))
            return True
        return False

    def cycle(self, delta: int) -> None:
        """Tab: the next panel on the stage (the preset's group counts as one stop)."""
        stops = ([self.group] if self.group else []) + [(s.name,) for s in PANELS
                                                        if s.dock != CENTER and (s.name,) != self.group]
        at = stops.index(self.names) if self.names in stops else -1
        self._show(stops[(at + delta) % len(stops)])
        self.window.statusBar().showMessage(
            "On stage: " + ", ".join(SPECS[n].title for n in self.names) + "  (Tab: next, Esc: leave)", 3000)

    def put_back(self) -> None:
        """Outside presentation mode: the borrowed panels home and the docks arranged as Reset layout
        does (the stage's column would otherwise keep odd widths)."""
        if self.names and not self.presenting:
            self.clear()
            self.window.reset_layout()

    def clear(self) -> None:
        """Every borrowed panel back in its tab or dock (as wide as the stage was)."""
        width = self.dock.width() if self.dock.isVisible() else 0
        for panel, kind, container, index, title, tip in reversed(self._homes):
            if kind == "hidden":
                container.show()
            elif kind == "tab":
                container.insertTab(index, panel, title)
                container.setTabToolTip(index, tip)
            else:
                container.setWidget(panel)
                if not self.presenting:
                    container.show()
        homes, self._homes = self._homes, []
        self.names = ()
        if not self.presenting:
            self.window.removeDockWidget(self.dock)  # (hides it; placed afresh next time)
            back = [c for _p, kind, c, *_rest in homes if kind != "tab"]
            if width and back:
                self.window.resizeDocks(back[:1], [width], Qt.Horizontal)

    def _show(self, names) -> None:
        self.clear()
        for name in names:
            self._borrow(name)
        self.names = tuple(names)
        orientation = Qt.Vertical if self.presenting or self.dock.height() > self.dock.width() else Qt.Horizontal
        self.splitter.setOrientation(orientation)
        self.splitter.setSizes([1000] * len(names))  # equal shares
        if self.presenting:
            self._share_stage()
        self.dock.setWindowTitle(" · ".join(SPECS[n].title for n in names))
        self.window.controller.views_changed()

    def _borrow(self, name: str) -> None:
        panel = self.window.panels[name]
        if name in self.window.tabs:
            tabs, _ = self.window.tabs[name]
            index = tabs.indexOf(panel)
            self._homes.append((panel, "tab", tabs, index, tabs.tabText(index), tabs.tabToolTip(index)))
            tabs.removeTab(index)
        else:
            dock = next(d for d in self.window.docks.values() if d.widget() is panel)
            self._homes.append((panel, "dock", dock, 0, "", ""))
            if not self.presenting:
                dock.hide()  # nothing left in it
        self.splitter.addWidget(panel)
        panel.show()

    # ---- presentation mode ------------------------------------------------------------------------
    def set_presenting(self, on: bool) -> None:
        if on == self.presenting:
            return
        self.presenting = on
        for s in self.shortcuts:
            s.setEnabled(on)
        self.clear()
        if on:
            self._step_aside()
            return
        self.dock.setWidget(self.splitter)
        self._move_note(self.row.widget(0), 0)  # back above the sequence strip
        self.side.hide()
        for item in self._stepped_aside:
            item.show()
        self._stepped_aside = []
        self.window.transport.speed_combo.show()
        QTimer.singleShot(LEAVE_RELAYOUT_MS, self._after_leaving)  # once the fonts are back to normal

    def _after_leaving(self) -> None:
        """Every dock back, sized for the window (not as squeezed while it was hidden)."""
        if self.presenting:
            return
        self.window.reset_layout()

    def after_reset(self) -> None:
        """Reset layout put every dock back: while presenting they step aside again."""
        if self.presenting:
            self._step_aside()

    def _step_aside(self) -> None:
        """Everything but the network column and the stage out of the way (remembered, to come back)."""
        w = self.window
        aside = [d for d in w.docks.values() if not d.isHidden()]
        aside += [t for t in (w.findChild(QToolBar, "timelineToolbar"),) if t is not None and not t.isHidden()]
        for item in aside:
            item.hide()
            if item not in self._stepped_aside:
                self._stepped_aside.append(item)
        w.transport.speed_combo.hide()  # (Play t keeps its speed; the row fits at 1.75x on 1280 px)
        for name in QUIET_WHILE_PRESENTING:
            for child in w.findChildren(QWidget, name):
                if not child.isHidden():
                    child.hide()
                    self._stepped_aside.append(child)
        self.dock.hide()
        for bar in w.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
            bar.hide()  # a tab bar of docks that all stepped aside (Qt leaves it; it comes back with them)
        self._move_note(self.side.layout(), 0)
        self.side.layout().addWidget(self.splitter, 1)
        self.side.show()
        self.splitter.show()
        self._show(self.group or DEFAULT_STAGE)
        self._share()
        QTimer.singleShot(0, self._share)  # again once the window has laid out its new contents

    def _share_stage(self) -> None:
        """While presenting, each staged panel its minimum height and an equal share of the rest (a panel
        with captions under its plots would otherwise be left only the captions)."""
        panels = [self.splitter.widget(k) for k in range(self.splitter.count())]
        total = sum(self.splitter.sizes())
        if len(panels) < 2 or total <= 0:
            return
        least = [p.minimumSizeHint().height() for p in panels]
        extra = max(total - sum(least), 0) // len(panels)
        self.splitter.setSizes([m + extra for m in least])

    def _move_note(self, where, index: int) -> None:
        """The lecture note into a splitter or layout at ``index``, shown as it was."""
        hidden = self.note.isHidden()
        where.insertWidget(index, self.note)
        self.note.setHidden(hidden)

    def _share(self) -> None:
        """The network column NETWORK_SHARE of the width, its unrolled network UNROLLED_SHARE of the
        window's height at least (the sequence strip above it as tall as it asks, within that)."""
        if not self.presenting:
            return
        width = max(self.row.width(), 2)
        self.row.setSizes([int(width * NETWORK_SHARE), width - int(width * NETWORK_SHARE)])
        center = self.row.widget(0)
        total = sum(center.sizes())  # (sequence strip, unrolled network)
        if center.count() >= 2 and total > 0:
            spare = total - math.ceil(UNROLLED_SHARE * self.window.height())  # what the network leaves
            above = []
            for k in range(center.count() - 1):
                w = center.widget(k)
                h = 0 if w.isHidden() else max(min(w.sizeHint().height(), spare), w.minimumSizeHint().height())
                above.append(h)
                spare -= h
            center.setSizes(above + [total - sum(above)])
        self._share_stage()
        self.window.unrolled.reset_zoom()  # its boxes as large as the taller column allows

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if self.presenting and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self.action.setChecked(False)
            return True
        return False
