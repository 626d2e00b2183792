"""What a classroom needs, added to a main window in one call: the app icon, Help (panel pages,
"?" buttons, F1, Getting started, About) and presentation mode with zoom (View menu)."""
from __future__ import annotations

from PySide6.QtWidgets import QMenu

from app.classroom.about import app_icon, show_about
from app.classroom.help_ui import PanelHelp
from app.classroom.presentation import Presentation
from app.classroom.stage import Stage


def menu_named(window, title: str):
    """The menu bar's menu with this title (ignoring the & of its mnemonic), created if missing."""
    for menu in window.menuBar().findChildren(QMenu):  # (QAction.menu() wrappers do not outlive the action)
        if menu.title().replace("&", "") == title and menu.menuAction() in window.menuBar().actions():
            return menu
    return window.menuBar().addMenu(f"&{title}")


class Classroom:
    def __init__(self, window):
        window.setWindowIcon(app_icon())
        self.help = PanelHelp(window, menu_named(window, "Help"))
        self.presentation = Presentation(window, menu_named(window, "View"))
        self.stage = Stage(window, self.presentation.presentation_action)  # what presentation mode shows
        self.window = window

    def about(self):
        return show_about(self.window)
