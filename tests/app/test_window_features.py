"""The issue-6 panels working inside the window: analyses computed for what is shown, live."""
import numpy as np
from PySide6.QtCore import Qt

from tests.app.test_main_window import make_window, wait_shown


def test_vanishing_panel_gets_the_spectrum_only_when_shown(qtbot):
    window = make_window(qtbot, "adding", cell="rnn_tanh")
    assert "spectrum" not in window.controller.shown.analysis  # its tab is hidden
    window.show_panel("vanishingPanel")
    snap = wait_shown(qtbot, window, lambda s: "spectrum" in s.analysis)
    norms = snap.analysis["spectrum"]["jacobian_norms"]
    assert norms.shape == (1, 1, snap.trace.seq_len) and norms[0, 0, 0] == 1.0
    assert norms[0, 0, -1] < norms[0, 0, 1]  # default init: the Jacobian product shrinks with lag
    header, rows = window.panels["vanishingPanel"].data_table()
    assert len(rows) == snap.trace.seq_len
    window.show_panel("gradientPanel")
    wait_shown(qtbot, window, lambda s: "spectrum" not in s.analysis)


def test_spectral_radius_history_grows_while_training(qtbot):
    window = make_window(qtbot, "adding", cell="gru")
    window.show_panel("vanishingPanel")
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    snap = wait_shown(qtbot, window, lambda s: len(s.analysis.get("spectrum", {}).get("radius_history", {})
                                                     .get("step", ())) >= 3, timeout=20000)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    steps = snap.analysis["spectrum"]["radius_history"]["step"]
    assert np.all(np.diff(steps) > 0)


def test_counterfactual_from_the_panel_follows_the_model(qtbot):
    window = make_window(qtbot, "parity", cell="gru")
    window.show_panel("counterfactualPanel")
    panel = window.panels["counterfactualPanel"]
    trace = window.controller.shown.trace
    position = 3
    old = trace.tokens[position]
    new_index = 1 - int(trace.input_values[position])
    panel.counterfactual_requested.emit(position, new_index)
    snap = wait_shown(qtbot, window, lambda s: s.analysis.get("counterfactual") is not None)
    result = snap.analysis["counterfactual"]
    assert result["old_token"] == old and result["new_token"] != old
    assert np.all(result["distance"][0, 0, :position] == 0)
    assert result["distance"][0, 0, position] > 0
    # after a training step the counterfactual is recomputed for the new weights
    window.controller.step_once()
    later = wait_shown(qtbot, window, lambda s: s.step == 1 and s.analysis.get("counterfactual") is not None)
    assert not np.array_equal(later.analysis["counterfactual"]["distance"], result["distance"])
    # a new example drops the request (its position belongs to the old sequence)
    window.controller.new_example()
    wait_shown(qtbot, window, lambda s: s.analysis.get("counterfactual") is None)


def test_gate_statistics_and_equations_follow_the_cell(qtbot):
    window = make_window(qtbot, "parity", cell="lstm")
    window.show_panel("gateStatsPanel")
    snap = wait_shown(qtbot, window, lambda s: "gate_stats" in s.analysis)
    assert set(snap.analysis["gate_stats"]["saturated"]) == {"input", "forget", "cell_candidate", "output"}
    window.show_panel("equationsPanel")
    equations = window.panels["equationsPanel"]
    qtbot.waitUntil(lambda: "nn.LSTM" in equations.code(), timeout=5000)
    values = window.controls.values()
    values.update(cell="gru")
    window.controller.apply_values(values)
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "gru")
    assert "nn.GRU" in equations.code()
