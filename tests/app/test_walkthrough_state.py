"""Issue 17, "right in every state": what the window shows is always the running model's."""
import csv

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.app.test_main_window import engine_step, make_window, wait_shown


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_hidden_gate_statistics_follow_a_cell_change_and_export_is_of_the_current_model(qtbot, tmp_path):
    window = make_window(qtbot, "adding")
    window.lecture.actions["gating"].trigger()
    window.show_panel("gateStatsPanel")
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "lstm" and s.analysis.get("gate_stats"))
    stats = window.panels["gateStatsPanel"]
    qtbot.waitUntil(lambda: set(stats.bar_heights()) == {"input", "forget", "cell_candidate", "output"}, timeout=5000)
    window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 1)
    window.docks["gatesDock"].close()  # the gate statistics are hidden from here on
    window.lecture.actions["vanishing"].trigger()
    window.show_panel("gradientPanel")  # (its partner, the vanishing panel, now sits beside it: issue 25)
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "rnn_tanh" and s.trace.seq_len == 100
               and "gate_stats" not in s.analysis)
    for _ in range(3):
        window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 3)
    assert window.files.export_all(str(tmp_path))
    # the hidden gate statistics say the simple RNN has no gates (not the LSTM's bars, not "no example yet")
    assert stats.showing_message()
    assert not (tmp_path / "gateStatsPanel.csv").exists()  # no empty CSV: index.html says why
    page = (tmp_path / "index.html").read_text()
    assert "no gates" in page.split("id='gateStatsPanel'")[1].split("</figure>")[0]
    # the hidden vanishing panel holds the current tanh RNN (T = 100) at step 3, not the LSTM
    vanishing = _csv(tmp_path / "vanishingPanel.csv")
    assert len(vanishing) == 1 + 100
    full = window.controller.shown
    assert full.step == 3 and full.trace.cell_type == "rnn_tanh"
    norms = full.analysis["spectrum"]["jacobian_norms"][0, 0]
    assert np.allclose([float(r[1]) for r in vanishing[1:]], norms, rtol=1e-6)
    # every CSV has numbers or says why not; time is 1-based as on screen
    for path in tmp_path.glob("*.csv"):
        assert path.stat().st_size > 10, path.name
    hidden = _csv(tmp_path / "hiddenHeatmap.csv")
    assert hidden[1][0] == "1" and hidden[-1][0] == "100"


def test_a_panel_shown_again_drops_an_analysis_of_another_model(qtbot):
    window = make_window(qtbot, "parity", cell="lstm")
    window.show_panel("gateStatsPanel")
    wait_shown(qtbot, window, lambda s: s.analysis.get("gate_stats"))
    stats = window.panels["gateStatsPanel"]
    assert not stats.showing_message()
    window.show_panel("equationsPanel")
    wait_shown(qtbot, window, lambda s: "gate_stats" not in s.analysis)
    values = window.controls.values()
    values.update(cell="gru")
    window.controller.apply_values(values)
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "gru")
    window.controller.feed()  # the hidden tab is fed the GRU's snapshot, which has no statistics
    assert stats.stats is None  # the LSTM's i/f/g/o bars are gone
    window.show_panel("gateStatsPanel")
    wait_shown(qtbot, window, lambda s: s.analysis.get("gate_stats"))
    qtbot.waitUntil(lambda: set(stats.bar_heights()) == {"reset", "update", "new"}, timeout=5000)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)


def test_length_spin_box_shows_the_running_length_after_every_preset(qtbot):
    window = make_window(qtbot, "adding")
    for preset in window.lecture.presets:  # in menu order: tagging (T <= 60) then charlm (T = 64), ...
        window.lecture.actions[preset.id].trigger()
        wait_shown(qtbot, window, lambda s, c=preset.config: s.config["task"] == c.task
                   and s.config["model"] == c.model.to_dict())
        running = window.controller.shown.config["task_params"]["seq_len"]
        assert window.controls.values()["seq_len"] == running == preset.config.task_params["seq_len"], preset.id
        label = window.controls.seq_len_label.text()
        assert label == ("max length T" if "min_len" in preset.config.task_params else "length T"), preset.id
    # an unrelated change later applies the length that was shown (the running one), not another
    values = window.controls.values()
    values.update(hidden_size=values["hidden_size"] + 1)
    window.controller.apply_values(values)
    snap = wait_shown(qtbot, window, lambda s: s.config["model"]["hidden_size"] == values["hidden_size"])
    assert snap.config["task_params"]["seq_len"] == window.lecture.presets[-1].config.task_params["seq_len"]


