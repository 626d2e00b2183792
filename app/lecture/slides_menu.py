"""Lecture > Slides: the deck in its order, one click per slide, Page Down / Page Up in presentation mode.

Each slide (``app.lecture.slides``) opens its view: a Lecture preset (applied only when it is not
already the one running, so consecutive slides of one preset keep the trained model), the cell the
preset's note suggests, a panel brought forward, the unrolled network folded or unrolled, compare
mode, a help page, or for a slide the app does not show, the note says why. The note above the
network names the slide ("Slide 7/35 · Parameter sharing in RNNs") and what to look at; the status
bar keeps the slide number.
"""
from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu

from app.lecture.menu import maths_html, note_text
from app.lecture.slides import SlidesError, lesson_title, load_slides


class SlideWalker(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.lecture = window.lecture
        try:
            self.slides = load_slides()
            self.error = ""
        except SlidesError as exc:  # a broken slides file costs the menu, not the window
            self.slides, self.error = [], str(exc)
        self.current = 0  # 1-based number of the slide shown, 0 before any
        self.presets = {p.id: p for p in self.lecture.presets}
        lecture_menu = window.findChild(QMenu, "lectureMenu")
        lecture_menu.addSeparator()
        self.menu = lecture_menu.addMenu("Slides")
        self.menu.setObjectName("slidesMenu")
        self.menu.setToolTipsVisible(True)
        self.slide_actions = []
        if self.error:
            self.menu.addAction(self.error).setEnabled(False)
        for slide in self.slides:
            action = QAction(f"{slide.number}. {slide.heading}", window)
            action.setToolTip(slide.how())
            action.setStatusTip(slide.how())
            action.triggered.connect(lambda _=False, n=slide.number: self.open(n))
            self.menu.addAction(action)
            self.slide_actions.append(action)
        self.next_action = QAction("Next slide", window, objectName="nextSlideAction")
        self.prev_action = QAction("Previous slide", window, objectName="previousSlideAction")
        self.next_action.triggered.connect(lambda: self.step(1))
        self.prev_action.triggered.connect(lambda: self.step(-1))
        for action in (self.next_action, self.prev_action):
            action.setToolTip("Page Down / Page Up in presentation mode (F5)")
            lecture_menu.addAction(action)
            window.addAction(action)  # (works while the menu bar is hidden in full screen)
        self.label = QLabel("", objectName="slideLabel")
        self.label.setToolTip("The lecture slide shown (Lecture > Slides; Page Down / Page Up in presentation mode)")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        presentation = window.classroom.presentation.presentation_action
        presentation.toggled.connect(self._on_presentation_toggled)
        self._on_presentation_toggled(presentation.isChecked())

    def _on_presentation_toggled(self, on: bool) -> None:
        """Page Down / Page Up step through the slides while presenting (a presenter's remote sends
        them); otherwise they stay with the scroll areas."""
        self.next_action.setShortcut(QKeySequence(Qt.Key_PageDown) if on else QKeySequence())
        self.prev_action.setShortcut(QKeySequence(Qt.Key_PageUp) if on else QKeySequence())

    def step(self, delta: int) -> None:
        if self.slides:
            self.open(min(max(self.current + delta, 1), len(self.slides)))

    def open(self, number: int) -> bool:
        """Show slide ``number`` (1-based). False when the user cancelled a preset (unsaved training)."""
        slide = self.slides[number - 1]
        w = self.window
        if slide.preset and not self._apply_preset(slide):
            return False
        self.current = number
        if slide.view in ("folded", "unrolled"):
            w.unrolled.set_folded(slide.view == "folded")
        elif w.unrolled.folded():
            w.unrolled.set_folded(False)
        if slide.panel:
            w.show_panel(slide.panel)
        if slide.view == "compare":
            self._open_compare(slide.compare)
        if slide.result:
            w.results.open().select(slide.result)
        if slide.help:
            w.classroom.help.show_page(slide.help)
        self._show_note(slide)
        self.label.setText(f"slide {number}/{len(self.slides)}")
        self.label.show()
        return True

    def _apply_preset(self, slide) -> bool:
        """The slide's preset (and cell), unless that is what runs already."""
        preset = self.presets[slide.preset]
        want = preset.config
        if slide.cell:
            want = replace(want, model=replace(want.model, cell=slide.cell))
        lecture, controller = self.lecture, self.window.controller
        if lecture.current is preset and controller.config == want:
            return True
        if lecture.current is not preset or controller.config.task != preset.config.task or \
                controller.config.task_params != preset.config.task_params:
            lecture.apply(preset)
            if lecture.current is not preset:  # cancelled (unsaved training kept)
                return False
        if controller.config != want:
            controller.set_config(want)  # the change the preset's note suggests (e.g. the GRU)
        return True

    def _open_compare(self, spec: str) -> None:
        action = self.window.compare_action
        action.trigger()
        compare = action.guard.compare
        if compare is not None:
            compare.setup.set_spec(spec)
            compare.start(spec)

    def _show_note(self, slide) -> None:
        head = f"<b>Slide {slide.number}/{len(self.slides)} · {html.escape(slide.heading)}</b>"
        if slide.not_shown:
            text = f"{head} — not shown in the app: {html.escape(slide.not_shown)}."
        elif slide.preset:
            preset = self.presets[slide.preset]
            tail = f"<br><i>{maths_html(slide.note)}</i>" if slide.note else ""
            self.lecture.note_frame = (f"{head}<br>", tail)  # kept while the note follows the preset
            self.lecture.note_state = state = self._departures(preset)
            text = f"{head}<br>{note_text(preset, state)}{tail}"
        else:
            self.lecture.current = None  # no preset note to follow
            self.lecture.note_frame = ("", "")
            text = f"{head} — {maths_html(slide.note)}" if slide.note else head
        if slide.lesson:
            pointer = (f"<br><i>A lesson walks through it, predict first: Lecture > Lessons > "
                       f"{html.escape(lesson_title(slide.lesson))}.</i>")
            text += pointer
            if slide.preset:
                head, tail = self.lecture.note_frame
                self.lecture.note_frame = (head, tail + pointer)
        self.lecture.note.setText(text)
        self.lecture.note.show()

    def _departures(self, preset) -> dict:
        from app.lecture.menu import departures

        return departures(preset.config, self.window.controller.config.to_dict())
