"""VanishingPanel draws what set_analysis gives it: eigenvalues, ρ history, ||dh_T/dh_t|| by lag."""
import numpy as np
import pytest
import torch
from PySide6.QtGui import QColor

from engine import ModelConfig, build_model, make_task
from engine.analysis import analysis_dict
from widgets.gradients.vanishing_panel import VanishingPanel, lag_values
from widgets.parts.base import DARK, LIGHT


def synthetic(L=2, D=2, T=12, H=4, seed=0):
    rng = np.random.default_rng(seed)
    eig = {f"l{layer}d{d}": rng.normal(size=H) * 0.5 + 1j * rng.normal(size=H) * 0.3
           for layer in range(L) for d in range(D)}
    norms = np.exp(-rng.uniform(0.1, 0.5, size=(L, D, 1)) * np.arange(T))  # (L, D, T), 1 at lag 0
    return {"eigenvalues": eig, "radius": max(float(np.abs(v).max()) for v in eig.values()),
            "radius_history": {"step": np.arange(1.0, 6.0), "radius": np.array([0.5, 0.7, 0.9, 1.1, 1.2])},
            "jacobian_norms": norms, "matrix_note": "GRU: eigenvalues of W_hn, the candidate block"}


@pytest.fixture
def panel(qtbot):
    p = VanishingPanel()
    qtbot.addWidget(p)
    p.resize(520, 260)
    p.show()
    return p


def test_curves_equal_the_given_norms(panel):
    a = synthetic()
    panel.set_analysis(a)
    assert panel.objectName() == "vanishingPanel"
    assert set(panel.curves) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for (layer, d), curve in panel.curves.items():
        np.testing.assert_array_equal(curve.xData, np.arange(12))
        np.testing.assert_allclose(curve.yData, a["jacobian_norms"][layer, d], rtol=1e-12)
    np.testing.assert_allclose(panel.guide.yData, a["radius"] ** np.arange(12), rtol=1e-12)
    header, rows = panel.data_table()
    assert header == ["lag", "norm layer 1 →", "norm layer 1 ←", "norm layer 2 →", "norm layer 2 ←"]
    assert len(rows) == 12 and rows[5][0] == 5
    assert rows[5][1:] == pytest.approx(list(a["jacobian_norms"][:, :, 5].reshape(-1)))


def test_eigenvalue_scatter_has_h_points_per_layer_and_direction(panel):
    a = synthetic(H=6)
    panel.set_analysis(a)
    for (layer, d), scatter in panel.scatters.items():
        x, y = scatter.getData()
        ev = a["eigenvalues"][f"l{layer}d{d}"]
        assert len(x) == 6
        np.testing.assert_allclose(x, ev.real)
        np.testing.assert_allclose(y, ev.imag)
    circle_x, circle_y = panel.circle.getData()
    np.testing.assert_allclose(np.hypot(circle_x, circle_y), 1.0, atol=1e-12)
    assert f"ρ = {a['radius']:.3g}" in panel.eig_plot.titleLabel.text
    assert "W<sub>hn</sub>" in panel.eig_plot.titleLabel.text
    (x0, x1), (y0, y1) = panel.eig_plot.getViewBox().viewRange()
    assert x0 <= -1 and x1 >= 1 and y0 <= -1 and y1 >= 1  # the unit circle is always in view
    rho_00 = np.abs(a["eigenvalues"]["l0d0"]).max()
    assert f"layer&nbsp;1&nbsp;→&nbsp;ρ&nbsp;{rho_00:.2f}" in panel.legend.text()


