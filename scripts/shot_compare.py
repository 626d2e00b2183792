"""Save PNG screenshots of the compare window (offscreen); look at them.

Usage: .venv/bin/python scripts/shot_compare.py [OUT_DIR]   (default: screenshots/)
States: rnn_tanh/gru/lstm on the adding problem (T = 100) before and after training, uni- vs
bidirectional GRU on tagging, four cells on parity at 1000x700 (a small screen), and a bad setup
(one cell) with its message. Training runs in the window's own worker thread, as for a user.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.compare.window import CompareWindow  # noqa: E402
from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from engine.lab.session import LabConfig  # noqa: E402


def wait(app, seconds: float, until=None) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def train(app, window: CompareWindow, steps: int, timeout: float = 120) -> None:
    """Press Train, wait for ``steps`` steps to be shown, press Pause."""
    window.transport.train_button.click()
    wait(app, timeout, lambda: window.shown is not None and window.shown.step >= steps)
    window.transport.train_button.click()
    wait(app, 1.0)


def shoot(window: CompareWindow, out: Path, name: str) -> Path:
    path = out / f"compare_{name}.png"
    window.grab().save(str(path))
    print("saved", path, "at step", window.shown.step if window.shown else None)
    return path


def main() -> None:
    torch.set_num_threads(1)
    quiet_platform_messages()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)

    window = CompareWindow(LabConfig.for_task("adding", seq_len=100))
    window.show()
    wait(app, 1.5, lambda: window.shown is not None)
    shoot(window, out, "adding_untrained")
    train(app, window, 300)
    window.transport.set_time(20)
    wait(app, 0.3)
    shoot(window, out, "adding_trained")
    window.close()

    window = CompareWindow(LabConfig.for_task("tagging"), spec="uni,bi")
    window.show()
    wait(app, 1.5, lambda: window.shown is not None)
    train(app, window, 150)
    window.transport.set_time(4)
    wait(app, 0.3)
    shoot(window, out, "tagging_uni_bi")
    window.setup.mode_combo.setCurrentIndex(0)  # cells
    for cell in ("rnn_tanh", "gru", "lstm"):  # leave one cell: the setup refuses it
        window.findChild(QWidget, f"compareCell_{cell}").setChecked(cell == "gru")
    window.setup.apply_button.click()
    wait(app, 0.3)
    shoot(window, out, "bad_setup")
    window.close()

    window = CompareWindow(LabConfig.for_task("parity"), spec="rnn_tanh,rnn_relu,gru,lstm")
    window.resize(1000, 700)
    window.show()
    wait(app, 1.5, lambda: window.shown is not None)
    train(app, window, 60)
    shoot(window, out, "parity_four_small")
    window.close()


if __name__ == "__main__":
    main()
