"""The first-start greeting: with no session and no saved settings, a card over the network view
offers three ways in (the first lesson, a lecture preset, your own data). Dismissed for good by any
choice or its close button; Help > Welcome brings it back."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout

from app.classroom.attach import menu_named
from app.window import settings as app_settings

KEY = "greeting/dismissed"
TEXT = ("<b style='font-size:15pt'>Welcome to RNN Lab</b><br><br>Watch recurrent networks work, step by step: "
        "the unrolled network in the middle, the hidden states, gates and gradients around it. "
        "Where would you like to start?")


class Greeting(QFrame):
    def __init__(self, window, lessons):
        super().__init__(window.centralWidget())  # over the network view (the central column)
        self.window, self.lessons = window, lessons
        self.setObjectName("greetingCard")
        self.setStyleSheet("QFrame#greetingCard { background: #24324a; border: 2px solid #ffcc44; "
                           "border-radius: 8px; }")
        text = QLabel(TEXT, objectName="greetingText")
        text.setWordWrap(True)
        close = QPushButton("✕", objectName="greetingCloseButton")
        close.setFlat(True)
        close.setToolTip("Close (Help > Welcome shows this again)")
        close.clicked.connect(self.dismiss)
        top = QHBoxLayout()
        top.addWidget(text, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons = {}
        row = QVBoxLayout()  # one choice per line: nothing is cut in a narrow window or at a large font
        for key, label, tip, fn in (
                ("lesson", "Start the first lesson", "A short lesson: predict what the network will do, then see "
                 "it (Lecture > Lessons)", self._start_lesson),
                ("preset", "Pick a lecture preset", "One click to the set-up of a section of the lecture "
                 "(Lecture menu)", self._pick_preset),
                ("data", "Open your own data", "Train on your own text (.txt) or sequences (.csv)",
                 self._open_data)):
            button = QPushButton(label, objectName=f"greeting_{key}")
            button.setToolTip(tip)
            button.clicked.connect(fn)
            row.addWidget(button)
            self.buttons[key] = button
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row)
        self._placer = _Placer(window.centralWidget(), self)
        self.hide()

    def place(self) -> None:
        area = self.parentWidget()
        width = min(560, max(260, area.width() - 20))
        self.setFixedWidth(width)
        layout = self.layout()
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        self.setFixedHeight(max(height, layout.minimumSize().height()) + 16)  # (rich text runs a line long)
        view = self.window.unrolled
        center = view.mapTo(area, view.rect().center())
        x = max(0, min(center.x() - width // 2, area.width() - width))
        y = max(0, min(center.y() - self.height() // 2, area.height() - self.height()))
        self.move(QPoint(x, y))
        self.raise_()

    def present(self) -> None:
        self.place()
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        self.hide()
        app_settings.save_json(KEY, True)

    def _start_lesson(self) -> None:
        self.dismiss()
        first = self.lessons.first_lesson()
        if first is not None:
            self.lessons.driver.open(first)

    def _pick_preset(self) -> None:
        self.dismiss()
        menu = self.window.findChild(QMenu, "lectureMenu")
        menu.popup(self.window.mapToGlobal(self.window.unrolled.geometry().center()))

    def _open_data(self) -> None:
        self.dismiss()
        self.window.data.open_dialog()


class _Placer(QObject):
    def __init__(self, parent, card):
        super().__init__(card)
        self.card = card
        parent.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize and self.card.isVisible():
            self.card.place()
        return False


def first_start() -> bool:
    """No saved settings at all: nobody has used RNN Lab here (or they were reset)."""
    return not app_settings.settings().allKeys()


def attach_greeting(window, lessons, show: bool) -> Greeting:
    greeting = Greeting(window, lessons)
    action = QAction("Welcome…", window, objectName="welcomeAction")
    action.setToolTip("The welcome card: start a lesson, pick a lecture preset or open your own data")
    action.triggered.connect(greeting.present)
    help_menu = menu_named(window, "Help")
    help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, action)
    if show:
        def later():
            # not when the window opened a session, nor over a question asked at start (the recovery offer:
            # whoever has a recovery point has used RNN Lab before, and the card would answer beside it)
            if window.files.session_path is None and QApplication.activeModalWidget() is None:
                greeting.present()
        QTimer.singleShot(0, later)
        window.controller.snapshot_shown.connect(lambda snap: greeting.hide() if snap.task_info.get("data") and
                                                 greeting.isVisible() else None)
    return greeting
