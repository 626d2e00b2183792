"""The training timeline and the attribution panel in the window: moving the timeline shows every
panel at that step (checked against a model rebuilt from the weights recorded during training),
training returns to the live state, Replay learning plays through the checkpoints, the time-lapse
GIF has one frame per checkpoint, and the attribution panel draws the engine's attribution."""
import copy

import numpy as np
import torch
from PIL import Image
from PySide6.QtCore import Qt

from app.export.timelapse import timelapse_steps
from app.window.main_window import MainWindow
from engine import ModelConfig, TrainConfig, build_model
from engine.analysis import attribution
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.network.probe import probe
from tests.app.test_main_window import wait_shown


def trained_window(qtbot, task="sentiment", steps=60, **model):
    """A window whose engine trained ``steps`` steps, and a twin session trained the same way in this
    process (same seed and settings give the same run, tests/engine/test_checkpoints.py) with the weights
    recorded after every step: the independent reference for what the window shows."""
    cfg = LabConfig.for_task(task)
    cfg = LabConfig(cfg.task, cfg.task_params, ModelConfig(**{**cfg.model.to_dict(), "hidden_size": 16, **model}),
                    TrainConfig(**{**cfg.train.to_dict(), "batch_size": 16}))
    window = MainWindow(cfg, remember=False)
    qtbot.addWidget(window)
    window.show()
    wait_shown(qtbot, window, lambda s: True)
    window.controller.request("train_until_paused", steps=steps)  # (refreshes the display afterwards)
    wait_shown(qtbot, window, lambda s: s.step == steps)
    twin = LabSession(cfg)
    recorded = {0: copy.deepcopy(twin.model.state_dict())}
    twin.trainer.add_callback(lambda t, s: recorded.__setitem__(s.step, copy.deepcopy(t.model.state_dict())))
    for _ in range(steps):
        twin.step()
    return window, twin, recorded


def model_at(session, state):
    model = build_model(session.config.model, session.task, seed=123)
    model.load_state_dict(state)
    return model


def test_timeline_moves_every_panel_to_that_step_and_training_returns(qtbot):
    window, session, recorded = trained_window(qtbot)
    window.show_panel("attentionPanel")
    live = window.controller.shown
    bar = window.timeline
    assert bar.slider.maximum() == len(bar.steps) and bar.label.text() == "step 60 (now)"
    index = int(np.searchsorted(bar.steps, 20))
    step = int(bar.steps[index])
    bar.set_index(index)
    snap = wait_shown(qtbot, window, lambda s: s.timeline.get("viewing") == step)
    want = probe(model_at(session, recorded[step]), *session.example)
    panels = window.panels
    np.testing.assert_allclose(panels["attentionPanel"].bar_heights(), want.attention, atol=1e-6)
    assert not np.allclose(want.attention, live.trace.attention, atol=1e-4)  # it really is another step
    window.controller.feed()  # (panels out of view catch up when they come into view)
    for name in ("hiddenHeatmap", "gatesPanel", "gradientPanel", "unrolledView", "sequenceStrip",
                 "equationsPanel", "attentionPanel"):
        assert panels[name].trace is snap.trace, name
    np.testing.assert_array_equal(snap.trace.hidden, want.hidden)
    assert bar.label.text() == f"viewing step {step} of 60"
    assert window.viewing_banner.isVisible() and f"Viewing step {step} of 60" in window.viewing_banner.text()
    curves = panels["curvesPanel"]
    assert curves.viewed_lines[0].isVisible() and curves.viewed_lines[0].value() == step
    assert window.status_labels["step"].text() == f"showing {step}/60"
    # Train returns to the present
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    later = wait_shown(qtbot, window, lambda s: s.step > 60 and s.timeline.get("viewing") is None)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    assert later.trace.step == later.step
    qtbot.waitUntil(lambda: not window.viewing_banner.isVisible(), timeout=5000)
    assert not curves.viewed_lines[0].isVisible()
    assert bar.slider.value() == bar.slider.maximum()


