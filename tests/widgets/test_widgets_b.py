"""GradientPanel, CurvesPanel and SequenceStrip follow the engine's snapshots (pytest-qt, offscreen)."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task
from engine.network.probe import probe
from engine.tasks.base import Task
from widgets.gradients.gradient_panel import GradientPanel
from widgets.parts.base import DARK, LIGHT
from widgets.training.curves_panel import CurvesPanel


class ToyTagger(Task):
    """Per-step tokens task (one tag per input): the tag is the symbol's index mod 3."""

    name = "toytag"
    vocab = tuple("abcde")
    classes = ("no", "yes", "maybe")
    output_kind = "per_step"
    baseline, pass_threshold = 1 / 3, 0.9  # plain values in place of the base class's properties

    def __init__(self, seq_len=7):
        self.seq_len = seq_len
        super().__init__()

    def sample_batch(self, batch_size, generator):
        x = torch.randint(0, 5, (batch_size, self.seq_len), generator=generator)  # (B, T)
        return x, x % 3


def trained(task, steps, cell="lstm", layers=1, bidir=False, clip=False, max_norm=1.0, lr=1e-2):
    model = build_model(ModelConfig(cell=cell, hidden_size=8, num_layers=layers, bidirectional=bidir,
                                    embedding_dim=4), task)
    tr = Trainer(model, task, TrainConfig(lr=lr, batch_size=16, clip=clip, max_norm=max_norm))
    for _ in range(steps):
        tr.step()
    return model, tr


def trace_of(model, task, seed=0, step=0):
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed))
    return probe(model, x, y, step=step)


@pytest.fixture(scope="module")
def adding_run():
    """2-layer bidirectional LSTM on the adding problem with clipping: trace (2, 2, 12) and history."""
    task = make_task("adding", seq_len=12)
    model, tr = trained(task, 60, layers=2, bidir=True, clip=True, max_norm=0.2)
    return task, trace_of(model, task, step=tr.step_count), tr.history.arrays()


def make(qtbot, cls):
    widget = cls()
    qtbot.addWidget(widget)
    return widget


def synthetic_history(n, spike_at=None, spike=1e6):
    rng = np.random.default_rng(0)
    norms = rng.uniform(0.5, 2.0, n)
    if spike_at is not None:
        norms[spike_at] = spike
    return {"step": np.arange(1, n + 1, dtype=float), "loss": rng.uniform(0.1, 1.0, n),
            "metric": rng.uniform(0.4, 0.9, n), "grad_norm": norms,
            "grad_norm_clipped": np.minimum(norms, 1.0), "clipped": (norms > 1.0).astype(float),
            "skipped": np.zeros(n)}


# ---- GradientPanel -------------------------------------------------------------------------
def test_gradient_curves_are_the_traces_dl_dh_per_layer_and_direction(qtbot, adding_run):
    task, trace, _ = adding_run
    panel = make(qtbot, GradientPanel)
    panel.set_trace(trace)
    assert trace.grad_norm.shape == (2, 2, 12)
    assert sorted(panel.time_curves) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for (layer, d), curve in panel.time_curves.items():
        x, y = curve.getOriginalDataset()
        np.testing.assert_array_equal(x, np.arange(12))
        np.testing.assert_allclose(y, trace.grad_norm[layer, d])
    names = [label.text for _, label in panel.time_legend.items]
    assert names == ["layer 1 →", "layer 1 ←", "layer 2 →", "layer 2 ←"]
    header, rows = panel.data_table()
    assert header[:2] == ["t", "token"] and "grad norm layer 2 ←" in header
    assert len(rows) == 12 and rows[5][1] == trace.tokens[5]
    assert rows[5][header.index("grad norm layer 2 ←")] == pytest.approx(trace.grad_norm[1, 1, 5])


