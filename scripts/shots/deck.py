"""Screenshots of the deck's own views at a projector's 1280x720 under a real X server (look at them).

Usage: DISPLAY=:N .venv/bin/python scripts/walkthrough.py deck OUT_DIR [which...]
which: fold (the unrolled network folding into one cell), nlp (Input to NLP), softmax (tagging's
per-word distribution), compare (GRU vs LSTM measured). Each opens the window on a preset, trains a little
and saves PNGs of the whole screen (the X server's root window: scripts.shots.screen_grab) and of the window.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RNNLAB_SETTINGS_DIR", tempfile.mkdtemp(prefix="rnnlab-shots-settings-"))  # not the user's
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def wait(app, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def until(app, predicate, timeout=60.0):
    end = time.perf_counter() + timeout
    while time.perf_counter() < end and not predicate():
        app.processEvents()
        time.sleep(0.02)


def train(app, window, steps):
    c = window.controller
    start = c.shown.step if c.shown is not None else 0
    c.train(True)
    until(app, lambda: c.shown is not None and c.shown.step >= start + steps, 120)
    c.train(False)
    wait(app, 0.5)


def save(window, out: Path, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    from scripts.shots.screen_grab import save_screen

    save_screen(QApplication.instance(), out / f"{name}.png")


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from app.window.main_window import MainWindow
    from app.window.theme import apply_dark_theme
    from engine.lab.config import LabConfig

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    which = set(sys.argv[2:]) or {"fold", "nlp", "softmax"}
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    window = MainWindow(LabConfig.for_task("parity"), remember=False)
    window.setGeometry(0, 0, 1280, 720)
    window.show()
    until(app, lambda: window.controller.shown is not None)
    wait(app, 1.0)
    walker = window.slides
    if "fold" in which:
        walker.open(15)  # the acceptor preset (parity)
        train(app, window, 150)
        window.transport.set_time(3)
        wait(app, 0.5)
        save(window, out, "fold_0_unrolled")
        window.unrolled.set_folded(True)
        wait(app, 0.35)
        save(window, out, "fold_1_folding")
        wait(app, 1.0)
        save(window, out, "fold_2_folded")
        window.transport.set_time(6)
        wait(app, 0.3)
        save(window, out, "fold_3_folded_t7")
        window.unrolled.set_folded(False)
        wait(app, 1.2)
        save(window, out, "fold_4_unrolled_again")
    if "softmax" in which:
        walker.open(12)  # tagging preset + its softmax
        train(app, window, 120)
        window.transport.set_time(2)
        wait(app, 0.5)
        save(window, out, "softmax_tagging")
    if "nlp" in which:
        walker.open(2)
        wait(app, 1.0)
        save(window, out, "input_to_nlp")
    if "compare" in which:
        walker.open(34)  # GRUs and LSTMs: compare mode on the gating preset's task
        compare = window.compare_action.guard.compare
        until(app, lambda: compare.shown is not None, 60)
        compare.setGeometry(0, 0, 1280, 720)
        compare.transport.train_button.toggle()
        until(app, lambda: compare.shown is not None and compare.shown.step >= 400, 120)
        compare.transport.train_button.toggle()
        wait(app, 1.0)
        save(compare, out, "compare_gru_lstm")
        compare.close()
    window.controller.dirty_since_save = False
    window.close()
    wait(app, 1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
