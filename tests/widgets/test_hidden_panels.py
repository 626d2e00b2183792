"""The hidden-state panels: what they draw from a payload (checked against numpy), their exports, and the
fixed-point search and pattern search run from the window through the engine process."""
import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.export import figures as export
from tests.widgets.test_widgets_a import trace_for
from widgets.gates.gate_saturation_panel import GateSaturationPanel
from widgets.hidden.pattern_search_panel import PatternSearchPanel
from widgets.hidden.state_space_panel import StateSpacePanel
from widgets.hidden.unit_explorer_panel import UnitExplorerPanel


def state_payload(B=4, T=6, k=3, fixed=True):
    rng = np.random.default_rng(0)
    proj = rng.normal(size=(1, 1, B, T, k)).astype(np.float32)
    fx = None
    if fixed:
        pts = np.array([[-1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
        fx = {"layers": [{"points": pts, "arrow": np.array([[0, 0, 0], [0.2, 0, 0], [0, 0, 0]], np.float32)}],
              "q": np.array([1e-20, 1e-18, 1e-19]), "fixed": np.array([True, True, True]),
              "stable": np.array([True, False, True]), "top_abs": np.array([0.17, 2.0, 0.17]),
              "top_eig": np.array([0.17, 2.0, 0.17], complex), "n_unstable": np.array([0, 1, 0]),
              "summary": "2 stable and 1 unstable fixed points", "x_label": "zero input", "step": 5, "period": 1}
    return {"proj": proj, "ratio": np.array([[[0.5, 0.3, 0.1]]]), "example": proj[:, :, 0].copy(),
            "labels": np.array([0, 1, 0, 1], np.float32)[:B], "label_names": ["even", "odd"], "step": 5, "refits": 1,
            "x_choices": ["0", "1", "zero input"], "x_default": "token '0' held fixed", "x_default_choice": "0",
            "can_search": True, "fixed": fx, "fp_status": {"state": "done", "fraction": 1.0, "text": ""}}


def test_state_space_draws_paths_points_and_cursor(qtbot):
    panel = StateSpacePanel()
    qtbot.addWidget(panel)
    p = state_payload()
    panel.set_state_space(p)
    assert len(panel.paths) == 2  # one item per class
    x, y = panel.paths[0].getData()
    np.testing.assert_allclose(x, p["proj"][0, 0, [0, 2], :, 0].ravel())  # class "even" = examples 1 and 3
    assert panel.variance.text() == "PC1 50%  PC2 30%  PC3 10%"
    panel.set_time(3)
    cx, cy = panel.cursor.getData()
    assert (cx[0], cy[0]) == pytest.approx(tuple(p["example"][0, 0, 3, :2]))
    assert len(panel.fp_items["stable"].getData()[0]) == 2 and len(panel.fp_items["saddle"].getData()[0]) == 1
    assert [panel.table.item(r, 1).text() for r in range(3)] == ["stable", "saddle", "stable"]
    sx, _ = panel.saddle_dirs.getData()
    assert sx.tolist() == pytest.approx([-0.2, 0.2])  # the saddle's unstable direction, both ways
    header, rows = panel.data_table()
    assert len(rows) == 1 + 4 * 6 + 6 + 3 and rows[-2][5] == "saddle"
    assert rows[0][0].startswith("explained variance") and rows[0][2] == pytest.approx(p["ratio"][0, 0, 0])
    assert len(export.render_png(panel.export_item())) > 1000
    panel.color_combo.setCurrentIndex(1)  # by time: one muted path item and a dot per state
    assert len(panel.paths) == 1 and len(panel.time_dots.getData()[0]) == 4 * 6
    p2 = state_payload(fixed=False)
    p2["fixed"] = {**p["fixed"], "stable": np.array([False, False, False])}
    panel.set_state_space(p2)
    assert "Try period 2" in panel.status.text()


def test_a_one_unit_state_is_drawn_on_its_one_axis(qtbot):
    """H = 1 (a user's hidden size 1): one principal component; the paths, dots, cursor and fixed points lie on
    PC1 with y = 0 (it raised IndexError in the event loop at every snapshot)."""
    panel = StateSpacePanel()
    qtbot.addWidget(panel)
    p = state_payload(k=1)
    p["ratio"] = np.array([[[1.0]]])
    p["fixed"]["layers"][0] = {k: v[:, :1] for k, v in p["fixed"]["layers"][0].items()}
    panel.set_state_space(p)
    panel.set_time(3)
    x, y = panel.paths[0].getData()
    np.testing.assert_allclose(x, p["proj"][0, 0, [0, 2], :, 0].ravel())
    assert not np.any(y) and panel.variance.text() == "PC1 100%"
    cx, cy = panel.cursor.getData()
    assert (cx[0], cy[0]) == pytest.approx((p["example"][0, 0, 3, 0], 0.0))
    assert panel.fp_items["stable"].getData()[0].tolist() == [-1.0, 1.0]
    panel.color_combo.setCurrentIndex(1)
    assert len(panel.time_dots.getData()[1]) == 4 * 6 and not np.any(panel.time_dots.getData()[1])


def test_state_space_search_button_drives_requests_until_done(qtbot):
    panel = StateSpacePanel()
    qtbot.addWidget(panel)
    calls = []

    refreshes = []

    def request(kind, on_done=None, on_error=None, refresh=True, **args):
        calls.append((kind, args))
        refreshes.append(refresh)
        on_done({"state": "running" if len(calls) < 3 else "done", "fraction": min(len(calls), 3) / 3,
                 "text": f"slice {len(calls)}"})

    panel.set_requester(request)
    panel.set_state_space(state_payload())
    panel.x_combo.setCurrentText("1")
    panel.period_spin.setValue(2)
    panel.find_button.click()
    qtbot.waitUntil(lambda: len(calls) == 4, timeout=3000)
    assert calls[0] == ("fixed_points", {"x_const": "1", "period": 2, "n_starts": 64, "budget_s": 3.0,
                                         "iterate_steps": 512, "q_tol": 1e-12, "slow_tol": 1e-4})
    assert [c[0] for c in calls[1:]] == ["fixed_points_step"] * 3
    # the slices send no snapshot (the window would redraw every panel per slice); one after the end brings the points
    assert refreshes == [True, False, False, True]
    qtbot.wait(50)
    assert len(calls) == 4  # and then nothing more
    assert panel.find_button.isEnabled() and panel.progress.value() == 100
    assert panel.find_button.text() == "Find fixed points"


def test_state_space_search_settings_and_cancel(qtbot):
    panel = StateSpacePanel()
    qtbot.addWidget(panel)
    calls = []

    def request(kind, on_done=None, on_error=None, refresh=True, **args):
        calls.append((kind, args))
        if kind == "fixed_points_cancel":
            on_done({"state": "cancelled", "fraction": 0.0, "text": "Search cancelled"})
        else:
            on_done({"state": "running", "fraction": 0.1, "text": "optimising"})

    panel.set_requester(request)
    panel.set_state_space(state_payload())
    panel.settings_button.click()
    assert panel.settings.isVisibleTo(panel)
    panel.settings.starts.setValue(128)
    panel.settings.budget.setValue(20.0)
    panel.settings.slow_tol.setCurrentText("1e-3")
    panel.find_button.click()
    assert calls[0][1]["n_starts"] == 128 and calls[0][1]["budget_s"] == 20.0 and calls[0][1]["slow_tol"] == 1e-3
    assert panel.find_button.text() == "Cancel search" and not panel.settings.isEnabled()
    panel.find_button.click()
    assert calls[-1][0] == "fixed_points_cancel"
    assert panel.find_button.text() == "Find fixed points" and panel.status.text() == "Search cancelled"
    n = len(calls)
    qtbot.wait(400)
    assert len(calls) == n  # no slice is requested after the cancel


def unit_payload():
    rng = np.random.default_rng(1)
    corr = rng.uniform(-0.5, 0.5, size=(2, 1, 1, 1, 8)).astype(np.float32)
    corr[0, 0, 0, 0, 5] = -0.95
    values = rng.uniform(-1, 1, size=(1, 1, 1, 2, 4, 8)).astype(np.float32)
    values[0, 0, 0, 0, 0, 5] = 1.0
    return {"features": ["depth", "position t"], "kinds": ["h"], "corr": corr, "values": values,
            "feature_values": rng.normal(size=(2, 2, 4)).astype(np.float32),
            "texts": [list("(()("), list("()))")], "step": 3}


def test_unit_explorer_ranks_colours_and_follows_clicks(qtbot):
    panel = UnitExplorerPanel()
    qtbot.addWidget(panel)
    p = unit_payload()
    panel.set_units(p)
    order, r = panel.ranking()
    np.testing.assert_array_equal(order, np.argsort(-np.abs(p["corr"][0, 0, 0, 0]), kind="stable"))
    assert order[0] == 5 and panel.unit == 5  # starts at the best unit
    opts = panel.bars.opts
    np.testing.assert_allclose(opts["width"], np.abs(r[order[:8]]))
    html = panel.text.toHtml()
    assert QColor(*panel._lut[255]).name() in html  # example 1, t 1: value +1 = the red end of the scale
    assert html.count("background-color") >= 8  # every token of both examples coloured
    assert panel._unit_values()[0, 0] == pytest.approx(1.0)
    panel.feature_combo.setCurrentIndex(1)
    assert panel.unit == int(np.argmax(np.abs(p["corr"][1, 0, 0, 0])))
    header, rows = panel.data_table()
    assert header == ["unit", "r with depth", "r with position t"] and rows[5][1] == pytest.approx(-0.95)
    assert len(export.render_png(panel.export_item())) > 1000


def test_pattern_panel_and_gate_saturation_draw_their_results(qtbot):
    panel = PatternSearchPanel()
    qtbot.addWidget(panel)
    panel.show_result({"units": np.array([2, 4]), "length": 2, "query": ["(", "("], "t0": 0, "t1": 1,
                       "threshold": 0.3, "layer": 0, "direction": 0,
                       "matches": [{"example": 3, "start": 5, "score": 2, "before": ["("], "window": ["(", "("],
                                    "after": [")"]}]})
    assert panel.table.rowCount() == 1 and panel.table.item(0, 4).text() == "( ⟦( (⟧ )"
    assert "h2, h4" in panel.summary.text()  # 0-based, as the heatmap's rows
    gates = GateSaturationPanel()
    qtbot.addWidget(gates)
    left = np.zeros((2, 1, 3))
    right = np.array([[[1.0, 0.5, 0.0]], [[0.2, 0.2, 0.2]]])
    gates.set_saturation({"gates": {"forget": {"left": left, "right": right},
                                    "input": {"left": right, "right": left}}, "step": 7})
    header, rows = gates.data_table()
    assert len(rows) == 2 * 2 * 3 and rows[0][4:] == [0.0, 1.0]
    gates.layer_combo.setCurrentIndex(2)  # layer 2 only
    assert {r[1] for r in gates.data_table()[1]} == {2}
    gates.set_saturation(None)  # before any example: what will appear, not "no gates"
    assert gates.empty.shown() and gates.note.text() == "" and "GRU or LSTM" in gates.empty_text()
    gates.set_trace(trace_for("rnn_tanh"))
    gates.set_saturation(None)  # a simple RNN's (the engine sends none)
    assert "no gates" in gates.note.text()


def test_fixed_points_and_pattern_search_from_the_window(qtbot):
    from tests.app.test_main_window import make_window, wait_shown

    window = make_window(qtbot, "parity", hidden_size=8)
    window.show_panel("stateSpacePanel")
    panel = window.panels["stateSpacePanel"]
    snap = wait_shown(qtbot, window, lambda s: "state_space" in s.analysis, timeout=30000)
    assert snap.analysis["state_space"]["proj"].shape[2:] == (32, 10, 3)
    qtbot.waitUntil(lambda: panel.find_button.isEnabled(), timeout=10000)
    panel.find_button.click()
    qtbot.waitUntil(lambda: not panel._searching, timeout=60000)
    snap = wait_shown(qtbot, window, lambda s: s.analysis.get("state_space", {}).get("fixed") is not None,
                      timeout=30000)
    fixed = snap.analysis["state_space"]["fixed"]
    assert len(fixed["q"]) >= 1 and panel.table.rowCount() == len(fixed["q"])
    window.show_panel("patternSearchPanel")
    pattern = window.panels["patternSearchPanel"]
    qtbot.waitUntil(lambda: pattern.trace is not None, timeout=10000)
    pattern.search_button.click()
    qtbot.waitUntil(lambda: pattern.result is not None, timeout=30000)
    assert pattern.table.rowCount() == len(pattern.result["matches"]) > 0
    assert window.findChild(QWidget, "findFixedPointsButton") is panel.find_button


def test_a_click_in_the_heatmap_picks_the_unit_in_the_explorer(qtbot):
    from PySide6.QtCore import QPointF, Qt

    from tests.app.test_main_window import make_window, wait_shown

    window = make_window(qtbot, "dyck1", hidden_size=8)
    heatmap = window.panels["hiddenHeatmap"]
    wait_shown(qtbot, window, lambda s: True)
    qtbot.waitUntil(lambda: heatmap.trace is not None, timeout=10000)
    vb = heatmap.plot.getPlotItem().getViewBox()
    scene_pt = vb.mapViewToScene(QPointF(2, 6))  # t = 3, unit 6
    widget_pt = heatmap.plot.mapFromScene(scene_pt)
    qtbot.mouseClick(heatmap.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pt)
    units = window.panels["unitExplorerPanel"]
    qtbot.waitUntil(lambda: units.unit_spin.value() == 6 and units.isVisible(), timeout=10000)
