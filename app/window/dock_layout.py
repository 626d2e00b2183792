"""The main window's arrangement: toolbars, the central column, the docks of panels (as the panel registry
declares them), the compact layout of a projector-sized window, Reset layout, and bringing a panel forward.
A mixin of MainWindow (it uses the window's panels, controls, transport, timeline and controller)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QSplitter,
    QTabBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.panels.panel_set import PanelSlot
from app.panels.registry import DOCKS, SHORT_DOCK_TITLES, SPECS, dock_panels, tab_title
from app.window import settings as app_settings
from app.window.sizing import UprightScroll, comfortable_width, fair_shares, fitting_size
from widgets.chrome.lecture_note import LectureNote

COMPACT_SIZE = (1500, 900)  # below either: the compact layout (panel docks as tabs of one column)
DOCK_MIN = (160, 100)  # px: how small a panel dock may be made by hand
AREAS = {"right": Qt.RightDockWidgetArea, "bottom": Qt.BottomDockWidgetArea}


MIN_SIZES_KEY = "panel_min_sizes"  # each panel's minimum size when last built: its slot asks for the same


def remembered_min_size(name: str) -> tuple[int, int] | None:
    sizes = app_settings.load_json(MIN_SIZES_KEY, {})
    size = sizes.get(name) if isinstance(sizes, dict) else None
    ok = isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and 0 <= v < 10_000 for v in size)
    return tuple(size) if ok else None


def remember_min_sizes(panels) -> None:
    sizes = {}
    for name, panel in panels.built().items():
        for w in [panel] + panel.findChildren(QWidget):  # (styled, as comfortable_width measures them)
            w.ensurePolished()
        hint = panel.minimumSizeHint()
        sizes[name] = [max(hint.width(), 0), max(hint.height(), 0)]
    app_settings.save_json(MIN_SIZES_KEY, sizes)


class StaleTabBars(QObject):
    """Hides a main window's dock tab bar that belongs to no current tab group. Qt (6.10) keeps the
    tab bar of a group whose docks were removed and added elsewhere (Reset layout puts every panel dock
    in one tabbed column at 1280x720) and shows it again with every relayout, under the real one and
    sticking out beside it: a stray "States hₜ | Gates" strip over the network column."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)
        for bar in window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
            bar.installEventFilter(self)

    def stale(self, bar: QTabBar) -> bool:
        """True if the docks named by ``bar``'s tabs are not, all of them, one current tab group."""
        docks = {shiboken6.getCppPointer(d)[0]: d for d in self.window.findChildren(QDockWidget)}
        named = [docks.get(bar.tabData(i)) for i in range(bar.count())]
        if not named or None in named:  # (a bar whose tabs name no dock of ours: not ours to judge)
            return False
        group = {named[0], *(d for d in self.window.tabifiedDockWidgets(named[0]) if not d.isHidden())}
        return set(named) != group

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self.window:
            if event.type() == QEvent.ChildAdded and isinstance(event.child(), QTabBar):
                event.child().installEventFilter(self)
        elif event.type() in (QEvent.Show, QEvent.Move, QEvent.Resize) and isinstance(obj, QTabBar) and \
                obj.isVisible() and self.stale(obj):
            obj.hide()
        return False

    def sweep(self) -> None:
        """Hide every stale bar now (after Reset layout: a bar left where it was gets no event)."""
        for bar in self.window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
            if bar.isVisible() and self.stale(bar):
                bar.hide()


