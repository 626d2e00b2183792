"""Issue 17: the training curves show what happened (the explosion, where it diverged, what changed),
once and readably."""
from dataclasses import replace

import numpy as np
import torch

from app.lecture.presets import load_presets
from tests.app.test_main_window import make_window, wait_shown
from widgets.gradients.gradient_panel import GradientPanel
from widgets.training.curves_panel import CurvesPanel
from widgets.training.history_events import divergences


def exploded_history():
    """The Lecture 7 preset with clipping off: the loss explodes, then a non-finite step."""
    # (imported here, not at collection: engine.lab.session imports the engine.network.probe submodule, which
    # would shadow the lazy ``engine.network.probe`` function for test modules collected after this one)
    from engine.lab.session import LabSession

    torch.set_num_threads(1)
    preset = next(p for p in load_presets() if p.id == "exploding")
    session = LabSession(replace(preset.config, train=replace(preset.config.train, clip=False, lr=0.001)))
    for _ in range(50):
        if session.step().diverged:
            break
    return session.trainer.history.arrays()


def test_an_explosion_is_drawn_and_the_divergence_marked(qtbot):
    history = exploded_history()
    last = int(history["step"][-1])
    assert history["skipped"][-1] == 1 and last < 50  # it diverged
    curves, grads = CurvesPanel(), GradientPanel()
    for panel in (curves, grads):
        qtbot.addWidget(panel)
        panel.resize(600, 320)
        panel.show()
        panel.set_task_info({"metric": "MSE", "higher_is_better": False, "baseline": 1 / 6})
        panel.set_history(history)
    # every finite step before the non-finite one is drawn, as a visible dot even in a 2-3 step run
    finite = np.isfinite(history["loss"]) & (history["loss"] > 0)
    x, y = curves.loss_raw.getData()
    assert np.array_equal(x, history["step"][finite]) and curves.loss_raw.opts["symbol"] == "o"
    assert 10 ** y.max() > 1e6  # the explosion itself (drawn on a log axis)
    gx, _ = grads.before_curve.getData()
    assert len(gx) >= 1 and grads.before_curve.opts["symbol"] == "o"
    # the step where it diverged is marked on both, and the header says so first
    assert any(f"diverged at step {last}" in text for text in curves.event_lines.labels())
    assert any(f"diverged at step {last}" in text for text in grads.event_lines.labels())
    assert curves.summary.text().startswith(f"Diverged at step {last}")
    # a negative control: a healthy run has no divergence mark
    healthy = {k: v[:-1] for k, v in history.items()}
    assert divergences(healthy) == []


def test_regression_loss_is_drawn_once(qtbot):
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_task_info({"metric": "MSE", "higher_is_better": False, "baseline": 1 / 6})
    steps = np.arange(1.0, 11.0)
    loss = 1 / steps
    panel.set_history({"step": steps, "loss": loss, "metric": loss.copy()})
    assert not panel.loss_plot.isVisible() and "loss = MSE" in panel.metric_plot.getAxis("left").labelText
    panel.set_task_info({"metric": "accuracy", "higher_is_better": True})
    panel.set_history({"step": steps, "loss": loss, "metric": 1 - loss})
    assert panel.loss_plot.isVisible()


def test_a_language_models_bits_per_character_are_its_loss_drawn_once(qtbot):
    """Bits per character are the cross-entropy / ln 2: a loss plot above would repeat the curve (and on the
    stage its two short plots were drawn at 1x, too small to read). Checked on a real run's history against
    numpy; the controls are a metric 1% off (a measure of its own: two plots) and accuracy."""
    from engine.lab.session import LabConfig, LabSession

    session = LabSession(LabConfig.for_task("charlm"))
    for _ in range(4):
        session.step()
    snap = session.snapshot()
    history = {k: np.asarray(v, np.float64) for k, v in snap.history.items()}
    assert np.allclose(history["metric"] * np.log(2), history["loss"], rtol=1e-4)  # (independently: numpy)
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_task_info(snap.task_info)
    panel.set_history(snap.history)
    assert not panel.loss_plot.isVisible() and panel.metric_plot.getAxis("left").labelText == "bits/char"
    assert "the loss, in these units" in panel.metric_plot.getAxis("left").toolTip()
    assert "loss" in panel.summary.text() and "bits per character" in panel.summary.text()  # both numbers
    off = dict(history, metric=history["metric"] * 1.01)
    panel.set_history(off)
    assert panel.loss_plot.isVisible() and "the loss" not in panel.metric_plot.getAxis("left").toolTip()
    panel.set_history(history)
    assert not panel.loss_plot.isVisible()
    panel.set_task_info(snap.task_info)  # the task's info again (it names the axis anew): the note stays
    panel.set_history(dict(history, step=history["step"] + 1))
    assert "the loss, in these units" in panel.metric_plot.getAxis("left").toolTip()


def test_configuration_changes_resets_and_presets_are_marked_on_the_curves(qtbot):
    window = make_window(qtbot, "adding")
    curves = window.panels["curvesPanel"]
    for _ in range(3):
        window.controller.step_once()
    wait_shown(qtbot, window, lambda s: s.step == 3)
    values = window.controls.values()
    values.update(lr=0.005, clip=not values["clip"])
    window._on_controls_changed(values)
    wait_shown(qtbot, window, lambda s: s.config["train"]["lr"] == 0.005)
    qtbot.waitUntil(lambda: any("learning rate 0.005" in t and "clipping" in t for t in curves.event_lines.labels()))
    assert [e[0] for e in curves.user_events] == [3.0]
    window.lecture.actions["gating"].trigger()
    wait_shown(qtbot, window, lambda s: s.config["task"] == "temporal_order" and s.step == 0)
    window.controller.feed()
    qtbot.waitUntil(lambda: any("preset: Gating" in t for t in curves.event_lines.labels()))
    assert not any("learning rate" in t for t in curves.event_lines.labels())  # the old run's events went
