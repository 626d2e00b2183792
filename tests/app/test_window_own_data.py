"""The user's own data in the window: the 'attention head' check box appears for a labelled CSV (and the
sentiment task), rebuilds the model with the head, and the attention panel then shows the weights alpha_i of
the example on screen; a tagged file has no such option."""
from pathlib import Path

import numpy as np

from tests.app.test_main_window import make_window, wait_shown

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def test_attention_check_box_gives_a_labelled_file_an_attention_head(qtbot):
    window = make_window(qtbot, "parity")
    check = window.controls.attention_check
    assert check.isHidden()  # parity has no attention option
    window.data.open_data(str(EXAMPLES / "majority_ab.csv"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "labelled_file")
    qtbot.waitUntil(lambda: not check.isHidden(), timeout=5000)
    assert not check.isChecked() and window.controller.shown.trace.attention is None
    check.setChecked(True)
    snap = wait_shown(qtbot, window, lambda s: s.config["task_params"].get("attention") == 1)
    alpha = np.asarray(snap.trace.attention)
    assert snap.trace.output_kind == "attention" and abs(alpha.sum() - 1) < 1e-5
    assert snap.task_info["title"].startswith("Attention on majority_ab.csv")
    qtbot.waitUntil(lambda: window.controls.task_combo.currentText().startswith("Attention on"), timeout=5000)
    panel = window.panels["attentionPanel"]
    panel.set_trace(snap.trace)
    header, rows = panel.data_table()
    np.testing.assert_allclose([r[2] for r in rows], alpha)
    check.setChecked(False)  # and back to the acceptor on h_n
    snap = wait_shown(qtbot, window, lambda s: s.config["task_params"].get("attention") == 0)
    assert snap.trace.attention is None


def test_a_tagged_file_offers_no_attention_head(qtbot):
    window = make_window(qtbot, "sentiment")
    check = window.controls.attention_check
    qtbot.waitUntil(lambda: not check.isHidden() and check.isChecked(), timeout=5000)  # sentiment's default head
    window.data.open_data(str(EXAMPLES / "people_places.csv"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "tagged_file")
    qtbot.waitUntil(check.isHidden, timeout=5000)


def test_attribution_panel_defaults_to_the_neutral_token_and_says_so(qtbot):
    window = make_window(qtbot, "sentiment")
    window.show_panel("attributionPanel")
    panel, combo = window.panels["attributionPanel"], window.panels["attributionPanel"].baseline_combo
    qtbot.waitUntil(lambda: panel.payload is not None, timeout=30000)
    assert combo.itemText(0) == "'the' (neutral, default)" and combo.currentIndex() == 0
    assert "baseline x′: neutral token 'the' (default)" in panel.title.text
    header, rows = panel.data_table()
    assert rows[0][header.index("baseline")].startswith("the token 'the' at every position (the task's neutral")
    combo.setCurrentIndex(combo.findData("zero"))  # the user's choice wins
    qtbot.waitUntil(lambda: panel.payload["baseline"] == "zero embedding at every position", timeout=30000)
    set_task = window.controls.task_combo
    set_task.setCurrentIndex(set_task.findData("dyck1"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "dyck1")
    qtbot.waitUntil(lambda: combo.itemText(0) == "zero (default, no neutral token)", timeout=10000)


def test_pattern_search_over_the_whole_data_file(qtbot):
    window = make_window(qtbot, "parity")
    window.data.open_data(str(EXAMPLES / "people_places.csv"))
    wait_shown(qtbot, window, lambda s: s.config["task"] == "tagged_file")
    window.show_panel("patternSearchPanel")
    panel = window.panels["patternSearchPanel"]
    qtbot.waitUntil(lambda: panel.trace is not None and panel.trace.hidden.shape[2] >= 3, timeout=10000)
    panel.start_spin.setValue(1)
    panel.end_spin.setValue(2)
    panel.threshold_spin.setValue(0.0)
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findData("data set"))
    panel.search_button.click()
    assert panel.search_button.text() == "Cancel search"  # while it runs the button cancels
    qtbot.waitUntil(lambda: panel.result is not None, timeout=60000)
    assert "600 of 600 rows searched (every row of people_places.csv" in panel.summary.text()
    assert panel.search_button.text() == "Find matches" and panel.progress.isHidden()
    header, rows = panel.data_table()
    assert rows and all(r[1].startswith("data row ") for r in rows)
    assert rows[0][3] >= rows[-1][3]  # best first


def test_a_data_files_neutral_token_from_the_command_line_is_the_windows_default(qtbot, tmp_path):
    from tests.engine.test_neutral_baseline import bracket_csv

    window = make_window(qtbot, "parity")
    data = bracket_csv(tmp_path / "depth.csv", rows=60)
    window.data.open_data(str(data), neutral="y")  # not a symbol of the file: refused, the task stays
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Could not open"), timeout=10000)
    assert window.statusBar().currentMessage() == ("Could not open the data file: the neutral token 'y' is not a "
                                                   "symbol of depth.csv (( ) x)")
    window.data.open_data(str(data), neutral="x")  # rnnlab --data depth.csv --neutral-token x
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == "tagged_file")
    assert snap.task_info["neutral_token"] == "x" and snap.config["task_params"]["neutral"] == "x"
    window.show_panel("attributionPanel")
    panel = window.panels["attributionPanel"]
    qtbot.waitUntil(lambda: panel.payload is not None and "'x'" in panel.payload["baseline"], timeout=30000)
    assert panel.baseline_combo.itemText(0) == "'x' (neutral, default)"
    assert panel.payload["baseline"].endswith("(the task's neutral token: declared for depth.csv; the default)")
