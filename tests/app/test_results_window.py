"""Help > Classic results in the window: runs in the engine process with progress and Cancel, shows
the published-vs-measured line and the figure, leaves the trained model in the panels, saves files."""
import pytest
from PySide6.QtWidgets import QWidget

from tests.app.test_main_window import make_window, wait_shown


def open_dialog(qtbot, window, name):
    window.findChild(object, "classicResultsAction").trigger()
    dialog = window.results.dialog
    qtbot.waitUntil(lambda: dialog.list.count() > 0, timeout=30000)
    row = [r["name"] for r in dialog.catalog].index(name)
    dialog.list.setCurrentRow(row)
    assert name.split("_")[0] in dialog.about.text().lower() or dialog.catalog[row]["title"] in dialog.about.text()
    dialog.quick = True
    return dialog


@pytest.mark.slow
def test_a_result_runs_and_leaves_its_model_to_explore(qtbot, tmp_path):
    window = make_window(qtbot)
    dialog = open_dialog(qtbot, window, "flipflop")
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=60000)
    assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=240000)
    assert dialog.line.text().startswith("<b>published:</b> under zero input the trained network has 8 stable")
    assert dialog.figure_view is not None and len(dialog.figure_view.plots) == 2
    # the trained network is now the window's: its task, its training history
    snap = wait_shown(qtbot, window, lambda s: s.config["task"] == "flipflop" and s.step > 0)
    assert snap.trace.output_kind == "per_step_regression" and len(snap.history["step"]) == snap.step
    assert window.controls.findChild(QWidget, "taskCombo").currentData() == "flipflop"
    assert window.panels["stateSpacePanel"].isVisible()
    dialog.save(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "flipflop.csv", "flipflop.png",
                                                          "flipflop.svg", "result.json"]


@pytest.mark.slow
def test_cancel_keeps_the_model_the_window_had(qtbot):
    window = make_window(qtbot)
    dialog = open_dialog(qtbot, window, "irnn_adding")
    dialog.quick = False
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=60000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.status.text().startswith("Cancelled") and not dialog.save_button.isEnabled()
    assert window.controller.config.task == "adding"
    assert window.controller.call("weights")["step"] == 0
