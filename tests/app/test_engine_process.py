"""The engine runs in its own process: the window never imports torch, survives the engine's death
and restarts it from the last recovery point, offers an unclean exit's training at the next start,
and leaves no process behind when it closes."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.engine_link import recovery
from app.engine_link.recovery_offer import offer_recovery
from engine.lab.config import LabConfig
from engine.lab.files import load_session
from tests.app.test_main_window import make_window, wait_shown

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("fresh_engine")  # start-up, kill and shutdown of real processes

def gone(pid: int) -> bool:
    """Not in the process table, or exited and left to init to reap (an orphan's zombie: this sandbox's
    init reaps slowly). A zombie child of ours would mean we never reaped it: not gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return True
    return fields[0] == "Z" and int(fields[1]) != os.getpid()


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def file_weights(path) -> tuple[int, dict]:
    s = load_session(path)
    return s.step, {k: v.detach().numpy() for k, v in s.trainer.model.state_dict().items()}


def test_the_window_process_never_imports_torch_even_after_training(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        from PySide6.QtWidgets import QApplication
        def main():
            from app.window.main_window import MainWindow
            import app.window.file_actions as fa
            fa.ask_unsaved = lambda w: "discard"
            app = QApplication([])
            w = MainWindow(remember=False); w.show()
            end = time.time() + 60
            while (w.controller.shown is None or w.controller.shown.step < 20) and time.time() < end:
                if w.controller.shown is not None and not w.controller.training:
                    w.controller.train(True)
                app.processEvents(); time.sleep(0.01)
            print("STEP", w.controller.shown.step, "TORCH", "torch" in sys.modules, flush=True)
            w.close()
        if __name__ == "__main__":
            main()
    """)
    (tmp_path / "gui_only.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(tmp_path / "gui_only.py")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120).stdout
    words = out.split()
    assert "STEP" in words, out
    assert int(words[words.index("STEP") + 1]) >= 20
    assert words[words.index("TORCH") + 1] == "False"


def test_sigkill_of_the_engine_leaves_the_window_up_and_restart_continues_from_the_recovery_point(qtbot):
    window = make_window(qtbot, "parity")
    c = window.controller
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    wait_shown(qtbot, window, lambda s: s.step >= 30)
    c.pause()  # a pause writes a recovery point
    qtbot.waitUntil(lambda: c.engine.recovery_step is not None and c.engine.recovery_step >= 30, timeout=20000)
    step, weights = file_weights(c.engine.recovery_path)
    assert step == c.engine.recovery_step
    c.train(True)  # train on past the recovery point
    wait_shown(qtbot, window, lambda s: s.step > step + 20)
    pid = c.engine.client.pid
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.restart_button.isVisible(), timeout=10000)
    message = window.statusBar().currentMessage()
    assert "engine" in message.lower() and "SIGKILL" in message and f"step {step}" in message
    assert not window.transport.train_button.isChecked() and not window.controls.isEnabled()
    ticks = []
    qtbot.waitUntil(lambda: ticks.append(1) or len(ticks) > 3, timeout=2000)  # the event loop answers
    qtbot.mouseClick(window.restart_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: c.engine.client.is_ready, timeout=30000)
    assert c.engine.client.pid != pid and window.controls.isEnabled() and not window.restart_button.isVisible()
    now = c.call("weights")
    assert now["step"] == step and now["task"] == "parity"
    assert same_weights(now["params"], weights)
    assert gone(pid)


def test_an_unclean_exit_is_offered_at_the_next_start_and_restoring_gives_the_same_weights(qtbot, tmp_path):
    script = textwrap.dedent("""
        import time
        from PySide6.QtWidgets import QApplication
        def main():
            from app.window.main_window import MainWindow
            from engine.lab.config import LabConfig
            app = QApplication([])
            w = MainWindow(LabConfig.for_task("dyck1"), remember=False); w.show()
            c = w.controller
            end = time.time() + 90
            while (c.shown is None or c.shown.step < 25) and time.time() < end:
                if c.shown is not None and not c.training:
                    c.train(True)
                app.processEvents(); time.sleep(0.01)
            c.pause()
            while c.engine.recovery_step is None and time.time() < end:
                app.processEvents(); time.sleep(0.01)
            print("ENGINE", c.engine.client.pid, "STEP", c.engine.recovery_step, flush=True)
            while True:  # wait to be killed, like a crashed or killed app
                app.processEvents(); time.sleep(0.01)
        if __name__ == "__main__":
            main()
    """)
    (tmp_path / "crashing_app.py").write_text(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "crashing_app.py")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    proc.stdout.close()
    words = line.split()
    assert "ENGINE" in words, line
    engine_pid, step = int(words[1]), int(words[3])
    os.kill(proc.pid, signal.SIGKILL)  # the whole app dies uncleanly
    proc.wait(10)
    deadline = time.time() + 5
    while not gone(engine_pid) and time.time() < deadline:  # its engine sees the pipe close and exits
        time.sleep(0.05)
    assert gone(engine_pid)
    stale = recovery.stale_recovery_files()
    assert stale and stale[0].name == f"recovery-{proc.pid}.rnnlab"
    saved_step, saved = file_weights(stale[0])
    assert saved_step == step

    window = make_window(qtbot, "adding")
    import app.engine_link.recovery_offer as offer_mod
    asked = []
    offer_mod.ask_restore = lambda w, path, when: asked.append(path) or True
    try:
        assert offer_recovery(window)
    finally:
        offer_mod.ask_restore = offer_recovery.__globals__["ask_restore"]
    qtbot.waitUntil(lambda: window.controller.config.task == "dyck1", timeout=20000)
    now = window.controller.call("weights")
    assert now["step"] == step and same_weights(now["params"], saved)
    assert window.controller.dirty_since_save and not recovery.stale_recovery_files()


def test_closing_while_training_stops_the_engine_and_leaves_no_process(qtbot):
    """Gone when close() returns: EngineClient.shutdown asks, terminates and kills within SHUTDOWN_S by
    construction (its joins are bounded); how long it takes on this machine is benchmarks/gui.py's question."""
    cfg = LabConfig.for_task("adding", seq_len=400)
    window = make_window(qtbot, "adding")
    window.controller.set_config(cfg)
    wait_shown(qtbot, window, lambda s: s.config["task_params"]["seq_len"] == 400)
    qtbot.mouseClick(window.transport.train_button, Qt.LeftButton)
    wait_shown(qtbot, window, lambda s: s.state == "training" and s.step > 2)
    pid, path = window.controller.engine.client.pid, window.controller.engine.recovery_path
    window.close()
    assert gone(pid)
    assert not os.path.exists(path)  # a clean quit removes its recovery point


def test_a_snapshot_left_undrawn_when_the_engine_dies_does_not_turn_train_back_on(qtbot, fresh_engine):
    """The window draws the latest snapshot on its repaint tick; one the engine sent while training, still
    waiting when the engine died, used to re-check Train beside "engine stopped" (seen once under load)."""
    window = make_window(qtbot, "parity")
    c = window.controller
    training = replace(c.shown, state="training")
    c.held = True  # hold the repaint tick: the snapshot waits as it would on a busy machine
    c.on_snapshot(training)
    c.engine._on_died("killed by SIGKILL (test)")
    c.held = False
    c._on_repaint_tick()  # the next repaint tick
    assert not window.transport.train_button.isChecked()
    c.on_snapshot(training)  # control: a waiting training snapshot does check it (what the fix prevents)
    c._on_repaint_tick()
    assert window.transport.train_button.isChecked()
