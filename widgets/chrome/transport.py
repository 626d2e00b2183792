"""TransportBar: Train/Pause, Step, Reset, and the shared time cursor with play-through-time."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSlider, QToolButton, QWidget

from widgets.chrome.status_field import StatusField

SPEEDS = (("0.5 steps/s", 2000), ("2 steps/s", 500), ("5 steps/s", 200), ("10 steps/s", 100),
          ("25 steps/s", 40))


def _button(cls, name: str, text: str, tip: str):
    b = cls()
    b.setObjectName(name)
    b.setText(text)
    b.setToolTip(tip)
    return b


class TransportBar(QWidget):
    train_toggled = Signal(bool)  # True: train, False: pause
    step_clicked = Signal()
    reset_clicked = Signal()
    time_changed = Signal(int)
    backward_step = Signal(object)  # t of the backward-pass frame (T-1 .. 0), or None when it ends

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("transportBar")
        self.train_button = _button(QPushButton, "trainButton", "Train",
                                    "Train on batches continuously / pause (Space)")
        self.train_button.setCheckable(True)
        self.step_button = _button(QPushButton, "stepButton", "Step",
                                   "Train exactly one batch, then show the result (Ctrl+Right)")
        self.reset_button = _button(QPushButton, "resetButton", "Reset",
                                    "Back to the initial weights of this seed; the history is cleared (Ctrl+R)")
        self.prev_button = _button(QToolButton, "prevTimeButton", "◀", "Previous time step t-1 (Left)")
        self.next_button = _button(QToolButton, "nextTimeButton", "▶", "Next time step t+1 (Right)")
        self.play_button = _button(QToolButton, "playTimeButton", "Play t",
                                   "Play through time: move the cursor t = 1..T (P)")
        self.play_button.setCheckable(True)
        self.bptt_button = _button(QToolButton, "playBackwardButton", "BPTT",
                                   "Backpropagation through time, animated: the forward pass plays t = 1..T, "
                                   "then the gradient dL/dh_t travels back t = T..1 (B)")
        self.bptt_button.setCheckable(True)
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("playSpeedCombo")
        self.speed_combo.setToolTip("How fast 'Play t' moves the time cursor")
        for label, ms in SPEEDS:
            self.speed_combo.addItem(label, ms)
        self.speed_combo.setCurrentIndex(2)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("timeSlider")
        self.slider.setToolTip("The time cursor t: every time-indexed panel follows it (Left/Right, Home/End)")
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(160)
        self.time_label = StatusField("timeLabel", "The time cursor t and the example's length T",
                                      (), pad=0)  # (resized only when its width changes: StatusField)
        self.time_label.setText("t = 1 / 1")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for w in (self.train_button, self.step_button, self.reset_button):
            layout.addWidget(w)
        layout.addSpacing(16)
        for w in (self.prev_button, self.slider, self.next_button, self.time_label, self.play_button,
                  self.bptt_button, self.speed_combo):
            layout.addWidget(w)
        layout.setStretchFactor(self.slider, 1)

        self._play_timer = QTimer(self)
        self._play_timer.timeout.connect(self._on_play_tick)
        self.train_button.toggled.connect(self._on_train_toggled)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.prev_button.clicked.connect(lambda: self.set_time(self.slider.value() - 1, emit=True))
        self.next_button.clicked.connect(lambda: self.set_time(self.slider.value() + 1, emit=True))
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.bptt_button.toggled.connect(self._on_bptt_toggled)
        self._bptt_frame: int | None = None  # None: forward part; else the backward frame shown
        self.speed_combo.currentIndexChanged.connect(self._on_speed_changed)

    # ---- state set by the controller -----------------------------------------------------
    def set_training(self, training: bool) -> None:
        self.train_button.blockSignals(True)
        self.train_button.setChecked(training)
        self.train_button.setText("Pause" if training else "Train")
        self.train_button.blockSignals(False)
        self.step_button.setEnabled(not training)

    def set_length(self, T: int) -> None:
        if self._bptt_frame is not None:  # a shorter sequence arrived mid-animation: stay inside it
            self._bptt_frame = min(self._bptt_frame, max(T - 1, 0))
        t = min(self.slider.value(), T - 1)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(T - 1, 0))
        self.slider.setValue(t)
        self.slider.blockSignals(False)
        self._update_label()

    def time(self) -> int:
        return self.slider.value()

    def set_time(self, t: int, emit: bool = True) -> None:
        t = max(self.slider.minimum(), min(self.slider.maximum(), int(t)))
        if not emit:
            self.slider.blockSignals(True)
        self.slider.setValue(t)
        self.slider.blockSignals(False)
        self._update_label()

    def stop_playing(self) -> None:
        self.play_button.setChecked(False)
        self.bptt_button.setChecked(False)

    # ---- handlers ------------------------------------------------------------------------
    def _on_train_toggled(self, on: bool) -> None:
        self.train_button.setText("Pause" if on else "Train")
        self.train_toggled.emit(on)

    def _on_slider_changed(self, t: int) -> None:
        self._update_label()
        self.time_changed.emit(t)

    def _on_play_toggled(self, on: bool) -> None:
        self.play_button.setText("Stop" if on else "Play t")
        if on:
            if self.slider.value() >= self.slider.maximum():
                self.set_time(0)
            self._play_timer.start(self.speed_combo.currentData())
        else:
            self._play_timer.stop()

    def _on_bptt_toggled(self, on: bool) -> None:
        self.bptt_button.setText("Stop" if on else "BPTT")
        if on:
            self.play_button.setChecked(False)
            self._bptt_frame = None
            self.set_time(0)
            self._play_timer.start(self.speed_combo.currentData())
        else:
            self._play_timer.stop()
            if self._bptt_frame is not None:
                self._bptt_frame = None
                self.backward_step.emit(None)

    def _on_speed_changed(self, _index: int) -> None:
        if self._play_timer.isActive():
            self._play_timer.start(self.speed_combo.currentData())

    def _on_play_tick(self) -> None:
        if self.bptt_button.isChecked():
            self._bptt_tick()
        elif self.slider.value() >= self.slider.maximum():
            self.stop_playing()
        else:
            self.set_time(self.slider.value() + 1)

    def _bptt_tick(self) -> None:
        """Forward frames t = 0..T-1, then backward frames T-1..0, then stop."""
        last = self.slider.maximum()
        if self._bptt_frame is None:
            if self.slider.value() < last:
                self.set_time(self.slider.value() + 1)
                return
            self._bptt_frame = last
        elif self._bptt_frame == 0:
            self.bptt_button.setChecked(False)  # emits backward_step(None)
            return
        else:
            self._bptt_frame -= 1
        self.set_time(self._bptt_frame)
        self.backward_step.emit(self._bptt_frame)

    def _update_label(self) -> None:
        self.time_label.setText(f"t = {self.slider.value() + 1} / {self.slider.maximum() + 1}")
