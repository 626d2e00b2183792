"""Issue 17, "right in every state": what the window shows is always the running model's."""
import csv

import numpy as np
from PySide6.QtCore import Qt

from tests.test_main_window import make_window, wait_shown


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
    wait_shown(qtbot, window, lambda s: s.trace.cell_type == "rnn_tanh" and s.trace.seq_len == 100
               and "gate_stats" not in s.analysis and "spectrum" in s.analysis)  # vanishing tab in view
    window.show_panel("gradientPanel")  # the vanishing panel is hidden now too
    wait_shown(qtbot, window, lambda s: "spectrum" not in s.analysis)
    for _ in range(3):
        window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 3)
    assert window.files.export_all(str(tmp_path))
    # the hidden gate statistics say the simple RNN has no gates (not the LSTM's bars, not "no example yet")
    assert stats.showing_message()
    rows = _csv(tmp_path / "gateStatsPanel.csv")
    assert rows[0] == ["note"] and "no gates" in rows[1][0]
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
