"""LessonPane: one lesson step beside the network (a dock, not a dialog).

It shows; ``app.lessons.driver.LessonDriver`` decides. Step text in the deck's notation, a question
with its choices (the main button is enabled once one is chosen), the run's progress with Cancel, and
the reveal: the measured numbers, the student's answer marked right or wrong, and one sentence why.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.lecture.menu import maths_html

RIGHT, WRONG = "#4cc38a", "#ef8a5b"


def _label(name: str) -> QLabel:
    """A word-wrapped rich-text label. No style sheet: a label with one keeps its font when presentation
    mode scales the application's (colours and sizes go in the HTML, which presentation mode scales)."""
    label = QLabel(objectName=name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _Choice(QWidget):
    """A radio button with a word-wrapped label (a QRadioButton's own text does not wrap)."""

    def __init__(self, k: int, text: str, checked: bool):
        super().__init__(objectName=f"lessonChoiceRow{k}")
        self.button = QRadioButton(objectName=f"lessonChoice{k}")
        self.button.setChecked(checked)
        self.label = _label(f"lessonChoiceText{k}")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.set_text(text)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override): the text chooses too
        if self.button.isEnabled():
            self.button.click()


class LessonPane(QWidget):
    primary_clicked = Signal()  # Continue / Run / Show me
    back_clicked = Signal()
    restart_clicked = Signal()
    cancel_clicked = Signal()
    choice_made = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonPane")
        self.title = _label("lessonTitle")
        self.where = _label("lessonStepLabel")
        self.text = _label("lessonText")
        self.question = _label("lessonQuestion")
        self.choices_box = QWidget(objectName="lessonChoices")
        self.choices_layout = QVBoxLayout(self.choices_box)
        self.choices_layout.setContentsMargins(8, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.idClicked.connect(self._on_choice_changed)
        self.choices: list[_Choice] = []
        self.reveal = _label("lessonReveal")
        self.reveal_box = QFrame(objectName="lessonRevealBox")
        palette = self.reveal_box.palette()  # (a style sheet would stop presentation mode scaling its text)
        palette.setColor(QPalette.ColorRole.Window, QColor("#1f3a2e"))
        self.reveal_box.setPalette(palette)
        self.reveal_box.setAutoFillBackground(True)
        box = QVBoxLayout(self.reveal_box)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.reveal)
        body = QWidget(objectName="lessonBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 6, 6, 6)
        for w in (self.text, self.reveal_box):
            column.addWidget(w)
        column.addStretch(1)
        scroll = QScrollArea(objectName="lessonScroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll = scroll
        self.progress = QProgressBar(objectName="lessonProgress")
        self.progress.setTextVisible(True)
        self.cancel = QPushButton("Cancel", objectName="lessonCancelButton")
        self.cancel.setToolTip("Stop the run (training pauses; run again to go on)")
        self.cancel.clicked.connect(self.cancel_clicked)
        run_row = QWidget(objectName="lessonRunRow")
        row = QHBoxLayout(run_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        self.run_row = run_row
        self.status = _label("lessonStatus")
        self.back = QPushButton("Back", objectName="lessonBackButton")
        self.back.setToolTip("The previous step (Alt+Left)")
        self.back.setShortcut("Alt+Left")
        self.back.clicked.connect(self.back_clicked)
        self.restart = QPushButton("Restart", objectName="lessonRestartButton")
        self.restart.setToolTip("Start this lesson again from its preset (answers are forgotten)")
        self.restart.clicked.connect(self.restart_clicked)
        self.primary = QPushButton("Continue", objectName="lessonContinueButton")
        self.primary.setDefault(True)
        self.primary.setShortcut("Alt+Right")
        self.primary.clicked.connect(self.primary_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.restart)
        buttons.addStretch(1)
        buttons.addWidget(self.primary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.question)  # the question and its choices stay in view while the text scrolls
        layout.addWidget(self.choices_box)
        layout.addWidget(run_row)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.run_row.hide()
        self.status.hide()

    # ---- what the driver shows ------------------------------------------------------------
    def show_step(self, lesson, step, answer: int | None) -> None:
        # (a size relative to the label's font: presentation mode's larger font makes it larger at every step; an
        # absolute 11pt was rescaled only when a snapshot came, so a step without a new model showed it small)
        self.title.setText(f"<b style='font-size:large'>{html.escape(lesson.title)}</b>")
        self.set_where(f"Step {step.index + 1} of {len(lesson.steps)} · slide: {html.escape(lesson.slide)}")
        self.text.setText(maths_html(step.text))
        self.question.setVisible(step.is_question)
        self.question.setText(f"<b>{maths_html(step.question)}</b>")
        for button in self.group.buttons():
            self.group.removeButton(button)
        for row in self.choices:
            row.hide()
            row.deleteLater()
        self.choices = [_Choice(k, maths_html(c), answer == k) for k, c in enumerate(step.choices)]
        for k, row in enumerate(self.choices):
            self.group.addButton(row.button, k)
            self.choices_layout.addWidget(row)
        self.choices_box.setVisible(step.is_question)
        self.reveal_box.hide()
        self.run_row.hide()
        self.set_status("")
        self._can_go_back = step.index > 0
        self.back.setEnabled(self._can_go_back)
        self.scroll.verticalScrollBar().setValue(0)

    def lock_choices(self, locked: bool) -> None:
        for button in self.group.buttons():
            button.setEnabled(not locked)

    def set_primary(self, text: str, enabled: bool, tip: str = "") -> None:
        self.primary.setText(text)
        self.primary.setEnabled(enabled)
        self.primary.setToolTip(tip)

    def set_running(self, running: bool, done: int = 0, total: int = 0) -> None:
        self.run_row.setVisible(running)
        self.restart.setEnabled(not running)
        self.back.setEnabled(not running and getattr(self, "_can_go_back", False))
        if running:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"training step {done} of {total}" if total else "measuring…")

    def show_reveal(self, step, answer: int | None, reveal: str, why: str, held: bool) -> None:
        """The reveal with the student's answer marked; ``held``: every expect held in this run."""
        parts = []
        if step.is_question and answer is not None:
            right = answer == step.answer
            mark = (f"<span style='color:{RIGHT}'>✓ Right</span>" if right else
                    f"<span style='color:{WRONG}'>✗ Not quite</span>: the answer is "
                    f"<i>{maths_html(step.choices[step.answer])}</i>")
            parts.append(f"<b>{mark}</b>")
            for k, row in enumerate(self.choices):
                if k == step.answer:
                    row.set_text(f"<span style='color:{RIGHT}'>✓</span> " + maths_html(step.choices[k]))
                elif k == answer:
                    row.set_text(f"<span style='color:{WRONG}'>✗</span> " + maths_html(step.choices[k]))
        parts.append(maths_html(reveal))
        if why:
            parts.append(f"<i>{maths_html(why)}</i>")
        if not held:
            parts.append(f"<span style='color:{WRONG}'>This run did not show what the lesson expects (see "
                         "below the buttons); your numbers are the truth for this run.</span>")
        self.reveal.setText("<br><br>".join(parts))
        self.reveal_box.show()
        QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(self.reveal_box))

    def set_where(self, text: str) -> None:
        self.where.setText(f"<span style='color:#8a93a3'>{text}</span>")

    def set_status(self, text: str) -> None:
        self.status.setText(f"<span style='color:{WRONG}'>{html.escape(text)}</span>")
        self.status.setVisible(bool(text))

    def _on_choice_changed(self, k: int) -> None:
        self.choice_made.emit(k)
