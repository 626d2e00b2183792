"""The main window as a user drives it: controls, transport, panels following one time cursor."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.window.main_window import MainWindow
from engine import ModelConfig
from engine.lab.config import LabConfig

CONTROL_NAMES = ["taskCombo", "cellTypeCombo", "layersSpin", "hiddenSizeSpin", "bidirectionalCheck", "mergeCombo",
                 "clipCheck", "clipNormSpin", "lrSpin", "seqLenSpin", "seedSpin", "trainButton", "stepButton",
                 "resetButton", "timeSlider", "prevTimeButton", "nextTimeButton", "sequenceInput"]
PANEL_NAMES = ["unrolledView", "hiddenHeatmap", "gatesPanel", "attentionPanel", "gradientPanel", "curvesPanel",
               "sequenceStrip"]


def make_window(qtbot, task="adding", **model):
    cfg = LabConfig.for_task(task)
    if model:
        cfg = LabConfig(cfg.task, cfg.task_params, ModelConfig(**{**cfg.model.to_dict(), **model}), cfg.train)
    window = MainWindow(cfg, remember=False)
    qtbot.addWidget(window)
    window.show()
    wait_shown(qtbot, window, lambda s: True)
    return window


def wait_shown(qtbot, window, predicate, timeout=30000):
    qtbot.waitUntil(lambda: window.controller.shown is not None and predicate(window.controller.shown),
                    timeout=timeout)
    return window.controller.shown


def engine_step(window) -> int:
    """The engine's own training step, asked after every request sent so far (requests are answered in order):
    an explicit check that nothing trained on, instead of sleeping and looking."""
    return window.controller.call("weights")["step"]


def set_combo(window, name, data):
    combo = window.findChild(QWidget, name)
    combo.setCurrentIndex(combo.findData(data))


def test_every_control_and_panel_has_its_object_name(qtbot):
    window = make_window(qtbot)
    for name in CONTROL_NAMES + PANEL_NAMES:
        assert window.findChild(QWidget, name) is not None, name
    for name in CONTROL_NAMES:
        assert window.findChild(QWidget, name).toolTip(), f"{name} has no tooltip"


def test_default_window_shows_a_probe_before_training(qtbot):
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    snap = wait_shown(qtbot, window, lambda s: True)
    assert snap.step == 0 and snap.trace.hidden.size > 0
    assert window.status_labels["state"].text() == "paused"


def test_switching_cell_type_updates_gates_and_shapes(qtbot):
    window = make_window(qtbot, "adding", cell="lstm")
    gates = window.panels["gatesPanel"]
    assert gates.gate_count() == 4
    set_combo(window, "cellTypeCombo", "gru")
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "gru")
    assert gates.gate_count() == 3
    set_combo(window, "cellTypeCombo", "rnn_tanh")
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "rnn_tanh")
    assert gates.gate_count() == 0
    assert "no gates" in gates.no_gates.text().lower()


def test_bidirectional_doubles_rows_and_merge_changes_width(qtbot):
    window = make_window(qtbot, "adding", bidirectional=False)
    rows = window.unrolled.row_count()
    window.controls.bidir_check.setChecked(True)
    snap = wait_shown(qtbot, window, lambda s: s.trace.hidden.shape[1] == 2)
    assert window.unrolled.row_count() == 2 * rows
    H = snap.trace.hidden.shape[3]
    assert snap.trace.encoded.shape[1] == H  # sum merge (the lecture's)
    set_combo(window, "mergeCombo", "concat")
    snap = wait_shown(qtbot, window, lambda s: s.trace.encoded.shape[1] == 2 * H)
    assert snap.config["model"]["merge"] == "concat"


def test_time_slider_moves_every_cursor(qtbot):
    window = make_window(qtbot)
    slider = window.transport.slider
    T = window.controller.shown.trace.seq_len
    assert slider.maximum() == T - 1
    slider.setValue(7)
    in_view = window.controller._visible
    for name in in_view:  # (those behind a tab follow when they come into view: test_time_cursor_hidden)
        assert window.panels[name].time == 7, name
    qtbot.mouseClick(window.transport.next_button, Qt.LeftButton)
    assert all(window.panels[name].time == 8 for name in in_view)
    window.controller.feed()  # as before an export: every built panel catches up
    assert all(p.time == 8 for p in window.panels.values())
    qtbot.mouseClick(window.transport.prev_button, Qt.LeftButton)
    qtbot.mouseClick(window.transport.prev_button, Qt.LeftButton)
    assert window.panels["hiddenHeatmap"].time == 6


def test_train_then_pause_advances_steps_and_curves(qtbot):
    window = make_window(qtbot)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    snap = wait_shown(qtbot, window, lambda s: s.step >= 30 and len(s.history["loss"]) >= 30)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    paused = wait_shown(qtbot, window, lambda s: s.state == "paused")
    assert paused.step >= snap.step >= 30
    assert window.status_labels["step"].text() == f"step {paused.step}"
    header, rows = window.panels["curvesPanel"].data_table()
    assert len(rows) == len(paused.history["loss"]) and len(rows) >= 30
    assert engine_step(window) == paused.step  # really paused


def test_step_button_trains_exactly_one_batch(qtbot):
    window = make_window(qtbot)
    qtbot.mouseClick(window.transport.step_button, Qt.LeftButton)
    snap = wait_shown(qtbot, window, lambda s: s.step == 1)
    assert np.isfinite(snap.loss)


def test_diverging_configuration_pauses_with_status(qtbot):
    window = make_window(qtbot, "adding")
    values = window.controls.values()
    values.update(cell="rnn_relu", init="identity", clip=False, optimizer="sgd", lr=10.0)
    window.controls.set_values(values)
    window.controller.apply_values(values)
    wait_shown(qtbot, window, lambda s: s.config["train"]["lr"] == 10.0 and s.trace.cell_type == "rnn_relu")
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    snap = wait_shown(qtbot, window, lambda s: s.state == "diverged", timeout=20000)
    assert not window.transport.train_button.isChecked()
    assert "Diverged at step" in window.statusBar().currentMessage()
    assert "clipping" in window.statusBar().currentMessage()
    assert window.status_labels["state"].text() == "DIVERGED"
    assert np.isfinite(snap.trace.hidden).all()  # the paused network shows finite states, not the NaN step


def test_typed_sequence_with_unknown_character_is_refused(qtbot):
    window = make_window(qtbot, "parity")
    field = window.findChild(QWidget, "sequenceInput")
    field.setText("0110201")
    qtbot.keyClick(field, Qt.Key_Return)
    qtbot.waitUntil(lambda: "'2'" in window.strip.error.text(), timeout=5000)
    assert field.text() == "0110201"  # nothing lost
    field.setText("0110101")
    qtbot.keyClick(field, Qt.Key_Return)
    snap = wait_shown(qtbot, window, lambda s: s.example_source == "typed")
    assert "".join(snap.trace.tokens) == "0110101" and window.strip.error.text() == ""


def test_bad_value_is_refused_with_a_message(qtbot):
    window = make_window(qtbot)
    before = window.controls.values()
    values = dict(before)
    values.update(hidden_size=512, batch_size=1024, num_layers=4, bidirectional=True, seq_len=1000)
    assert not window.controller.apply_values(values)
    assert "limit" in window.statusBar().currentMessage()
    assert window.controls.values() == before  # the controls went back to the running model's values


def test_close_while_training_stops_worker(qtbot, fresh_engine):
    window = make_window(qtbot)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    wait_shown(qtbot, window, lambda s: s.step > 5)
    proc = window.controller.engine.client.proc
    window.close()
    assert not proc.is_alive() and proc.exitcode is not None


@pytest.mark.parametrize("key", [Qt.Key_Right])
def test_keyboard_moves_time(qtbot, key):
    window = make_window(qtbot)
    window.activateWindow()
    window.actions["next"].trigger()
    assert window.transport.time() == 1
    window.actions["train"].trigger()
    assert window.transport.train_button.isChecked()
    window.actions["train"].trigger()
    assert not window.transport.train_button.isChecked()


def test_bptt_animation_plays_forward_then_backward(qtbot):
    window = make_window(qtbot, "parity")
    T = window.controller.shown.trace.seq_len
    transport = window.transport
    transport.speed_combo.setCurrentIndex(transport.speed_combo.count() - 1)  # fastest
    frames, lit = [], {}
    transport.backward_step.connect(frames.append)
    transport.backward_step.connect(lambda t: lit.setdefault(t, set(window.unrolled.lit_cells())))
    qtbot.mouseClick(transport.bptt_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(frames) and frames[-1] is None, timeout=15000)
    assert frames == list(range(T - 1, -1, -1)) + [None]
    assert lit[T - 1] == {(0, 0, T - 1)}  # the gradient has only reached the last step
    assert lit[0] == {(0, 0, t) for t in range(T)}  # ... and finally every step
    assert not transport.bptt_button.isChecked()


def test_lecture_presets_set_task_cell_and_explain(qtbot):
    window = make_window(qtbot)
    presets = window.lecture.presets
    assert len(presets) == 9
    window.lecture.actions["bidirectional"].trigger()
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == "tagging" and s.trace.num_directions == 2)
    assert snap.config["model"]["merge"] == "sum"
    assert window.controls.values()["bidirectional"] is True
    assert "summed" in window.lecture_note.text() and window.lecture_note.isVisible()
    window.lecture.actions["vanishing"].trigger()
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == "adding" and s.trace.seq_len == 100)
    assert snap.trace.cell_type == "rnn_tanh"


def test_generate_text_from_the_language_model(qtbot):
    window = make_window(qtbot, "charlm")
    window.lecture.generate("the ", 40, 0.0)
    qtbot.waitUntil(lambda: hasattr(window.lecture, "last_generated"), timeout=10000)
    text = window.lecture.last_generated
    assert text.startswith("the ") and len(text) == 44
    for box in window.findChildren(QWidget, "generatedTextBox"):
        box.close()