def test_counterfactual_pick_survives_snapshots_and_apply_shows_what_was_applied(qtbot):
    window = make_window(qtbot, "tagging")
    window.show_panel("counterfactualPanel")
    panel = window.panels["counterfactualPanel"]
    qtbot.waitUntil(lambda: panel.trace is not None, timeout=5000)
    combo = panel.token_combo
    proposed = combo.currentIndex()
    pick = (proposed + 3) % combo.count()
    combo.setCurrentIndex(pick)
    for k in range(3):  # snapshots of new weights for the same example
        window.controller.step_once()
        wait_shown(qtbot, window, lambda s, n=k + 1: s.step == n)
        window.controller.feed()
        assert combo.currentIndex() == pick
    panel.apply_button.click()
    snap = wait_shown(qtbot, window, lambda s: s.analysis.get("counterfactual") is not None)
    window.controller.feed()
    assert snap.analysis["counterfactual"]["new_token"] == combo.itemText(pick) == combo.currentText()
    window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 4 and s.analysis.get("counterfactual") is not None)
    window.controller.feed()
    assert combo.currentIndex() == pick


def test_notes_follow_suggested_changes_and_retire_after_others(qtbot):
    window = make_window(qtbot, "adding")
    note = window.lecture_note
    window.lecture.actions["bidirectional"].trigger()
    wait_shown(qtbot, window, lambda s: s.trace.num_directions == 2)
    qtbot.waitUntil(lambda: "summed" in note.text() and "no longer applies" not in note.text(), timeout=5000)
    assert "h<sub>i</sub>" in note.text() and "_i" not in note.text()  # maths as the panels write it
    values = window.controls.values()
    values.update(merge="concat")
    window.controller.apply_values(values)
    wait_shown(qtbot, window, lambda s: s.config["model"]["merge"] == "concat")
    qtbot.waitUntil(lambda: "no longer applies" in note.text() and "merge concat" in note.text(), timeout=5000)
    window.lecture.actions["attention"].trigger()
    wait_shown(qtbot, window, lambda s: s.config["task"] == "sentiment")
    qtbot.waitUntil(lambda: "attention bars" in note.text() and "no longer" not in note.text(), timeout=5000)
    values = window.controls.values()
    values.update(task="parity")
    window._on_controls_changed(values)
    wait_shown(qtbot, window, lambda s: s.config["task"] == "parity")
    qtbot.waitUntil(lambda: "no longer applies" in note.text(), timeout=5000)
    # a change the note suggests keeps it, saying what runs now
    window.lecture.actions["vanishing"].trigger()
    wait_shown(qtbot, window, lambda s: s.config["model"]["cell"] == "rnn_tanh" and s.trace.seq_len == 100)
    first = window.lecture.current.panels[0]  # the panel the note names comes to the front (with its partners,
    assert window.panels[first].isVisible()  # side by side since issue 25: no longer a tab to select)
    suggested_cell = "gru" if "switch the cell to gru" in window.lecture.current.note.lower() else "lstm"
    values = window.controls.values()
    values.update(cell=suggested_cell)
    window.controller.apply_values(values)
    wait_shown(qtbot, window, lambda s: s.config["model"]["cell"] == suggested_cell)
    qtbot.waitUntil(lambda: "as suggested" in note.text(), timeout=5000)
    assert "no longer" not in note.text()


