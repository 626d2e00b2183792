"""SequenceStrip: the example the network reads, what it answers, and a field to type your own.

Top: the input tokens x_1 .. x_T in a row (scrolls sideways for long sequences); the time cursor's
token is highlighted and clicking a token moves the cursor (``time_clicked``). A tagging model
(per_step head, one y_t per x_t) gets two more rows: the target and the model's answer, coloured
green where right and red where wrong. An acceptor (final/attention head) or a regression model
gives one answer after the last step, shown under the strip.
Bottom: the user's own sequence (``sequence_submitted``; the controller validates it with the
engine and calls ``show_input_error``/``clear_input_error``) and a "New example" button.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy

from widgets.network.token_row import RowLabels, TokenRow  # noqa: F401
from widgets.parts.base import Panel, apply_palette, mix_colors
from widgets.parts.empty_state import EmptyState
from widgets.parts.layout_fence import LayoutFence


class SequenceStrip(Panel):
    NEW_EXAMPLE_SHORTCUT = "N"  # bound by the main window's "New random example" action; a hint here

    time_clicked = Signal(int)
    sequence_submitted = Signal(str)
    new_example_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("sequenceStrip", parent)
        self.per_step = False
        strip_row = QHBoxLayout()
        strip_row.setSpacing(0)
        self.tokens = TokenRow(self)
        self.tokens.clicked.connect(self._on_token_clicked)
        self.row_labels = RowLabels(self.tokens)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("sequenceScroll")
        self.scroll.setWidget(self.tokens)
        self.scroll.setWidgetResizable(False)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        strip_row.addWidget(self.row_labels, 0, Qt.AlignmentFlag.AlignTop)
        strip_row.addWidget(self.scroll, 1)
        self._layout.addLayout(strip_row)

        self.answer = QLabel(objectName="sequenceAnswer", wordWrap=True)
        self.answer.setTextFormat(Qt.TextFormat.RichText)
        font = self.answer.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.answer.setFont(font)
        self.answer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps in the width
        self._layout.addWidget(LayoutFence(self.answer))  # (a new answer is laid out only when it needs a line more)

        input_row = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setObjectName("sequenceInput")
        self.input.setClearButtonEnabled(True)
        self.input.setAccessibleName("Your own input sequence")
        self.input.returnPressed.connect(self._on_sequence_submitted)
        self.input.textEdited.connect(self._on_input_text_changed)
        self.use_button = QPushButton("Use", objectName="useSequenceButton",
                                      clicked=self._on_sequence_submitted,
                                      toolTip="Run the model on the sequence you typed (or press Enter)")
        self.new_button = QPushButton("New example", objectName="newExampleButton",
                                      clicked=self._on_new_example_clicked,
                                      toolTip="Draw a fresh random example from the task and run the model "
                                      f"on it (shortcut: {self.NEW_EXAMPLE_SHORTCUT})")
        input_row.addWidget(self.input, 1)
        input_row.addWidget(self.use_button)
        input_row.addWidget(self.new_button)
        self._layout.addLayout(input_row)

        self.error = QLabel(objectName="sequenceInputError", wordWrap=True, visible=False)
        # why typing is off, in full (the placeholder is cut at small widths)
        self.note = QLabel(objectName="sequenceInputNote", wordWrap=True, visible=False)
        self._layout.addWidget(self.error)
        self._layout.addWidget(self.note)
        self._layout.addStretch(1)

        self._shown = None  # (tokens, per_step, targets, predictions, correct) the strip draws
        self.set_input_enabled(True, "type your own sequence and press Enter")
        self.empty = EmptyState(self, "the example's tokens x₁ … x_T appear with the first example", self.scroll)
        self.set_theme(False)
        self._relayout()

    # ---- controller-facing API ---------------------------------------------------------
    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        self.empty.set_empty(trace is None)
        self.per_step = trace is not None and trace.output_kind in ("per_step", "per_step_regression") and \
            len(trace.targets) == len(trace.tokens)
        if trace is not None:
            self.time = self.clamp_time(self.time)
        shown = None  # what the token row draws: the tokens, and a tagger's targets and answers
        if trace is not None:
            shown = (tuple(trace.tokens), tuple(trace.targets), tuple(trace.predictions),
                     tuple(self.correct_per_step())) if self.per_step else (tuple(trace.tokens),)
        if shown != self._shown:  # training re-probes the same example: often nothing to redraw
            self._shown = shown
            self._relayout()
            self._keep_cursor_visible()
        self._update_answer()

    def set_time(self, t: int) -> None:
        old = self.time
        super().set_time(t)
        self.time = self.clamp_time(t)
        if self.time != old:  # repaint the two columns whose highlight changed
            for column in (old, self.time):
                self.tokens.update(self.tokens.cell_rect(column).adjusted(-2, -2, 2, 2))
        self._keep_cursor_visible()

    def set_task_info(self, info: dict) -> None:
        hint = (info or {}).get("typed_hint")
        if hint and self.input.isEnabled():
            self.input.setPlaceholderText(hint)
        self.clear_input()  # text typed for another task means nothing here

    def clear_input(self) -> None:
        """Empty the field and drop its error (a new example or another task replaces what was typed)."""
        self.input.clear()
        self.clear_input_error()

    def set_input_enabled(self, enabled: bool, placeholder: str) -> None:
        """Allow typing (token tasks), or hide the field and say once, in full, why not."""
        self.input.setEnabled(enabled)
        self.use_button.setEnabled(enabled)
        self.input.setVisible(enabled)
        self.use_button.setVisible(enabled)
        self.input.setPlaceholderText(placeholder if enabled else "")
        if not enabled:
            self.clear_input()
        self.note.setText(placeholder)
        self.note.setVisible(not enabled and bool(placeholder))
        self.input.setToolTip(placeholder if not enabled else
                              f"{placeholder}. The model reads it like any example; press Enter or Use.")

    def show_input_error(self, message: str) -> None:
        """Say what is wrong with the typed sequence (in red, under the field); the text stays."""
        self.error.setText(message)
        self.error.setVisible(True)
        th = self.theme  # a style sheet replaces the palette, so it restates the theme's colours
        base = mix_colors(th["background"], th["foreground"], 0.06).name()
        self.input.setStyleSheet(f"QLineEdit {{ border: 1px solid {th['bad']}; background: {base}; "
                                 f"color: {th['foreground']}; padding: 1px; }}")

    def clear_input_error(self) -> None:
        self.error.clear()
        self.error.setVisible(False)
        self.input.setStyleSheet("")

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        apply_palette(self, th)
        self.scroll.viewport().setAutoFillBackground(True)
        self.error.setStyleSheet(f"color: {th['bad']};")
        self.note.setStyleSheet(f"color: {th['muted']};")
        if self.error.isVisible():
            self.show_input_error(self.error.text())
        self._update_answer()
        self.tokens.update()
        self.row_labels.update()

    # ---- handlers ----------------------------------------------------------------------
    def _on_token_clicked(self, t: int) -> None:
        self.time_clicked.emit(t)

    def _on_sequence_submitted(self) -> None:
        if self.input.isEnabled():
            self.sequence_submitted.emit(self.input.text())

    def _on_input_text_changed(self, _text: str) -> None:
        if self.error.isVisible():  # the user is fixing it
            self.clear_input_error()

    def _on_new_example_clicked(self) -> None:
        self.clear_input()
        self.new_example_requested.emit()

    def minimumSizeHint(self):  # noqa: N802 (Qt override)
        """At least the height its rows need at its width: the answer line wraps in a narrow column (a lesson
        beside the network while presenting) and a splitter, which asks only this, squeezed it under the
        input row."""
        hint = super().minimumSizeHint()
        if self.width() > 0 and self._layout.hasHeightForWidth():
            hint.setHeight(max(hint.height(), self._layout.totalHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # (the height it needs follows its width: minimumSizeHint)
        self._keep_cursor_visible()

    def showEvent(self, event):  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._keep_cursor_visible()

    # ---- helpers -----------------------------------------------------------------------
    def correct_per_step(self) -> list[bool | None]:
        """Per position: right, wrong, or None where the position is not scored."""
        tr = self.trace
        if tr is None or not self.per_step:
            return []
        pairs = zip(tr.targets, tr.predictions, strict=True)
        return [None if target == "" else target == pred for target, pred in pairs]

    def _probability(self, t: int | None = None) -> float | None:
        """The model's probability for its own answer (None for regression)."""
        out = np.asarray(self.trace.outputs, dtype=np.float64)
        if self.trace.output_kind in ("regression", "per_step_regression") or out.size == 0:
            return None
        if t is not None and out.ndim == 2:
            return float(out[t].max())
        return float(out.reshape(-1, out.shape[-1])[-1].max())

    def token_tooltip(self, t: int) -> str:
        tr = self.trace
        lines = [f"t = {t + 1}: input {tr.tokens[t]!r}"]
        if self.per_step:
            ok = self.correct_per_step()[t]
            if ok is None:
                lines.append("not scored here")
            else:
                p = self._probability(t)
                prob = "" if p is None else f" (p = {p:.2f})"
                lines.append(f"target {tr.targets[t]!r}, model {tr.predictions[t]!r}"
                             f"{prob} — {'right' if ok else 'wrong'}")
        lines.append("click to move the time cursor here")
        return "\n".join(lines)

    def _relayout(self) -> None:
        self.tokens.relayout()
        self.row_labels.setFixedHeight(self.tokens.height())
        self.row_labels.setVisible(self.trace is not None)
        self.row_labels.updateGeometry()
        self.row_labels.update()
        bar = self.scroll.horizontalScrollBar().sizeHint().height()
        self.scroll.setFixedHeight(self.tokens.height() + bar)

    def _keep_cursor_visible(self) -> None:
        if self.trace is None:
            return
        r = self.tokens.cell_rect(self.time)
        self.scroll.ensureVisible(r.center().x(), r.center().y(), 2 * self.tokens.cell_w, 0)

    def _update_answer(self) -> None:
        tr, th = self.trace, self.theme
        if tr is None:
            self._say("", th["foreground"])
        elif self.per_step:
            marks = [c for c in self.correct_per_step() if c is not None]
            right = sum(marks)
            self._say(f"model right at {right} of {len(marks)} scored positions",
                      th["good"] if right == len(marks) else th["foreground"])
        elif tr.output_kind == "regression":
            text = f"target {tr.targets[0]}\u00a0\u00a0 model {tr.predictions[0]}"
            try:
                text += f"\u00a0\u00a0 (error {abs(float(tr.predictions[0]) - float(tr.targets[0])):.3f})"
            except ValueError:
                pass
            self._say(text, th["foreground"])
        else:
            ok = tr.correct[-1] if tr.correct else False
            p = self._probability()
            prob = "" if p is None else f" (p={p:.2f})"
            color = th["good"] if ok else th["bad"]
            self._say(f"<span style='color:{th['foreground']}'>target: {tr.targets[-1]}</span>"
                      f"&nbsp;&nbsp;<span style='color:{color}'>model: {tr.predictions[-1]}"
                      f"{prob} {'✓' if ok else '✗'}</span>")

    def _say(self, text: str, colour: str | None = None) -> None:
        """The answer line: in one colour as plain text (a rich-text label lays out a document at every snapshot,
        and again for each size its layout asks), else as rich text with its own colours."""
        label = self.answer
        fmt = Qt.TextFormat.RichText if colour is None else Qt.TextFormat.PlainText
        if label.textFormat() != fmt:
            label.setTextFormat(fmt)
        if colour is not None and colour != getattr(self, "_answer_colour", None):
            self._answer_colour = colour
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
            label.setPalette(palette)
        label.setText(text)

    # ---- export ------------------------------------------------------------------------
    def export_item(self):
        """The figure only: row labels and every token (also those scrolled out of view), then the
        model's answer; no input field, buttons or scroll bar."""
        return [[self.row_labels, self.tokens], [self.answer]]

    def data_table(self) -> tuple[list[str], list[list]]:
        header = ["t", "token", "target", "prediction", "correct"]
        tr = self.trace
        if tr is None:
            return header, []
        T = len(tr.tokens)
        rows = [[t, tr.tokens[t], "", "", ""] for t in range(T)]
        if self.per_step:
            for t, ok in enumerate(self.correct_per_step()):
                rows[t][2:] = [tr.targets[t], tr.predictions[t], "" if ok is None else ok]
        elif T:  # one answer, read after the last step
            ok = "" if tr.output_kind == "regression" else bool(tr.correct[-1])
            rows[-1][2:] = [tr.targets[-1], tr.predictions[-1], ok]
        return header, rows
