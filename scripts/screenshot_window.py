"""Save PNG screenshots of the whole window in several states (offscreen); look at them.

Usage: .venv/bin/python scripts/screenshot_window.py [OUT_DIR]   (default: screenshots/)
States: LSTM after training on adding; bidirectional GRU on tagging; attention on sentiment.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.window.main_window import MainWindow  # noqa: E402
from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from engine import list_tasks  # noqa: E402
from engine.lab.session import LabConfig, LabSession  # noqa: E402

STATES = [("adding_lstm", "adding", {"cell": "lstm"}, 400),
          ("tagging_bigru", "tagging", {"cell": "gru", "bidirectional": True}, 300),
          ("sentiment_attention", "sentiment", {}, 300)]


def wait(app, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def window_for(task, steps, **model):
    """A shown 1600x1000 window on ``task``'s preset (with model overrides) after ``steps`` steps."""
    from engine import ModelConfig

    cfg = LabConfig.for_task(task)
    cfg = LabConfig(cfg.task, cfg.task_params, ModelConfig(**{**cfg.model.to_dict(), **model}), cfg.train)
    session = LabSession(cfg)
    for _ in range(steps):
        session.step()
    window = MainWindow(session, remember=False)
    window.resize(1600, 1000)
    window.show()
    return window


def save_and_close(window, path: Path) -> Path:
    window.grab().save(str(path))
    window.transport.stop_playing()
    window.controller.dirty_since_save = False
    window.close()
    return path


def shoot(app, name, task, model, steps, out: Path, time_cursor=None):
    window = window_for(task, steps, **model)
    wait(app, 1.5)
    T = window.controller.shown.trace.seq_len
    window.transport.set_time(time_cursor if time_cursor is not None else T // 2)
    wait(app, 0.5)
    return save_and_close(window, out / f"window_{name}.png")


def main() -> None:
    quiet_platform_messages()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    for name, task, model, steps in STATES:
        if task in list_tasks():
            print(shoot(app, name, task, model, steps, out))


if __name__ == "__main__":
    main()
