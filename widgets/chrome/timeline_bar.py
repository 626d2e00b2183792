"""TimelineBar: a slider over the checkpoints of training ("how did it get here?").

Its positions are the checkpointed steps and, at the right end, the present. Moving it asks for the
network at that step (``view_requested(step)``, ``None`` for the present); "Replay learning" plays
through the checkpoints as an animation. The label says which step the panels show.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QToolButton, QWidget

from widgets.chrome.status_field import StatusField

REPLAY_MS = 120  # one checkpoint per frame of the replay
VIEWING_STYLE = "background: #ffcc44; color: #15171c; border-radius: 3px; padding: 1px 6px; font-weight: bold;"


class TimelineBar(QWidget):
    view_requested = Signal(object)  # a checkpointed step, or None for the present
    replay_toggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("timelineBar")
        self.steps = np.zeros(1, dtype=np.int64)  # checkpointed steps
        self.present = 0
        self.viewing: int | None = None
        title = QLabel("Training timeline")
        title.setToolTip("Weights are kept at checkpoints during training (every step early on, then "
                         "spaced out so that ~100 cover the run). Move the slider to see every panel "
                         "as the network was at that step; Train returns to the present.")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("timelineSlider")
        self.slider.setToolTip("Training step shown by every panel: drag back to see the network earlier")
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(200)
        self.label = StatusField("timelineLabel", "The training step every panel shows",
                                 (), pad=0)  # (resized only when its width changes: StatusField)
        self.label.setText("step 0 (now)")
        self.now_button = QToolButton()
        self.now_button.setObjectName("timelinePresentButton")
        self.now_button.setText("Now")
        self.now_button.setToolTip("Back to the present weights")
        self.replay_button = QPushButton("Replay learning")
        self.replay_button.setObjectName("replayLearningButton")
        self.replay_button.setCheckable(True)
        self.replay_button.setToolTip("Play through the checkpoints from step 0 to now: watch the gates and "
                                      "the attention form (File > Export training time-lapse for a GIF)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for w in (title, self.slider, self.label, self.now_button, self.replay_button):
            layout.addWidget(w)
        layout.setStretchFactor(self.slider, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_replay_tick)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.now_button.clicked.connect(lambda: self.set_index(self.slider.maximum(), emit=True))
        self.replay_button.toggled.connect(self._on_replay_toggled)

    # ---- state from the snapshot ---------------------------------------------------------------
    def set_timeline(self, info: dict) -> None:
        if not info:
            return
        steps = np.asarray(info.get("steps", ()), dtype=np.int64)
        self.present, self.viewing = int(info.get("present", 0)), info.get("viewing")
        self.steps = steps[steps < self.present] if len(steps) else steps  # the present is the last position
        enabled = bool(info.get("enabled", True))
        for w in (self.slider, self.replay_button):
            w.setEnabled(enabled and len(self.steps) > 0)
        if not enabled:
            self.slider.setToolTip("This model is too large to keep checkpoints of its weights")
        if not self.slider.isSliderDown() and not self.replay_button.isChecked():
            index = len(self.steps) if self.viewing is None else int(np.searchsorted(self.steps, self.viewing))
            at_end = self.slider.value() == self.slider.maximum() and index == len(self.steps)
            self.slider.blockSignals(True)
            # at the present before and after, the handle stays at the right end: a new checkpoint (every
            # step early in a run) changes the range without a repaint of the slider (0.4 ms a snapshot)
            self.slider.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, at_end)
            self.slider.setRange(0, len(self.steps))
            self.slider.setValue(index)
            self.slider.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, False)
            self.slider.blockSignals(False)
        elif self.slider.maximum() != len(self.steps):
            self.slider.blockSignals(True)
            self.slider.setRange(0, len(self.steps))
            self.slider.blockSignals(False)
        self.label.setText(info.get("label", ""))
        style = VIEWING_STYLE if self.viewing is not None else ""
        if self.label.styleSheet() != style:
            self.label.setStyleSheet(style)

    def step_at(self, index: int):
        return None if index >= len(self.steps) else int(self.steps[index])

    def set_index(self, index: int, emit: bool = True) -> None:
        index = max(0, min(int(index), self.slider.maximum()))
        if self.slider.value() == index:
            if emit:
                self.view_requested.emit(self.step_at(index))
            return
        self.slider.setValue(index)  # emits through _on_slider_changed

    def stop_replay(self) -> None:
        self.replay_button.setChecked(False)

    # ---- handlers ------------------------------------------------------------------------------
    def _on_slider_changed(self, index: int) -> None:
        step = self.step_at(index)
        self.label.setText(f"step {self.present} (now)" if step is None else
                           f"viewing step {step} of {self.present}")
        self.view_requested.emit(step)

    def _on_replay_toggled(self, on: bool) -> None:
        self.replay_button.setText("Stop replay" if on else "Replay learning")
        if on:
            self.set_index(0)
            self._timer.start(REPLAY_MS)
        else:
            self._timer.stop()
        self.replay_toggled.emit(on)

    def _on_replay_tick(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.replay_button.setChecked(False)  # the end: the present
            return
        self.set_index(self.slider.value() + 1)