def test_replay_learning_plays_through_the_checkpoints_to_the_present(qtbot):
    window, session, _ = trained_window(qtbot, steps=12)
    seen = set()
    window.controller.snapshot_shown.connect(lambda s: seen.add(s.timeline.get("viewing")))
    qtbot.mouseClick(window.timeline.replay_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not window.timeline.replay_button.isChecked(), timeout=15000)
    wait_shown(qtbot, window, lambda s: s.timeline.get("viewing") is None)
    assert len(seen - {None}) >= 4 and 0 in seen  # (the slider may skip frames while the engine works)


def test_timelapse_gif_has_one_frame_per_checkpoint(qtbot, tmp_path):
    window, session, _ = trained_window(qtbot, steps=24)
    shown = window.controller.shown
    steps = timelapse_steps(shown.timeline)
    assert steps == list(range(25))  # every step early on: 0..24, the present included
    path = tmp_path / "lapse.gif"
    job = window.files.export_timelapse(str(path))
    with qtbot.waitSignal(job.finished, timeout=60000) as done:
        pass
    assert done.args[0], done.args[1]
    with Image.open(path) as gif:
        assert gif.n_frames == len(steps)
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"), dtype=np.int16)
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"), dtype=np.int16)
    assert np.abs(first - last).mean() > 1  # the network changed over training
    # afterwards the panels show the live snapshot again
    assert window.panels["hiddenHeatmap"].trace is window.controller.shown.trace
    assert window.controller.shown.timeline.get("viewing") is None


def test_attribution_panel_draws_the_engine_attribution_beside_attention(qtbot):
    window, session, _ = trained_window(qtbot, steps=30)
    window.show_panel("attributionPanel")
    snap = wait_shown(qtbot, window, lambda s: s.analysis.get("attribution") is not None)
    panel = window.panels["attributionPanel"]
    qtbot.waitUntil(lambda: panel.payload is snap.analysis["attribution"], timeout=5000)
    want = attribution(session.model, *session.example, "integrated_gradients", baseline="the")  # the default
    np.testing.assert_allclose(panel.bar_heights(), want.scores, rtol=1e-6, atol=1e-9)
    colors = panel.bar_colors()
    good, bad = panel.theme["good"].lower(), panel.theme["bad"].lower()
    assert all(c == (good if s >= 0 else bad) for c, s in zip(colors, want.scores, strict=True))
    assert panel.shows_attention() and "Spearman" in panel.footer.text()
    assert want.explained in panel.summary.text()
    combo = panel.method_combo
    combo.setCurrentIndex(combo.findData("gradient_x_input"))
    snap = wait_shown(qtbot, window, lambda s: (s.analysis.get("attribution") or {}).get("method")
                      == "gradient_x_input")
    gxi = attribution(session.model, *session.example, "gradient_x_input")
    np.testing.assert_allclose(snap.analysis["attribution"]["scores"], gxi.scores, rtol=1e-6, atol=1e-9)


def test_attribution_on_a_per_step_task_follows_the_time_cursor(qtbot):
    window, session, _ = trained_window(qtbot, "copy_memory", steps=5)
    window.show_panel("attributionPanel")
    window.transport.set_time(21)
    snap = wait_shown(qtbot, window, lambda s: (s.analysis.get("attribution") or {}).get("position") == 21)
    panel = window.panels["attributionPanel"]
    qtbot.waitUntil(lambda: panel.payload is snap.analysis["attribution"], timeout=5000)
    assert not panel.shows_attention() and panel.explained_line.value() == 21
    want = attribution(session.model, *session.example, position=21, baseline="_")  # copy memory's neutral blank
    np.testing.assert_allclose(panel.bar_heights(), want.scores, rtol=1e-6, atol=1e-9)
    assert "t = 22" in panel.summary.text()
    assert torch.equal(session.example[0], torch.as_tensor(snap.trace.input_values).unsqueeze(0))


def test_headless_timelapse_has_one_frame_per_checkpoint(tmp_path):
    from app.cli.main import main

    out = tmp_path / "out"
    code = main(["--headless", "--task", "sentiment", "--hidden", "8", "--steps", "12", "--export", str(out),
                 "--timelapse", "--quiet"])
    assert code == 0
    with Image.open(out / "training_timelapse.gif") as gif:
        assert gif.n_frames == 13  # steps 0..12: every step is a checkpoint this early
    assert main(["--headless", "--task", "sentiment", "--timelapse"]) == 2  # needs --export
