"""The deck's two classic results in the window: the non-linearity one keeps its tanh RNN to explore;
a result that keeps no model (counting a^n b^n) leaves the window's model alone and says so."""
from types import SimpleNamespace

import pytest

from engine.reproductions.base import Verdict
from engine.reproductions.figure import Figure
from tests.app.test_main_window import make_window, wait_shown
from tests.app.test_results_window import open_dialog


def test_a_result_without_a_model_leaves_the_windows_model(qtbot):
    window = make_window(qtbot, "parity")
    dialog = open_dialog(qtbot, window, "counting_anbn")
    before = window.controller.config
    outcome = SimpleNamespace(name="counting_anbn", keep="", panels=(), seconds=80.0, published="p",
                              verdict=Verdict(True, "LSTM up to 34, GRU up to 21"), figure=Figure("f"))
    dialog._show_outcome(outcome, {**before.to_dict(), "task": "adding"})
    assert window.controller.config == before  # not adopted
    assert "the window's model is unchanged" in dialog.status.text() and "is now in the window" not in \
        dialog.status.text()
    assert "LSTM up to 34" in dialog.line.text()


@pytest.mark.slow
def test_nonlinear_parity_runs_in_the_window_and_keeps_the_tanh_rnn(qtbot):
    window = make_window(qtbot)
    dialog = open_dialog(qtbot, window, "nonlinear_parity")
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.running and dialog.outcome is not None, timeout=120000)
    assert "reproduced" in dialog.line.text() and "not reproduced" not in dialog.line.text()
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == "parity" and s.step > 0)
    assert snap.config["model"]["cell"] == "rnn_tanh" and snap.config["task_params"]["seq_len"] == 5
    assert "g = tanh is now in the window" in dialog.status.text()
