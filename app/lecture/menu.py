"""The Lecture menu (one preset per section of the lecture) and Run > Generate text."""
from __future__ import annotations

import html
import re

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox

from app.lecture.presets import load_presets
from app.panels.front_tabs import bring_relevant_fronts
from app.window.generate_dialog import GenerateDialog

LABELS = {"rnn_tanh": "simple RNN (tanh)", "rnn_relu": "simple RNN (ReLU)", "gru": "GRU", "lstm": "LSTM",
          True: "on", False: "off"}
KEY_NAMES = {"hidden_size": "hidden size H", "num_layers": "layers", "embedding_dim": "embedding E",
             "lr": "learning rate", "max_norm": "max-norm", "batch_size": "batch size", "seq_len": "T",
             "clip": "clipping", "h0": "h_0"}
NOT_A_DEPARTURE = {("train", "seed")}  # another seed reruns the same setup (a note may suggest it)


def departures(preset_cfg, running: dict) -> dict:
    """{setting: running value} for every setting of the running configuration (LabConfig.to_dict())
    that differs from the preset's: the task and its parameters (T), every model setting and every
    training setting but the seed. A note's claims hold for its preset's configuration only."""
    want = preset_cfg.to_dict()
    out = {}
    if running["task"] != want["task"]:
        return {"task": running["task"]}
    for part in ("task_params", "model", "train"):
        for key, wanted in want[part].items():
            have = running[part].get(key)
            if (part, key) in NOT_A_DEPARTURE or (key == "merge" and not running["model"]["bidirectional"]):
                continue
            if key == "max_norm" and not running["train"].get("clip"):
                continue
            if have != wanted:
                out[key] = have
    return out


def suggested(note: str, key: str, value, contrast: dict | None = None) -> bool:
    """Does the preset itself suggest this change: its note ("Switch the cell to LSTM", "turn clipping
    off") or a side of the contrast it draws (the bidirectional preset's left-to-right GRU)?"""
    text = note.lower()
    for side in (contrast or {}).get("sides", ()):
        if side.get("model", {}).get(key, object()) == value or side.get("train", {}).get(key, object()) == value:
            return True
    if key == "cell":
        return f"switch the cell to {LABELS.get(value, value).split(' (')[0].lower()}" in text or \
            (value == "gru" and "switch the cell to gru" in text)
    if key == "clip":
        return value is False and "turn clipping off" in text
    return False


# A subscript's base is one symbol (h_t, W_hh, h→_t, Σ_i, w_α) or a derivative's d and one letter (dL/dh_t):
# names written with underscores (dna_motif, people_places.csv, hidden_size, batch_first) stay as written
SUBSCRIPT = re.compile(r"(?<![\w→←])(d?[A-Za-zΣα-ω][→←]?)_(?:\{([^}]*)\}|([A-Za-z0-9α]+))")


