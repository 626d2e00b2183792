"""Run > Generate text: sample from the character language model, with the prompt shown apart from
what the model wrote, a length and temperature, Generate again and Copy."""
from __future__ import annotations

import html

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
)

PROMPT_COLOUR = "#8a93a3"  # the prompt is the user's text: muted; the model's text in full ink


class GenerateDialog(QDialog):
    """Non-modal: the window keeps training while the dialog is open; each Generate samples from the
    weights the engine has at that moment (the status line says at which step)."""

    def __init__(self, window, generate):
        super().__init__(window)
        self.setObjectName("generatedTextBox")
        self.setWindowTitle("Generate text")
        self.setModal(False)
        self._generate = generate  # fn(prompt, length, temperature)
        self.prompt_text, self.sampled = "", ""
        self.prompt = QLineEdit("the ", objectName="generatePromptEdit")
        self.prompt.setToolTip("The model reads this first, then writes one character at a time")
        self.length = QSpinBox(objectName="generateLengthSpin")
        self.length.setRange(1, 2000)
        self.length.setValue(300)
        self.length.setSuffix(" characters")
        self.temperature = QDoubleSpinBox(objectName="generateTemperatureSpin")
        self.temperature.setRange(0.0, 3.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(0.8)
        self.temperature.setToolTip("0 = always the most likely character; 1 = as learned; above 1 = wilder")
        form = QFormLayout()
        form.addRow("prompt", self.prompt)
        form.addRow("length", self.length)
        form.addRow("temperature", self.temperature)
        self.output = QTextBrowser(objectName="generatedText")
        self.output.setMinimumSize(520, 220)
        self.status = QLabel("", objectName="generateStatus")
        self.generate_button = QPushButton("Generate", objectName="generateButton")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.run)
        self.copy_button = QPushButton("Copy", objectName="copyGeneratedButton")
        self.copy_button.setToolTip("Copy the prompt and the generated text")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.generate_button, self.copy_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.output, 1)
        layout.addLayout(buttons)

    def run(self) -> None:
        self.generate_button.setEnabled(False)
        self.status.setText("sampling…")
        self._generate(self.prompt.text(), self.length.value(), self.temperature.value())

    def show_result(self, prompt: str, text: str, step: int | None = None) -> None:
        self.prompt_text, self.sampled = prompt, text
        self.output.setHtml(f"<pre style='white-space: pre-wrap'><span style='color:{PROMPT_COLOUR}'>"
                            f"{html.escape(prompt)}</span><b>{html.escape(text)}</b></pre>")
        self.status.setText(f"{len(text)} characters sampled" + (f" after {step} steps" if step else "")
                            + "; grey: your prompt")
        self.generate_button.setText("Generate again")
        self.generate_button.setEnabled(True)
        self.copy_button.setEnabled(True)

    def show_error(self, message: str) -> None:
        self.status.setText(message)
        self.generate_button.setEnabled(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.prompt_text + self.sampled)