def test_zero_gradients_sit_below_the_data_instead_of_breaking_the_log_axis(qtbot, adding_run):
    _, trace, _ = adding_run
    g = np.array(trace.grad_norm)
    g[0, 0, :3] = 0.0  # e.g. positions the loss does not reach
    panel = make(qtbot, GradientPanel)
    panel.set_trace(dataclasses.replace(trace, grad_norm=g))
    _, y = panel.time_curves[(0, 0)].getOriginalDataset()
    positive = g[g > 0].min()
    assert np.all(np.isfinite(y)) and np.all(y[:3] > 0) and np.all(y[:3] < positive)
    lo, hi = panel.time_plot.getViewBox().viewRange()[1]
    assert lo <= math.log10(y[:3].min()) and hi >= math.log10(g.max())  # both are in view


def test_time_cursor_follows_set_time_and_clamps(qtbot, adding_run):
    _, trace, _ = adding_run
    panel = make(qtbot, GradientPanel)
    panel.set_time(4)  # before any trace: no crash, nothing to point at
    assert not panel.time_cursor.isVisible()
    panel.set_trace(trace)
    assert panel.time_cursor.isVisible() and panel.time_cursor.value() == 4
    panel.set_time(9)
    assert panel.time_cursor.value() == 9
    panel.set_time(500)
    assert panel.time_cursor.value() == 11


def test_shape_change_rebuilds_the_curves_and_legend(qtbot, adding_run):
    _, trace, _ = adding_run
    task = make_task("parity", seq_len=5)
    model, _ = trained(task, 0, cell="gru")
    small = trace_of(model, task)
    panel = make(qtbot, GradientPanel)
    panel.set_trace(trace)
    panel.set_time(10)
    panel.set_trace(small)
    assert list(panel.time_curves) == [(0, 0)]
    assert [label.text for _, label in panel.time_legend.items] == ["layer 1 →"]
    assert panel.time_cursor.value() == 4  # clamped into the shorter example
    assert len(panel.data_table()[1]) == 5


def test_clipped_steps_are_marked_and_max_norm_line_shown_only_with_clipping(qtbot, adding_run):
    _, _, hist = adding_run
    panel = make(qtbot, GradientPanel)
    panel.set_history(hist)
    n_clipped = int(hist["clipped"].sum())
    assert 0 < n_clipped < len(hist["step"])  # the run mixes clipped and unclipped steps
    x, y = panel.clipped_marks.getOriginalDataset()
    assert len(x) == n_clipped
    np.testing.assert_array_equal(x, hist["step"][hist["clipped"] > 0])
    np.testing.assert_allclose(y, hist["grad_norm"][hist["clipped"] > 0])
    _, after = panel.after_curve.getOriginalDataset()
    assert after.max() == pytest.approx(0.2)  # every clipped step was scaled down to max-norm
    assert not panel.max_norm_line.isVisible()
    panel.set_clip(True, 0.2)
    assert panel.max_norm_line.isVisible()
    assert panel.max_norm_line.value() == pytest.approx(math.log10(0.2))  # the axis is log10
    names = {label.text: sample.item for sample, label in panel.step_legend.items}
    assert names["max-norm 0.2"].opts["pen"].style() == panel.max_norm_line.pen.style()  # the dashed line's key
    assert names["max-norm 0.2"].opts["pen"].color() == panel.max_norm_line.pen.color()
    assert getattr(panel.max_norm_line, "label", None) is None  # a name on the line itself lay on the clipped steps
    lo, hi = panel.step_plot.getViewBox().viewRange()[1]
    assert lo < math.log10(0.2) < hi
    panel.set_clip(True, 0.5)
    assert [label.text for _s, label in panel.step_legend.items].count("max-norm 0.5") == 1
    assert "max-norm 0.2" not in [label.text for _s, label in panel.step_legend.items]
    panel.set_clip(False, 0.2)
    assert not panel.max_norm_line.isVisible()
    assert not any(label.text.startswith("max-norm") for _s, label in panel.step_legend.items)
    header, rows = panel.history_table()
    assert header == ["step", "grad_norm", "grad_norm_clipped", "clipped", "skipped"]
    assert len(rows) == len(hist["step"]) and sum(r[3] for r in rows) == n_clipped


