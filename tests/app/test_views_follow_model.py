"""Views that follow the model: after a preset, an architecture change, a reset or an opened session
the learning curves drop the old run's events, evaluations, ranges and colours; a replaced run on
the same task stays as a labelled ghost until cleared; the lecture note retires on any setting
of its preset that changes, except the changes the preset itself suggests."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from app.lecture.menu import departures, note_text
from app.lecture.presets import load_presets
from app.window.main_window import MainWindow, previous_run_label
from engine.lab.config import LabConfig

PRESETS = {p.id: p for p in load_presets()}


def make_window(qtbot, task="adding"):
    window = MainWindow(LabConfig.for_task(task), remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.shown is not None, timeout=30000)
    return window


def shown(qtbot, window, predicate, timeout=30000):
    qtbot.waitUntil(lambda: window.controller.shown is not None and predicate(window.controller.shown),
                    timeout=timeout)
    return window.controller.shown


def points(curves) -> int:
    """The run's points drawn (a regression's loss is its metric, drawn once in the metric plot)."""
    x = (curves.loss_raw if curves.loss_plot.isVisible() else curves.metric_raw).xData
    return 0 if x is None else len(x)


def train_steps(qtbot, window, n):
    start = window.controller.shown.step
    for _ in range(n):
        window.controller.step_once()
    shown(qtbot, window, lambda s: s.step >= start + n)
    qtbot.waitUntil(lambda: len(window.panels["curvesPanel"].history.get("step", ())) >= start + n, timeout=10000)


def test_a_preset_then_its_suggested_cell_keeps_the_first_run_as_a_ghost(qtbot):
    window = make_window(qtbot)
    curves = window.panels["curvesPanel"]
    window.lecture.actions["vanishing"].trigger()
    shown(qtbot, window, lambda s: s.config["task"] == "adding" and s.config["task_params"]["seq_len"] == 100)
    train_steps(qtbot, window, 4)
    curves.set_evals({"step": [4], "loss": [0.2], "metric": [0.2], "on": "fresh examples", "every": 250})
    first_run = curves.history["loss"].copy()
    window.controls.findChild(QWidget, "cellTypeCombo").setCurrentIndex(
        window.controls.findChild(QWidget, "cellTypeCombo").findData("gru"))
    shown(qtbot, window, lambda s: s.config["model"]["cell"] == "gru" and s.step == 0)
    qtbot.waitUntil(lambda: len(curves.history.get("step", ())) == 0, timeout=10000)
    # the ghost: the simple RNN's 4 steps, labelled, drawn dashed on both plots
    assert curves.ghost.active and "previous run: simple RNN (tanh) (4 steps)" in curves.ghost.label.text()
    assert "(4 steps)" in curves.ghost.label.text() and curves.ghost.isVisible()
    np.testing.assert_array_equal(curves.ghost.run["loss"], first_run)
    assert len(curves.ghost.curves[0].xData) == 4
    # the old run's evaluations and events are gone; only the change that started this run is marked
    assert curves.evals == [] and [e[1] for e in curves.user_events] == ["cell gru (new model)"]
    assert points(curves) == 0
    # the note suggested this change: it says so, it does not retire
    assert "as suggested" in window.lecture_note.text() and "no longer applies" not in window.lecture_note.text()
    # the ghost stays while the new run trains, until cleared
    train_steps(qtbot, window, 2)
    assert curves.ghost.active and points(curves) == 2
    curves.ghost.clear_button.click()
    assert not curves.ghost.active and not len(curves.ghost.curves[0].xData or ())


def test_another_task_clears_the_ghost_the_events_and_the_passed_colour(qtbot):
    window = make_window(qtbot)
    curves = window.panels["curvesPanel"]
    train_steps(qtbot, window, 3)
    window.transport.reset_clicked.emit()  # a reset discards the trained weights: the run stays as a ghost
    qtbot.waitUntil(lambda: len(curves.history.get("step", ())) == 0, timeout=10000)
    assert curves.ghost.active and "(3 steps)" in curves.ghost.label.text()
    window.lecture.actions["acceptor"].trigger()
    shown(qtbot, window, lambda s: s.config["task"] == "parity")
    qtbot.waitUntil(lambda: curves.info.get("metric") == "accuracy", timeout=10000)
    assert not curves.ghost.active
    assert [e[1] for e in curves.user_events] == ["preset: " + PRESETS["acceptor"].title]
    assert curves.summary.text() == "no training steps yet"
    assert curves.loss_plot.getViewBox().viewRange()[0][1] <= 103  # the step axis starts afresh (0-100, padded)


def test_previous_run_label_names_what_changed_and_nothing_for_an_untrained_model():
    class Snap:
        step = 600
        config = {"model": {"cell": "lstm", "bidirectional": False, "hidden_size": 32, "num_layers": 1},
                  "train": {"lr": 0.01, "clip": True}, "task_params": {"seq_len": 30}}
    assert previous_run_label(Snap()) == "previous run: LSTM, H 32 (600 steps)"
    new = {"model": {**Snap.config["model"], "cell": "gru"}, "train": {"lr": 0.01, "clip": True},
           "task_params": {"seq_len": 50}}
    assert previous_run_label(Snap(), new) == "previous run: LSTM, T 30 (600 steps)"  # what differs
    Snap.step = 0
    assert previous_run_label(Snap()) is None


def test_notes_retire_on_every_setting_of_their_preset_but_the_suggested_ones():
    for preset in PRESETS.values():
        running = preset.config.to_dict()
        for part, key, value in (("model", "hidden_size", 7), ("train", "lr", 0.123), ("train", "batch_size", 5),
                                 ("model", "embedding_dim", 3)):
            changed = {**running, part: {**running[part], key: value}}
            state = departures(preset.config, changed)
            assert state == {key: value}, (preset.id, key)
            assert "no longer applies" in note_text(preset, state), (preset.id, key)
        if "seq_len" in running["task_params"]:
            changed = {**running, "task_params": {**running["task_params"], "seq_len": 7}}
            assert "no longer applies" in note_text(preset, departures(preset.config, changed))
        reseeded = {**running, "train": {**running["train"], "seed": 5}}
        assert departures(preset.config, reseeded) == {}  # another seed reruns the same preset
    # the bidirectional preset's own contrast (a left-to-right GRU) is suggested, not a departure
    bi = PRESETS["bidirectional"]
    running = bi.config.to_dict()
    one_way = {**running, "model": {**running["model"], "bidirectional": False}}
    text = note_text(bi, departures(bi.config, one_way))
    assert "no longer applies" not in text and "as suggested" in text