def test_radius_line_follows_history(panel):
    a = synthetic()
    panel.set_analysis(a)
    np.testing.assert_array_equal(panel.radius_curve.xData, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(panel.radius_curve.yData, [0.5, 0.7, 0.9, 1.1, 1.2])
    x, y = panel.radius_now.getData()
    assert (x[0], y[0]) == (5.0, 1.2)
    assert panel.unit_line.value() == 1.0
    lo, hi = panel.radius_plot.getViewBox().viewRange()[1]
    assert lo < 0.5 and hi > 1.2
    a["radius_history"] = {"step": np.arange(1.0, 8.0), "radius": np.linspace(0.2, 0.4, 7)}
    panel.set_analysis(a)
    np.testing.assert_allclose(panel.radius_curve.yData, np.linspace(0.2, 0.4, 7))
    assert panel.radius_plot.getViewBox().viewRange()[1][1] > 1.0  # ρ = 1 stays in view


def test_shape_changes_rebuild_the_items(panel):
    panel.set_analysis(synthetic(L=2, D=2, T=12, H=4))
    panel.set_analysis(synthetic(L=1, D=1, T=30, H=8))
    assert list(panel.curves) == [(0, 0)]
    assert len(panel.curves[(0, 0)].yData) == 30
    assert len(panel.scatters[(0, 0)].getData()[0]) == 8
    scatters_drawn = [i for i in panel.eig_plot.items if i.__class__.__name__ == "ScatterPlotItem"]
    assert len(scatters_drawn) == 1
    assert len(panel.data_table()[1]) == 30


def test_empty_and_none_show_a_message(panel):
    for empty in (None, {}):
        panel.set_analysis(empty)
        assert panel.eig_empty.shown() and panel.jac_empty.shown() and panel.radius_empty.shown()
        assert "first model" in panel.empty_text() and "first step" in panel.empty_text()
        assert panel.eig_note.toPlainText() == "" and panel.jac_note.toPlainText() == ""
        assert panel.curves == {} and panel.scatters == {}
        assert panel.data_table() == (["lag"], [])
    panel.set_analysis(synthetic())
    assert panel.eig_note.toPlainText() == "" and panel.jac_note.toPlainText() == ""
    assert not panel.eig_empty.shown() and not panel.jac_empty.shown()


def test_nan_and_inf_do_not_crash(panel):
    a = synthetic(L=1, D=1, T=8, H=4)
    a["eigenvalues"]["l0d0"][:] = np.nan
    a["radius"] = float("nan")
    a["jacobian_norms"][0, 0, 3:] = np.nan
    a["jacobian_norms"][0, 0, 2] = np.inf
    a["jacobian_norms"][0, 0, 1] = 0.0  # an underflow: drawn at the floor, not dropped
    a["radius_history"]["radius"][-1] = np.nan
    panel.set_analysis(a)
    assert len(panel.scatters[(0, 0)].getData()[0]) == 0
    assert "not finite" in panel.eig_note.toPlainText()
    assert "6 norms not finite" in panel.jac_note.toPlainText()
    assert "ρ = not finite" in panel.eig_plot.titleLabel.text
    y = panel.curves[(0, 0)].yData
    assert y[0] == 1.0 and y[1] == pytest.approx(0.1) and np.isnan(y[2:]).all()
    x, _ = panel.radius_now.getData()
    assert x[0] == 4.0  # the last finite point
    everything_nan = synthetic(L=1, D=1, T=5, H=3)
    everything_nan["jacobian_norms"][:] = np.nan
    panel.set_analysis(everything_nan)
    assert "not finite" in panel.jac_note.toPlainText()
    panel.grab()  # paints without raising (warnings are errors)


def test_lag_values_floor_and_gaps():
    np.testing.assert_allclose(lag_values([1.0, 1e-3, 0.0, np.nan]), [1.0, 1e-3, 1e-4, np.nan])


def test_theme_switch_recolours(panel):
    panel.set_analysis(synthetic())
    panel.set_theme(True)
    assert panel.view.backgroundBrush().color() == QColor(LIGHT["background"])
    assert QColor(panel.eig_plot.titleLabel.opts["color"]) == QColor(LIGHT["foreground"])
    assert LIGHT["muted"] in panel.caption.text()
    assert panel.unit_line.pen.color() == QColor(LIGHT["bad"])
    panel.set_theme(False)
    assert panel.view.backgroundBrush().color() == QColor(DARK["background"])
    assert DARK["foreground"] in panel.legend.text()
    assert "|λ| &lt; 1 shrinks it" in panel.caption.text() and "W<sub>hn</sub>" in panel.caption.text()
    assert "saturated tanh (g′ ≈ 0) makes it vanish" in panel.caption.text()  # the cause a ρ > 1 screen shows


def test_real_analysis_and_tall_layout(panel, qtbot):
    """analysis_dict of a real bidirectional LSTM draws as is; a tall panel stacks the lag plot below."""
    task = make_task("adding", seq_len=15)
    model = build_model(ModelConfig(cell="lstm", hidden_size=8, bidirectional=True), task, seed=1)
    x, _ = task.sample_batch(1, torch.Generator().manual_seed(2))
    a = analysis_dict(model, x, {"step": [0, 1], "radius": [0.6, 0.61]})
    panel.set_analysis(a)
    for (layer, d), curve in panel.curves.items():
        np.testing.assert_allclose(curve.yData, a["jacobian_norms"][layer, d])
        assert len(panel.scatters[(layer, d)].getData()[0]) == 8
    panel.resize(400, 640)
    qtbot.waitUntil(lambda: panel._horizontal is False)
    cells = panel.view.ci.layout
    assert cells.itemAt(1, 0) is panel.jac_plot
    assert panel.export_item() is panel
    image = panel.grab().toImage()
    assert image.width() == 400 and image.height() == 640
