"""Help in the window: a "?" button in the corner of every panel, F1 for the panel in use, and
Help > Getting started, all opening one reusable help dialog (pages from ``help_pages``)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QSize, Qt
from PySide6.QtGui import QAction, QCursor, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QTextBrowser, QToolButton, QVBoxLayout

from app.classroom.help_pages import getting_started_html, page_html
from app.panels.registry import PANELS, SPECS

BUTTON_SIZE = 20
START = "start"


def page_for(key: str) -> str:
    """The HTML of a page by key: a panel's name or "start"; with links to every other page."""
    body = getting_started_html() if key == START else page_html(key, SPECS[key].title, SPECS[key].help)
    links = " · ".join(f"<a href='panel:{s.name}'>{s.title}</a>" for s in PANELS if s.name != key)
    if key != START:
        links = f"<a href='panel:{START}'>Getting started</a> · " + links
    return f"{body}<hr><p style='font-size:small'>Other pages: {links}</p>"


class HelpDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("RNN Lab help")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(objectName="helpBrowser")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link_clicked)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.key = ""

    def show_page(self, key: str) -> None:
        self.key = key
        self.browser.setHtml(page_for(key))
        title = "Getting started" if key == START else SPECS[key].title
        self.setWindowTitle(f"RNN Lab help: {title}")
        self.show()
        self.activateWindow()  # (brings an already open dialog to the front)

    def _on_link_clicked(self, url) -> None:
        key = url.toString().removeprefix("panel:")
        if key == START or key in SPECS:
            self.show_page(key)


class HelpButton(QToolButton):
    """A round "?" that keeps its size in step with the font (presentation mode enlarges it) and, for
    a panel on its own, keeps that panel's right margin clear for itself."""

    def __init__(self, parent, object_name: str, tip: str, reserve=None):
        super().__init__(parent, objectName=object_name, text="?")
        self.setToolTip(tip)
        self.setAutoRaise(True)
        self.reserve = None
        bold = QFont(self.font())
        bold.setBold(True)
        self.setFont(bold)  # (its own font: presentation mode scales it like every widget font)
        self.reserve = reserve  # the layout whose right margin the button sits in
        self.base_margin = reserve.contentsMargins() if reserve is not None else None
        self.relayout()

    def relayout(self) -> None:
        side = max(BUTTON_SIZE, self.fontMetrics().height() + 4)
        if not (self.width() == side == self.height() and self.styleSheet()):  # (a new style sheet sends
            self.setFixedSize(side, side)  # another FontChange)
            self.setStyleSheet(f"QToolButton {{ border-radius: {side // 2 - 1}px; "
                               "background: rgba(77, 171, 247, 90); }")
        if self.reserve is not None:  # (also when the size is unchanged: the first call comes before
            m = self.base_margin  # ``reserve`` is known)
            want = QMargins(m.left(), m.top(), m.right() + side + 2, m.bottom())
            if self.reserve.contentsMargins() != want:
                self.reserve.setContentsMargins(want)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self.relayout()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Its fixed size: a tab widget places its corner widget by the size hint (the button's smaller
        natural size left it hanging 3 px over the panel below the tabs)."""
        return self.minimumSize() if self.minimumWidth() > 0 else super().sizeHint()


class _CornerKeeper(QObject):
    """Keeps a panel's "?" button in the panel's top-right corner as the panel resizes."""

    def __init__(self, panel, button):
        super().__init__(panel)
        self.panel, self.button = panel, button
        panel.installEventFilter(self)
        self.place()

    def place(self) -> None:
        self.button.move(max(0, self.panel.width() - self.button.width() - 2), 2)
        self.button.raise_()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Resize, QEvent.Show, QEvent.ChildAdded):
            self.place()
        return False


class PanelHelp(QObject):
    """Wires the help into a main window: "?" buttons, F1 and the Help menu entries.

    A dock of several tabbed panels gets one "?" in its tab bar's corner (the page of the tab shown);
    a panel on its own gets one in its top-right corner, with the panel's right margin widened so the
    button covers none of its controls."""

    def __init__(self, window, help_menu):
        super().__init__(window)
        self.window = window
        self.dialog = HelpDialog(window)
        self.buttons = {}  # panel name -> the "?" that opens its page (shared by the tabs of one dock)
        tab_buttons = {}
        for name in window.panels:  # (a panel in a tab needs not be built for its "?")
            tabs = getattr(window, "tabs", {}).get(name, (None, None))[0]
            if tabs is not None:
                if tabs not in tab_buttons:
                    button = HelpButton(tabs, f"{tabs.objectName()}HelpButton", "How to read the panel shown (F1)")
                    button.clicked.connect(lambda _=False, t=tabs: self.show_page(
                        t.currentWidget().objectName().removesuffix("Slot")))
                    tabs.setCornerWidget(button, Qt.TopRightCorner)
                    tab_buttons[tabs] = button
                self.buttons[name] = tab_buttons[tabs]
                continue
            panel = window.panels[name]
            button = HelpButton(panel, f"{name}HelpButton", f"How to read {SPECS[name].title} (F1)", panel.layout())
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
            _CornerKeeper(panel, button)
            self.buttons[name] = button
        first = help_menu.actions()[0] if help_menu.actions() else None
        self.start_action = QAction("Getting started", window, objectName="gettingStartedAction")
        self.start_action.triggered.connect(lambda: self.show_page(START))
        self.f1_action = QAction("Help on this panel", window, objectName="panelHelpAction")
        self.f1_action.setShortcut(QKeySequence(Qt.Key_F1))
        self.f1_action.triggered.connect(self.help_for_focus)
        help_menu.insertAction(first, self.start_action)
        help_menu.insertAction(first, self.f1_action)
        help_menu.insertSeparator(first)

    def show_page(self, key: str) -> None:
        self.dialog.show_page(key)

    def panel_in_use(self) -> str | None:
        """The panel holding the keyboard focus, else the one under the mouse."""
        candidates = [QApplication.focusWidget(), QApplication.widgetAt(QCursor.pos())]
        for widget in candidates:
            while widget is not None:
                name = widget.objectName()
                if self.window.panels.is_built(name) and widget is self.window.panels[name]:
                    return widget.objectName()
                widget = widget.parentWidget()
        return None

    def help_for_focus(self) -> None:
        self.show_page(self.panel_in_use() or START)
