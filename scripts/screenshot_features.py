"""Screenshots of the issue-6 features inside the window (offscreen); look at them.

Usage: .venv/bin/python scripts/screenshot_features.py [OUT_DIR]   (default: screenshots/)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from scripts.screenshot_window import save_and_close, wait, window_for  # noqa: E402


def main() -> None:
    quiet_platform_messages()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    shots = []
    w = window_for("adding", 100, cell="rnn_tanh")
    w.show_panel("vanishingPanel")
    w.show_panel("equationsPanel")
    wait(app, 2.0)
    shots.append((w, "feature_vanishing_equations"))
    w2 = window_for("parity", 300, cell="gru")
    w2.show_panel("counterfactualPanel")
    w2.show_panel("gateStatsPanel")
    wait(app, 1.0)
    trace = w2.controller.shown.trace
    w2.panels["counterfactualPanel"].counterfactual_requested.emit(2, 1 - int(trace.input_values[2]))
    w2.transport.set_time(2)
    w2.transport.bptt_button.setChecked(True)
    wait(app, 1.5)
    w2.transport.set_time(w2.controller.shown.trace.seq_len - 1)
    w2.transport._bptt_frame = 5
    w2.controller.show_backward_step(5)
    wait(app, 0.5)
    shots.append((w2, "feature_counterfactual_gatestats_bptt"))
    for window, name in shots:
        print(save_and_close(window, out / f"{name}.png"))


if __name__ == "__main__":
    main()
