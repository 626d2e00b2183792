"""Issue 17, item 14: the compare window names runs as the main window does, keeps a fraction's axis
in 0..1, has no BPTT button that only moves cursors, and exports its figures."""
import numpy as np
from PySide6.QtWidgets import QApplication

from app.compare.window import CompareWindow
from tests.app.test_compare import small_config, wait_snapshot
from widgets.chrome.controls import CELL_ITEMS
from widgets.training.compare_curves import CompareCurves


def test_accuracy_axis_stays_within_0_and_1(qtbot):
    curves = CompareCurves()
    qtbot.addWidget(curves)
    curves.resize(500, 400)
    curves.show()
    curves.set_task_info({"metric": "accuracy", "higher_is_better": True, "baseline": 0.5})
    steps = np.arange(1.0, 21.0)
    histories = [{"step": steps, "loss": np.full(20, 0.7), "metric": np.linspace(0.0, 1.0, 20)},
                 {"step": steps, "loss": np.full(20, 0.6), "metric": np.full(20, 0.5)}]
    curves.set_runs(["GRU", "LSTM"], histories)
    QApplication.processEvents()
    lo, hi = curves.metric_plot.viewRange()[1]
    assert lo >= 0.0 and 1.0 <= hi <= 1.05


def test_compare_window_names_runs_like_the_main_window_and_exports(qtbot, tmp_path):
    window = CompareWindow(small_config(seq_len=12))
    qtbot.addWidget(window)
    window.show()
    wait_snapshot(qtbot, window, timeout=60000)
    names = dict(CELL_ITEMS)
    assert [r["title"].text().split(" · ")[0] for r in window.panels.runs] == \
        [names["rnn_tanh"], names["gru"], names["lstm"]]
    assert window.panels.curves.labels == [names["rnn_tanh"], names["gru"], names["lstm"]]
    assert not window.transport.bptt_button.isVisible()
    window.transport.step_button.click()
    wait_snapshot(qtbot, window, lambda s: s.step == 1, timeout=60000)
    written = window.export(str(tmp_path))
    stems = {"compare_curves", "compare_gradients", "hidden_rnn_tanh", "hidden_gru", "hidden_lstm"}
    assert {p.name for p in written} == {f"{s}.{ext}" for s in stems for ext in ("png", "svg", "csv")} | {"summary.csv"}
    assert all(p.stat().st_size > 100 for p in written)
    window.close()