class DockLayout:
    # ---- layout ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.addToolBar(Qt.TopToolBarArea, self._transport_toolbar())
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, self._toolbar("Training timeline", "timelineToolbar", self.timeline))
        center = QSplitter(Qt.Vertical)
        center.setObjectName("centerSplitter")
        self.lecture_note = LectureNote()
        self.lecture_note.hide()
        self.viewing_banner = QLabel()
        self.viewing_banner.setObjectName("viewingBanner")
        self.viewing_banner.setWordWrap(True)
        self.viewing_banner.setMargin(4)
        self.viewing_banner.setStyleSheet("background: #ffcc44; color: #15171c; font-weight: bold; "
                                          "border-radius: 4px;")
        self.viewing_banner.hide()
        center.addWidget(self.lecture_note)
        center.addWidget(self.strip)
        center.addWidget(self.unrolled)
        center.setStretchFactor(1, 0)
        center.setStretchFactor(2, 1)
        center.setSizes([60, 170, 420])
        central = QWidget()
        central.setObjectName("centralArea")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.viewing_banner)  # "viewing step N of M" above every central view
        column.addWidget(center, 1)
        self.setCentralWidget(central)
        scroll = UprightScroll(self.controls, least=300)  # (never cuts the controls beside its scroll bar)
        scroll.setObjectName("controlsScroll")
        self.docks = {}
        self.stale_tab_bars = StaleTabBars(self)  # (Qt shows a removed tab group's bar again)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.BottomDockWidgetArea)
        self.step_warning = QLabel()
        self.step_warning.setObjectName("stepWarning")
        self.step_warning.setWordWrap(True)
        self.step_warning.setStyleSheet("background: #4a3524; border-radius: 4px; padding: 4px;")
        self.step_warning.setToolTip("Measured in the engine with one or two real training steps of this "
                                     "configuration, before you train")
        self.step_warning.hide()
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.step_warning)
        layout.addWidget(scroll, 1)
        self._dock("Controls", column, Qt.LeftDockWidgetArea, "controlsDock")
        self.tabs = {}  # panel objectName -> (QTabWidget, index) for panels that share a dock
        self.panels.when_built(self._place_panel)
        for name, title, area in DOCKS:
            content = self._dock_content(name, dock_panels(name))
            if area.startswith("tab:"):  # a tab behind another dock (which stays in front)
                other = self.docks[area[4:]]
                self.tabifyDockWidget(other, self._dock(title, content, self.dockWidgetArea(other), name))
                other.raise_()
            else:
                self._dock(title, content, AREAS[area], name)
            # a panel dock may be made smaller than its contents' comfortable size (they are then clipped
            # until Reset layout): the window's minimum stays within 1200x660 in every arrangement
            content.setMinimumSize(*DOCK_MIN)
        self.resizeDocks([self.docks["controlsDock"]], [310], Qt.Horizontal)
        self.resizeDocks([self.docks["heatmapDock"]], [560], Qt.Horizontal)
        self.resizeDocks([self.docks["gradientDock"]], [330], Qt.Vertical)

    def reset_window(self) -> None:
        """View > Reset layout: a window that fits the screen, and every dock back in its place."""
        if not (self.isFullScreen() or self.isMaximized()):
            self.resize(self.size().boundedTo(fitting_size(self)))
        self.reset_layout()

    def compact(self) -> bool:
        """A projector-sized window (1280x720 and the like): the panel docks share one tabbed column."""
        return self.width() < COMPACT_SIZE[0] or self.height() < COMPACT_SIZE[1]

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its place, shown, sized for the window. Below
        COMPACT_SIZE the panel docks become tabs of one column on the right (each panel then gets the
        full height), and the network column keeps the room to show its cells."""
        stage = self._stage()
        if stage is not None:
            stage.clear()  # borrowed panels home first
        w, h = self.width(), self.height()
        controls = self.docks["controlsDock"]
        for dock in self.docks.values():
            dock.setFloating(False)
            self.removeDockWidget(dock)
        self.addDockWidget(Qt.LeftDockWidgetArea, controls)
        controls.show()
        compact = self.compact()
        first = None
        self.setTabPosition(Qt.RightDockWidgetArea, QTabWidget.North)
        for name, title, area in DOCKS:
            dock = self.docks[name]
            # one word per tab when the docks share one column: nothing elided
            dock.setWindowTitle(SHORT_DOCK_TITLES.get(name, title) if compact else title)
            if area.startswith("tab:") and not compact:  # a tab behind another dock, which stays in front
                other = self.docks[area[4:]]
                self.addDockWidget(self.dockWidgetArea(other), dock)
                self.tabifyDockWidget(other, dock)
                other.raise_()
                dock.show()
                continue
            self.addDockWidget(Qt.RightDockWidgetArea if compact else AREAS[area], dock)
            dock.show()
            if compact and first is not None:
                self.tabifyDockWidget(first, dock)
            first = first or dock
        side = max(250, min(310, int(w * 0.2)))
        self.resizeDocks([controls], [side], Qt.Horizontal)
        if compact:
            first.raise_()
            fit = comfortable_width([self.docks[name] for name, _title, _area in DOCKS])
            self.resizeDocks([first], [max(int((w - side) * 0.48), fit)], Qt.Horizontal)
        else:
            right = [self.docks[name] for name, _title, area in DOCKS if area == "right"]
            self.resizeDocks([self.docks["heatmapDock"]], [max(int((w - side) * 0.33), comfortable_width(right))],
                             Qt.Horizontal)
            self.resizeDocks([self.docks["gradientDock"]], [int(h * 0.33)], Qt.Vertical)
            self.resizeDocks(right, [h // len(right)] * len(right), Qt.Vertical)  # equal shares
            bottom = [self.docks[name] for name, _title, area in DOCKS if area == "bottom"]
            need = [comfortable_width([d] + self.tabifiedDockWidgets(d)) for d in bottom]
            self.resizeDocks(bottom, fair_shares(need, w - side), Qt.Horizontal)  # each its tabs in full
        if stage is not None:
            stage.after_reset()
        QTimer.singleShot(0, self.stale_tab_bars.sweep)  # (once Qt has laid out the new groups)

    def _stage(self):
        """app.classroom.stage.Stage (once the classroom parts are attached)."""
        return getattr(getattr(self, "classroom", None), "stage", None)

    def bring_panels(self, names) -> None:
        """A preset's (or slide's) panels to the front: on the stage when presenting, or side by side
        when there are several to read together."""
        self._layout_untouched = False
        stage = self._stage()
        if stage is not None:
            stage.bring(names)
        else:
            for name in reversed(names):
                self.show_panel(name)

    def _dock_content(self, dock_name: str, names):
        """One panel, or several as tabs of one dock (hidden tabs are not drawn or computed; a panel
        not built yet holds its tab with a PanelSlot that builds it when shown)."""
        if len(names) == 1:
            return self.panels[names[0]]
        tabs = QTabWidget()
        tabs.setObjectName(dock_name.replace("Dock", "Tabs"))
        tabs.setDocumentMode(True)
        # every tab in full: the tab widget asks for the room (no scroll arrows, nothing elided)
        tabs.tabBar().setUsesScrollButtons(False)
        tabs.tabBar().setElideMode(Qt.ElideNone)
        for name in names:
            page = self.panels[name] if self.panels.is_built(name) else \
                PanelSlot(name, self.panels, remembered_min_size(name))
            self.tabs[name] = (tabs, tabs.addTab(page, tab_title(name)))
            tabs.setTabToolTip(self.tabs[name][1], SPECS[name].title)
        tabs.currentChanged.connect(self.controller.views_changed)
        return tabs

    def _place_panel(self, name: str, panel) -> None:
        """A panel built late takes its tab from its slot (the same index, in front if the slot was)."""
        tabs, index = self.tabs.get(name, (None, None))
        slot = tabs.widget(index) if tabs is not None else None
        if not isinstance(slot, PanelSlot):
            return
        in_front = tabs.currentIndex() == index
        tabs.blockSignals(True)  # (the tab in front does not change: no views_changed in between)
        tabs.insertTab(index, panel, tab_title(name))
        tabs.setTabToolTip(index, SPECS[name].title)
        if in_front:
            tabs.setCurrentIndex(index)
        tabs.removeTab(index + 1)
        tabs.blockSignals(False)
        slot.setParent(None)  # (hidden, then gone)
        slot.deleteLater()
        self.controller.views_changed()

    def build_hidden_panels(self) -> None:
        """Once the window is on screen: the panels of the tabs behind, built and laid out as Reset
        layout does (unless a preset, a lesson or the user arranged the window meanwhile)."""
        if all(self.panels.is_built(n) for n in self.panels):
            return
        stage = self._stage()
        untouched = self._layout_untouched and (stage is None or not (stage.names or stage.presenting))
        self.panels.build_all()
        remember_min_sizes(self.panels)
        if untouched:
            self.reset_layout()

    def show_panel(self, name: str) -> None:
        """Bring a panel into view: its dock shown and raised, its tab selected."""
        self._layout_untouched = False
        stage = self._stage()
        if stage is not None and stage.show_panel(name):
            return
        if name in self.tabs:
            tabs, index = self.tabs[name]
            tabs.setCurrentIndex(index)
        for dock in self.docks.values():
            if dock.isAncestorOf(self.panels[name]):
                dock.show()
                dock.raise_()

    def _transport_toolbar(self):
        return self._toolbar("Transport", "transportToolbar", self.transport)

    def _toolbar(self, title: str, name: str, widget):
        bar = QToolBar(title)
        bar.setObjectName(name)
        bar.setMovable(False)
        bar.addWidget(widget)
        return bar

    def _dock(self, title: str, widget, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        dock.visibilityChanged.connect(self.controller.views_changed)
        return dock