def test_skipped_steps_are_dropped_and_y_follows_the_recent_window(qtbot):
    hist = synthetic_history(3000, spike_at=900)  # a spike 2100 steps ago
    for k in ("loss", "metric", "grad_norm", "grad_norm_clipped"):
        hist[k][[100, 2500]] = np.nan
    hist["grad_norm"][2600] = np.inf
    hist["skipped"][[100, 2500, 2600]] = 1
    panel = make(qtbot, GradientPanel)
    panel.resize(500, 250)
    panel.set_history(hist)
    x, y = panel.before_curve.getOriginalDataset()
    assert len(x) == 2997 and not {101.0, 2501.0, 2601.0} & set(x) and np.all(np.isfinite(y))
    vb = panel.step_plot.getViewBox()
    lo, hi = vb.viewRange()[1]
    assert 10 ** hi < 1e3 and 10 ** lo < 0.5  # the old spike is off the top; today's values fit
    xlo, xhi = vb.viewRange()[0]
    assert xlo <= 1 and xhi >= 3000  # x still shows the whole run
    hist["grad_norm"][2900] = 1e6  # a spike within the last 500 steps is shown
    panel.set_history(hist)
    assert 10 ** panel.step_plot.getViewBox().viewRange()[1][1] > 1e6
    panel.set_history({})  # a reset run: no crash, empty curves
    assert len(panel.before_curve.getOriginalDataset()[0] or []) == 0