def maths_html(text: str) -> str:
    """The notes' ASCII maths as the panels show it: h_{t-1} -> h<sub>t−1</sub>, w_alpha^T ->
    w<sub>α</sub><sup>T</sup>, sum_i -> Σ<sub>i</sub>, ||x|| -> ‖x‖; a name such as dna_motif or
    hidden_size is left as written."""
    text = html.escape(text, quote=False)
    for word, symbol in (("alpha", "α"), ("theta", "θ"), ("sigma", "σ")):
        text = re.sub(rf"(?<=[_^ (]){word}(?![A-Za-z])", symbol, text)
    text = re.sub(r"(?<![A-Za-z])sum_", "Σ_", text).replace("||", "‖")
    text = SUBSCRIPT.sub(lambda m: f"{m.group(1)}<sub>{(m.group(2) or m.group(3)).replace('-', '−')}</sub>", text)
    text = re.sub(r"\^\{([^}]*)\}|\^(\w)", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>", text)
    return text


def note_text(preset, state: dict) -> str:
    """The note as rich text: as written while the preset runs; with what was changed as suggested;
    struck through as no longer applying after any other change."""
    head = f"<b>{html.escape(preset.title)}</b> — "
    other = {k: v for k, v in state.items() if not suggested(preset.note, k, v, preset.contrast)}
    if other:
        changes = ", ".join(f"{KEY_NAMES.get(k, k)} {LABELS.get(v, v)}" for k, v in other.items())
        return (f"{head}<i>this note no longer applies: you changed {html.escape(changes)} (choose the preset "
                f"again from the Lecture menu to go back).</i><br><s style='color:#8a93a3'>"
                f"{maths_html(preset.note)}</s>")
    done = "".join(f"<br><i>Now running with {KEY_NAMES.get(k, k)} {LABELS.get(v, v)}, as suggested: compare with the "
                   f"preset's.</i>" for k, v in state.items())
    return head + maths_html(preset.note) + done


class LectureMenu(QObject):
    def __init__(self, window, note_label: QLabel):
        super().__init__(window)
        self.window = window
        self.note = note_label
        self.presets = load_presets()
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        menu = QMenu("&Lecture", window)
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)  # Help stays last
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
        self.dialog: GenerateDialog | None = None  # Run > Generate text
        self.current = None  # the preset whose note is shown
        self.fronts_pending = False  # app.panels.front_tabs to run on the preset's first snapshot
        self.note_state = None  # the departures from it the note was last written for
        self.note_frame = ("", "")  # rich text around the note (Lecture > Slides: the slide's heading, its note)
        window.controller.snapshot_shown.connect(self._on_snapshot_shown)

    def apply(self, preset, show_result: bool = True) -> None:
        """Set the preset's task, cell, sizes and panels, and say what to watch; with ``show_result`` also open
        the window of its request (the PyTorch example). A lesson applies its preset without it: the window
        would answer the questions the lesson asks before the student predicts.

        A preset is a clean start (fresh weights, empty history), also when it is the one running;
        unsaved training is not thrown away without asking (Save / Discard / Cancel)."""
        if not self.window.start_afresh():
            return
        self.window.controller.set_config(preset.config)
        self.window.controller.request("reset")
        self.window.mark_event(f"preset: {preset.title}", "reset", at_start=True)
        self.window.bring_panels(preset.panels)  # side by side when several (app.classroom.stage)
        self.current = preset
        self.note_state = None
        self.note_frame = ("", "")
        self.note.setText(note_text(preset, {}))
        self.note.show()
        self.fronts_pending = True  # no tab left in front that does not apply (on the preset's first snapshot)
        self.window.statusBar().showMessage(f"Lecture preset: {preset.title} (slide: {preset.slide})", 5000)
        if preset.request == "pytorch_example" and show_result:
            self.window.controller.request("pytorch_example", on_done=self._show_pytorch_example,
                                           on_error=self._on_failed, refresh=False)

    def _on_failed(self, message: str) -> None:
        self.window.statusBar().showMessage(f"Lecture: {message}", 10000)

    def _show_pytorch_example(self, result: dict) -> None:
        from app.lecture.pytorch_example_dialog import PytorchExampleDialog

        try:  # one example window: applying the preset again replaces it (it stacked a second, identical one)
            getattr(self, "pytorch_example", None) and self.pytorch_example.close()
        except RuntimeError:
            pass
        self.pytorch_example = PytorchExampleDialog(result, self.window)
        self.pytorch_example.show()

    @Slot(object)
    def _on_snapshot_shown(self, snap) -> None:
        """A note belongs to its preset's configuration: it follows a change it suggested and retires
        (says it no longer applies) after any other."""
        if self.current is None:
            return
        state = departures(self.current.config, snap.config)
        if self.fronts_pending and not state:
            self.fronts_pending = False
            bring_relevant_fronts(self.window, snap.trace, self.current.panels)
        if state != self.note_state:
            self.note_state = state
            head, tail = self.note_frame
            self.note.setText(head + note_text(self.current, state) + tail)

    # ---- text generation -----------------------------------------------------------------
    def generate_dialog(self) -> None:
        if self.window.controller.config.task not in ("charlm", "text_file"):
            QMessageBox.information(self.window, "Generate text",
                                    "Text generation needs the character language model: choose the task "
                                    "'charlm' (or Lecture > Language model, or File > Open data… on a .txt file) "
                                    "and train it a little first.")
            return
        self._dialog().show()

    def _dialog(self) -> GenerateDialog:
        if self.dialog is None:
            self.dialog = GenerateDialog(self.window, self.generate)
        return self.dialog

    def generate(self, prompt: str, length: int, temperature: float) -> None:
        dialog = self._dialog()
        dialog.show()
        self.window.controller.request("generate_steps", self._on_generated, dialog.show_error, refresh=False,
                                       prompt=prompt, length=length, temperature=temperature)

    def _on_generated(self, result: dict) -> None:
        prompt, text = result["prompt"], result["text"]
        self.last_generated = prompt + text
        panel = self.window.panels["nextCharPanel"]
        panel.show_generation(result)  # each character's distribution and the temperature
        self.window.show_panel("nextCharPanel")
        shown = self.window.controller.shown
        self._dialog().show_result(prompt, text, shown.step if shown is not None else None)
