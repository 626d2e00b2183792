"""Screenshots of the window on each kind of data file (offscreen); look at them.

Usage: .venv/bin/python scripts/shot_data.py [OUT_DIR]   (default: /work/shots/data)
Opens each example in assets/examples/ through the window's own path (the engine reads the file),
trains a little, and saves window_<file>.png; then drops a bad file and saves the status line.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.window.main_window import MainWindow  # noqa: E402
from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from engine.lab.config import LabConfig  # noqa: E402

EXAMPLES = ROOT / "assets" / "examples"
FILES = [("coriolanus_act1.txt", 300), ("majority_ab.csv", 300), ("people_places.csv", 200)]


def wait(app, until, seconds=60.0):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not until():
        app.processEvents()
        time.sleep(0.01)


def shoot(app, out: Path, name: str, steps: int) -> None:
    window = MainWindow(LabConfig.for_task("parity"), remember=False)
    window.resize(1600, 1000)
    window.show()
    window.data.open_data(str(EXAMPLES / name))

    def shown():
        return window.controller.shown

    wait(app, lambda: shown() is not None and shown().config["task"].endswith("_file"))
    for _ in range(steps):
        window.controller.step_once()
    wait(app, lambda: shown().step >= steps, 300)
    wait(app, lambda: False, 1.0)
    window.transport.set_time(shown().trace.seq_len // 2)
    wait(app, lambda: False, 0.5)
    window.grab().save(str(out / f"window_{Path(name).stem}.png"))
    print(out / f"window_{Path(name).stem}.png", shown().step, shown().metric)
    window.controller.dirty_since_save = False  # no "save first?" dialog
    if name.endswith(".txt"):
        bad = out / "bad.csv"
        bad.write_text("tokens,tags\nthe dog,D N\nthe big dog,D N\n")
        window.data.open_data(str(bad))
        wait(app, lambda: window.statusBar().currentMessage().startswith("Could not"), 20)
        wait(app, lambda: False, 0.3)
        window.grab().save(str(out / "window_bad_file.png"))
        print(out / "window_bad_file.png", window.statusBar().currentMessage())
        bad.unlink()
    window.close()


def main() -> None:
    quiet_platform_messages()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shots/data")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    for name, steps in FILES:
        shoot(app, out, name, steps)


if __name__ == "__main__":
    main()
