"""The Lecture menu (one preset per section of the lecture) and Run > Generate text."""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox

from .presets import load_presets


class LectureMenu(QObject):
    def __init__(self, window, note_label: QLabel):
        super().__init__(window)
        self.window = window
        self.note = note_label
        self.presets = load_presets()
        menu = window.menuBar().addMenu("&Lecture")
        menu.setObjectName("lectureMenu")
        self.actions = {}
        for k, preset in enumerate(self.presets, start=1):
            action = QAction(f"{k}. {preset.title}", window)
            action.setShortcut(QKeySequence(f"Alt+{k}"))
            action.setToolTip(preset.note)
            action.setStatusTip(f"Slide: {preset.slide}")
            action.triggered.connect(lambda _=False, p=preset: self.apply(p))
            menu.addAction(action)
            self.actions[preset.id] = action
        self.generate_action = QAction("Generate text…", window)
        self.generate_action.setShortcut(QKeySequence("Ctrl+T"))
        self.generate_action.setToolTip("Sample text from the character language model (task charlm)")
        self.generate_action.triggered.connect(self.generate_dialog)
        window.run_menu.addSeparator()
        window.run_menu.addAction(self.generate_action)

    def apply(self, preset) -> None:
        """Set the preset's task, cell, sizes and panels, and say what to watch."""
        self.window.controller.set_config(preset.config)
        for name in preset.panels:
            if name in self.window.panels:
                self.window.show_panel(name)
        self.note.setText(f"<b>{preset.title}</b> — {preset.note}")
        self.note.show()
        self.window.statusBar().showMessage(f"Lecture preset: {preset.title} (slide: {preset.slide})", 5000)

    # ---- text generation -----------------------------------------------------------------
    def generate_dialog(self) -> None:
        if self.window.controller.config.task != "charlm":
            QMessageBox.information(self.window, "Generate text",
                                    "Text generation needs the character language model: choose the task "
                                    "'charlm' (or Lecture > Language model) and train it a little first.")
            return
        prompt, ok = QInputDialog.getText(self.window, "Generate text", "Start with (prompt):", text="the ")
        if not ok:
            return
        temperature, ok = QInputDialog.getDouble(self.window, "Generate text",
                                                 "Temperature (0 = most likely character, 1 = as learned):",
                                                 0.8, 0.0, 3.0, 2)
        if ok:
            self.generate(prompt, 300, temperature)

    def generate(self, prompt: str, length: int, temperature: float) -> None:
        self.window.controller.request(
            "generate", self._on_generated,
            lambda message: QMessageBox.warning(self.window, "Could not generate text", message),
            refresh=False, prompt=prompt, length=length, temperature=temperature)

    def _on_generated(self, result) -> None:
        prompt, text = result
        self.last_generated = prompt + text
        box = QMessageBox(QMessageBox.Information, "Generated text", prompt + text, parent=self.window)
        box.setObjectName("generatedTextBox")
        box.setModal(False)
        box.show()