def test_gradient_panel_light_theme_and_empty_state(qtbot):
    panel = make(qtbot, GradientPanel)
    panel.resize(500, 250)
    assert panel.data_table() == (["t", "token"], [])
    panel.set_theme(True)
    image = panel.grab().toImage()
    assert image.pixelColor(image.width() // 2, 4).name() == LIGHT["background"]
    assert panel.time_plot.getAxis("left").textPen().color().name() == LIGHT["foreground"]
    panel.set_theme(False)
    assert panel.time_plot.getAxis("left").textPen().color().name() == DARK["foreground"]


# ---- CurvesPanel ---------------------------------------------------------------------------
def test_baseline_and_pass_lines_at_task_values(qtbot):
    panel = make(qtbot, CurvesPanel)
    parity = make_task("parity").info()
    panel.set_task_info(parity)
    assert panel.baseline_line.isVisible() and panel.threshold_line.isVisible()
    assert panel.baseline_line.value() == pytest.approx(0.5)  # accuracy: linear axis
    assert panel.threshold_line.value() == pytest.approx(0.95)
    assert "pass ≥ 0.95" in panel.threshold_line.label.toPlainText()
    assert panel.metric_plot.getAxis("left").labelText.startswith("accuracy")
    adding = make_task("adding").info()
    panel.set_task_info(adding)  # MSE, lower is better: log axis, positions in log10
    assert panel.baseline_line.value() == pytest.approx(math.log10(1 / 6))
    assert panel.threshold_line.value() == pytest.approx(math.log10(0.01))
    assert "pass ≤ 0.01" in panel.threshold_line.label.toPlainText()
    assert "baseline 0.167" in panel.baseline_line.label.toPlainText()


def test_curves_follow_history_skip_nan_and_pass_summary(qtbot):
    task = make_task("adding", seq_len=8)
    _, tr = trained(task, 40)
    hist = tr.history.arrays()
    hist["loss"][[3, 7]] = np.nan
    hist["metric"][[3, 7]] = np.nan
    panel = make(qtbot, CurvesPanel)
    panel.set_task_info(task.info())
    panel.set_history(hist)
    # regression: the loss is the metric (MSE), drawn once, in the metric plot; the loss plot is hidden
    assert not panel.loss_plot.isVisible() and panel.loss_raw.getOriginalDataset()[0] is None
    x, y = panel.metric_raw.getOriginalDataset()
    keep = np.isfinite(hist["loss"])
    np.testing.assert_array_equal(x, hist["step"][keep])
    np.testing.assert_allclose(y, hist["loss"][keep])
    assert 4.0 not in x and 8.0 not in x
    np.testing.assert_allclose(y, hist["metric"][keep])
    lo, hi = panel.metric_plot.getViewBox().viewRange()[1]  # the lines are in view
    assert lo < math.log10(0.01) and hi > math.log10(1 / 6)
    assert panel.summary.text().startswith("step 40 · loss")
    header, rows = panel.data_table()
    assert header == ["step", "loss", "MSE"] and len(rows) == 40 and rows[-1][0] == 40
    hist["metric"][-1] = 0.001  # below the pass threshold
    panel.set_history(hist)
    assert "passed" in panel.summary.text()


def test_smoothing_draws_a_steadier_curve_over_the_raw_one(qtbot):
    hist = synthetic_history(5000)  # thousands of points
    panel = make(qtbot, CurvesPanel)
    panel.set_task_info(make_task("parity").info())
    panel.set_history(hist)
    assert not panel.loss_smooth.isVisible()
    assert panel.loss_raw.opts["autoDownsample"] and panel.loss_raw.opts["clipToView"]
    spin = panel.findChild(type(panel.smoothing), "curvesSmoothing")
    spin.setValue(50)
    assert panel.loss_smooth.isVisible()
    _, raw = panel.loss_raw.getOriginalDataset()
    _, smooth = panel.loss_smooth.getOriginalDataset()
    assert len(smooth) == 5000
    assert np.std(np.diff(smooth)) < 0.2 * np.std(np.diff(raw))
    assert abs(smooth[-1] - raw[-500:].mean()) < 0.1  # it tracks the level of the raw curve
    spin.setValue(0)
    assert not panel.loss_smooth.isVisible()


def test_evaluations_are_points_and_vanish_after_a_reset(qtbot):
    hist = synthetic_history(300)
    panel = make(qtbot, CurvesPanel)
    panel.set_task_info(make_task("parity").info())
    panel.set_history(hist)
    assert "Large dots" not in panel.metric_plot.toolTip()  # no evaluations yet: the tooltip does not speak of them
    panel.set_evals({"step": [100, 300], "loss": [0.5, 0.3], "metric": [0.7, 0.95], "on": "fresh examples",
                     "every": 250})
    x, y = panel.metric_eval.getOriginalDataset()
    np.testing.assert_array_equal(x, [100, 300])
    np.testing.assert_allclose(y, [0.7, 0.95])
    assert "on fresh examples, drawn apart from the training batches but not excluded from them" in \
        panel.metric_plot.toolTip() and "about every 250 steps" in panel.metric_plot.toolTip()
    panel.set_history(synthetic_history(150))  # reset and retrained to step 150
    x, _ = panel.metric_eval.getOriginalDataset()
    np.testing.assert_array_equal(x, [100])


def test_an_unchanged_history_is_not_redrawn(qtbot, monkeypatch):
    hist = synthetic_history(400)
    curves, grads = make(qtbot, CurvesPanel), make(qtbot, GradientPanel)
    for panel in (curves, grads):
        panel.set_history(hist)
    drawn = []
    for curve in (curves.loss_raw, grads.before_curve):
        monkeypatch.setattr(curve, "setData", lambda *a, **k: drawn.append(a))
    curves.set_history({k: v.copy() for k, v in hist.items()})  # every snapshot brings a new dict
    grads.set_history(hist)
    assert drawn == []
    hist["loss"][-1] = hist["grad_norm"][-1] = 0.05  # one more step's worth of change
    curves.set_history(hist)
    grads.set_history(hist)
    assert len(drawn) == 2


def test_thousands_of_clipped_steps_keep_the_extremes_of_each_pixel_column(qtbot):
    hist = synthetic_history(10000)
    hist["clipped"][:] = 1
    panel = make(qtbot, GradientPanel)
    panel.set_history(hist)
    x, y = panel.clipped_marks.getOriginalDataset()
    assert 200 <= len(x) < 2000 and np.all(np.diff(x) > 0)  # thinned, still in step order
    assert y.max() == hist["grad_norm"].max() and y.min() == hist["grad_norm"].min()


def test_curves_panel_empty_and_light(qtbot):
    panel = make(qtbot, CurvesPanel)
    panel.resize(500, 250)
    panel.set_history({})
    panel.set_time(3)
    assert panel.data_table()[1] == []
    assert panel.summary.text() == "no training steps yet"
    panel.set_theme(True)
    image = panel.view.grab().toImage()
    assert image.pixelColor(1, 1).name() == LIGHT["background"]  # the margin around the plots
    assert panel.palette().window().color().name() == LIGHT["background"]