def test_preset_asks_before_discarding_training_and_reselecting_restarts(qtbot, monkeypatch):
    import app.window.file_actions as file_actions

    answers = []
    monkeypatch.setattr(file_actions, "ask_unsaved", lambda w: answers.pop(0))
    window = make_window(qtbot, "adding")
    window.lecture.actions["exploding"].trigger()
    first = wait_shown(qtbot, window, lambda s: s.config["model"]["cell"] == "rnn_relu")
    for _ in range(3):
        window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 3)
    # Cancel keeps the trained model, its history and its preset
    answers.append("cancel")
    window.lecture.actions["gating"].trigger()
    assert engine_step(window) == 3 and window.controller.shown.step == 3
    assert window.controller.config.model.cell == "rnn_relu"
    # the same for a task switch from the controls, which go back
    answers.append("cancel")
    values = window.controls.values()
    values.update(task="parity")
    window._on_controls_changed(values)
    assert engine_step(window) == 3
    assert window.controls.values()["task"] == "adding" and window.controller.shown.step == 3
    assert not answers
    # Discard, re-selecting the running preset: fresh weights and an empty history
    answers.append("discard")
    window.lecture.actions["exploding"].trigger()
    snap = wait_shown(qtbot, window, lambda s: s.step == 0 and len(s.history.get("step", ())) == 0)
    assert np.array_equal(snap.trace.hidden, first.trace.hidden)  # the seed's initial weights again
    assert not window.controller.dirty_since_save and not answers


def test_typed_text_and_its_error_go_with_a_new_example_or_another_task(qtbot):
    window = make_window(qtbot, "parity")
    strip = window.strip
    strip.input.setText("01x")
    strip.input.returnPressed.emit()
    qtbot.waitUntil(lambda: strip.error.isVisible(), timeout=5000)
    window.actions["example"].trigger()  # N
    assert strip.input.text() == "" and not strip.error.isVisible()
    strip.input.setText("01x")
    strip.input.returnPressed.emit()
    qtbot.waitUntil(lambda: strip.error.isVisible(), timeout=5000)
    values = window.controls.values()
    values.update(task="dyck1")
    window._on_controls_changed(values)
    wait_shown(qtbot, window, lambda s: s.config["task"] == "dyck1")
    window.controller.feed()
    assert strip.input.text() == "" and not strip.error.isVisible()
    values.update(task="adding")
    window._on_controls_changed(values)
    wait_shown(qtbot, window, lambda s: s.config["task"] == "adding")
    window.controller.feed()
    shown = [w.text() for w in window.findChildren(QLabel) if w.isVisible()] + [strip.input.placeholderText()]
    assert sum("cannot be typed" in text for text in shown) == 1


def test_menus_titles_and_tabs_read_right(qtbot):
    window = make_window(qtbot, "tagging", bidirectional=False)
    combo = window.controls.task_combo
    assert "bidirectional" not in combo.currentText()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Lecture") < titles.index("Help") == len(titles) - 1
    for tabs in {t for t, _ in window.tabs.values()}:
        for i in range(tabs.count()):
            assert "_" not in tabs.tabText(i)  # subscripts as characters: nothing for a tab to clip


def test_text_generation_has_length_again_copy_and_shows_the_prompt_apart(qtbot):
    from PySide6.QtGui import QGuiApplication

    window = make_window(qtbot, "charlm")
    window.lecture.generate_dialog()
    dialog = window.lecture.dialog
    assert dialog.isVisible() and not dialog.isModal()
    dialog.prompt.setText("alice ")
    dialog.length.setValue(25)
    dialog.temperature.setValue(0.0)
    dialog.generate_button.click()
    qtbot.waitUntil(lambda: dialog.sampled != "", timeout=20000)
    first = dialog.sampled
    assert dialog.prompt_text == "alice " and len(first) == 25
    html_text = dialog.output.toHtml()
    assert "alice" in html_text and dialog.output.toPlainText() == "alice " + first
    assert "#8a93a3" in html_text  # the prompt is drawn apart (muted) from the model's text
    assert dialog.generate_button.text() == "Generate again"
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "alice " + first
    dialog.length.setValue(10)
    dialog.generate_button.click()
    qtbot.waitUntil(lambda: len(dialog.sampled) == 10, timeout=20000)
    assert dialog.sampled == first[:10]  # temperature 0: the most likely characters, the same weights
    dialog.close()
