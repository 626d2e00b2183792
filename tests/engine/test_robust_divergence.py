"""Divergence: an exploding preset always ends paused as "diverged" within a bounded number of steps,
with the last weights whose loss was finite, and training goes on once clipping is on and the
learning rate is sane. In the engine over several seeds, through a saved session, and in the window."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from app.window.main_window import MainWindow  # noqa: F401  (imported first, so conftest answers "discard")
from engine.lab.session import LabConfig, LabSession
from tests.app.test_main_window import make_window, wait_shown

MAX_STEPS = 50  # the exploding preset must diverge within this many steps


def exploding(seed: int) -> LabConfig:
    """Simple ReLU RNN, identity recurrence (IRNN), SGD at lr 10, no clipping: the adding task explodes."""
    base = LabConfig.for_task("adding")
    return LabConfig(base.task, base.task_params, replace(base.model, cell="rnn_relu", init="identity"),
                     replace(base.train, optimizer="sgd", lr=10.0, clip=False, seed=seed))


def rescued(cfg: LabConfig) -> LabConfig:
    return replace(cfg, train=replace(cfg.train, clip=True, max_norm=1.0, lr=1e-3))


def weights(session: LabSession) -> list[torch.Tensor]:
    return [p.detach().clone() for p in session.model.parameters()]


def run_until_diverged(session: LabSession):
    """(stats of the diverging step, weights before each step so far)."""
    before = []
    for _ in range(MAX_STEPS):
        before.append(weights(session))
        stats = session.step()
        if stats.diverged:
            return stats, before
    pytest.fail(f"no divergence within {MAX_STEPS} steps")


@pytest.mark.parametrize("seed", range(6))
def test_exploding_preset_diverges_restores_finite_weights_and_recovers(seed):
    session = LabSession(exploding(seed))
    stats, before = run_until_diverged(session)
    assert stats.skipped and not (math.isfinite(stats.loss) and math.isfinite(stats.grad_norm))
    now = weights(session)
    assert all(torch.isfinite(w).all() for w in now)
    # the weights are those of the last step whose loss was finite, and they give a finite loss
    finite = [i for i, s in enumerate(session.trainer.history.arrays()["loss"]) if math.isfinite(s)]
    last_good = before[finite[-1]] if finite else before[0]
    assert all(torch.equal(a, b) for a, b in zip(now, last_good, strict=True))
    assert math.isfinite(session.trainer.evaluate(batches=1)["loss"])

    session.configure(rescued(session.config))  # clip on, lr 1e-3: applied live, same weights
    after = [session.step() for _ in range(20)]
    assert not any(s.skipped for s in after)
    assert all(math.isfinite(s.loss) and math.isfinite(s.grad_norm) for s in after)


def test_diverged_session_saved_and_reopened_recovers(tmp_path):
    session = LabSession(exploding(0))
    run_until_diverged(session)
    session.save(tmp_path / "diverged.rnnlab")
    reopened = LabSession.load(tmp_path / "diverged.rnnlab")
    reopened.configure(rescued(reopened.config))
    assert all(math.isfinite(reopened.step().loss) for _ in range(10))


def test_repeated_divergence_keeps_the_weights_finite():
    """Pressing Train again with the same bad settings diverges again, never leaves non-finite weights."""
    session = LabSession(exploding(1))
    for _ in range(5):
        run_until_diverged(session)
        assert all(torch.isfinite(w).all() for w in weights(session))


def check_finite_in_worker(qtbot, window) -> bool:
    """Ask the engine process (the owner of the weights) whether they are all finite."""
    params = window.controller.call("weights", timeout=10)["params"]
    return all(bool(np.isfinite(v).all()) for v in params.values())


def test_window_pauses_diverged_and_continues_with_clipping(qtbot):
    window = make_window(qtbot, "adding")
    cfg = exploding(2)
    window.controller.set_config(cfg)
    wait_shown(qtbot, window, lambda s: s.config["train"]["lr"] == 10.0 and s.trace.cell_type == "rnn_relu")
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    snap = wait_shown(qtbot, window, lambda s: s.state == "diverged", timeout=20000)
    assert snap.step <= MAX_STEPS
    assert not window.transport.train_button.isChecked()
    assert window.status_labels["state"].text() == "DIVERGED"
    assert "Diverged at step" in window.statusBar().currentMessage()
    assert check_finite_in_worker(qtbot, window)
    assert window.controller.call("weights")["step"] == snap.step  # really paused: the engine's own step

    window.controls.clip_check.setChecked(True)  # the status bar's advice
    window.controls.lr_spin.setValue(0.001)
    train = lambda: window.controller.config.train  # noqa: E731
    qtbot.waitUntil(lambda: train().lr == 0.001 and train().clip)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    later = wait_shown(qtbot, window, lambda s: s.step >= snap.step + 30 and s.state == "training",
                       timeout=20000)
    assert math.isfinite(later.loss)
    recent = later.history["loss"][-20:]
    assert np.isfinite(recent).all() and not later.history["skipped"][-20:].any()
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    wait_shown(qtbot, window, lambda s: s.state == "paused")
