"""Lecture > Lessons (one entry per built-in lesson, ✓ when done, and Open lesson file…), File > Export
lesson handout, and the first-start greeting (Help > Welcome brings it back)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.lessons import progress as store
from app.lessons.driver import LessonDriver
from app.lessons.files import lesson_folder, presets_and_panels
from engine.lessons.schema import LessonError, load_lesson


class Lessons:
    def __init__(self, window):
        self.window = window
        self.driver = LessonDriver(window)
        lecture = window.findChild(QMenu, "lectureMenu")
        self.menu = QMenu("Lessons: predict, then see", window)
        self.menu.setObjectName("lessonsMenu")
        self.menu.aboutToShow.connect(self._mark_done)
        first = lecture.actions()[0] if lecture.actions() else None
        lecture.insertMenu(first, self.menu)
        lecture.insertSeparator(first)
        self.actions: dict[str, QAction] = {}
        self.lessons: dict = {}
        presets, panels = presets_and_panels()
        files = sorted(lesson_folder().glob("*.toml"))
        loaded = []
        for path in files:
            try:
                loaded.append(load_lesson(path, presets, panels))
            except LessonError as exc:  # a broken built-in file: its entry says so when chosen
                action = QAction(f"{path.stem} (cannot be used)", window)
                action.triggered.connect(lambda _=False, m=str(exc): self._refuse(m))
                self.menu.addAction(action)
        for k, lesson in enumerate(sorted(loaded, key=lambda les: (les.order, les.name)), start=1):
            action = QAction(f"{k}. {lesson.title}", window, objectName=f"lessonAction_{lesson.name}")
            action.setToolTip(lesson.summary or lesson.title)
            action.setStatusTip(f"Lesson: {lesson.summary} (slide: {lesson.slide})")
            action.triggered.connect(lambda _=False, les=lesson: self.driver.open(les))
            self.menu.addAction(action)
            self.actions[lesson.name] = action
            self.lessons[lesson.name] = lesson
        self.menu.addSeparator()
        open_file = QAction("Open lesson file…", window, objectName="openLessonFileAction")
        open_file.setToolTip("A lesson you or your lecturer wrote (.toml; see README: Lessons)")
        open_file.triggered.connect(self.open_file)
        self.menu.addAction(open_file)
        self.handout_action = QAction("Export lesson handout…", window, objectName="lessonHandoutAction")
        self.handout_action.setToolTip("One HTML page of the lesson: each step, your answers, the measured "
                                       "numbers and your figures")
        self.handout_action.triggered.connect(self.export_handout)
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
        file_menu.insertAction(_after(file_menu, "Export"), self.handout_action)

    def open_named(self, name: str) -> bool:
        """Open a built-in lesson by its name (e.g. from a slide of Lecture > Slides); False if unknown."""
        lesson = self.lessons.get(name)
        return lesson is not None and self.driver.open(lesson)

    def first_lesson(self):
        return next(iter(self.lessons.values()), None)

    def _mark_done(self) -> None:
        for name, action in self.actions.items():
            title = action.text().lstrip("✓ ")
            action.setText(("✓ " if store.load(name)["done"] else "") + title)

    def _refuse(self, message: str) -> None:
        QMessageBox.warning(self.window, "Lesson", message)

    def open_file(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson file", str(Path.home()),
                                                  "Lessons (*.toml)")
            if not path:
                return
        presets, panels = presets_and_panels()
        try:
            lesson = load_lesson(path, presets, panels)
        except LessonError as exc:
            self._refuse(str(exc))
            return
        self.driver.open(lesson)

    def export_handout(self) -> None:
        from app.lessons.handout import export_handout_dialog

        export_handout_dialog(self.window, self.driver)


def _after(menu: QMenu, word: str):
    """The action after the last one whose text starts with ``word`` (None: the end)."""
    actions = menu.actions()
    last = max((i for i, a in enumerate(actions) if a.text().replace("&", "").startswith(word)), default=None)
    return actions[last + 1] if last is not None and last + 1 < len(actions) else None


def attach_lessons(window, first_start: bool = False) -> Lessons:
    """Lecture > Lessons, the lesson pane, the handout action and the greeting (shown on a first start)."""
    from app.lessons.greeting import attach_greeting

    lessons = Lessons(window)
    lessons.greeting = attach_greeting(window, lessons, first_start)
    return lessons
