"""Soak test: train for 20,000 steps in the (offscreen) window with the display updating, and watch
for leaks and stalls.

Prints resident memory (VmRSS from /proc/self/status) at the start, after warm-up, halfway and at
the end (goal: growth < 50 MB), the history length the panels receive (bounded by the trainer's
ring buffer), live Python objects, and the event loop's lag: how late a 10 ms QTimer fires
(goal: p99 < 50 ms). Errors raised in the GUI thread are counted (goal: 0).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/soak.py [--steps 20000]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RNNLAB_SETTINGS_DIR", "/tmp/rnnlab-soak-settings")  # the user's settings untouched
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.window.main_window import MainWindow  # noqa: E402
from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from engine import ModelConfig, TrainConfig  # noqa: E402
from engine.lab.session import LabConfig, LabSession  # noqa: E402

WARMUP_STEPS = 1000  # allocator and caches settle; growth after this is what a leak looks like


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def soak_config() -> LabConfig:
    """Small and fast: adding, T = 20, LSTM with H = 32."""
    return LabConfig("adding", {"seq_len": 20}, ModelConfig(cell="lstm", hidden_size=32, embedding_dim=8),
                     TrainConfig(lr=1e-2, batch_size=32, seed=0))


def status_step(window) -> int:
    text = window.status_labels["step"].text()  # "step 1234"
    return int(text.split()[-1]) if text.split()[-1].isdigit() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="training steps (default 20000)")
    args = parser.parse_args()
    quiet_platform_messages()
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)  # the look (and drawing cost) of the app as run_gui starts it
    errors: list[str] = []
    sys.excepthook = lambda *exc: errors.append("".join(traceback.format_exception(*exc)))

    window = MainWindow(LabSession(soak_config()), remember=False)
    window.resize(1600, 1000)
    window.show()
    shown = []
    window.controller.snapshot_shown.connect(lambda s: shown.append(1))
    end = time.perf_counter() + 2.0
    while time.perf_counter() < end and not shown:
        app.processEvents()
        time.sleep(0.005)

    lags, clock, timer = [], QElapsedTimer(), QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: lags.append(max(0.0, clock.restart() - 10)))
    marks = [("start", 0, rss_mb(), len(gc.get_objects()), 0)]
    checkpoints = [(min(WARMUP_STEPS, args.steps // 4), "warm"), (args.steps // 2, "middle")]
    print(f"soak: {args.steps} steps of adding T=20, LSTM H=32, batch 32, display on; "
          f"RSS at start {marks[0][2]:.1f} MB", flush=True)

    window.controller.train(True)
    clock.start()
    timer.start()
    start = time.perf_counter()
    last_print = start
    while True:
        app.processEvents()
        step = status_step(window)
        if checkpoints and step >= checkpoints[0][0]:
            _, name = checkpoints.pop(0)
            snap = window.controller.shown
            marks.append((name, step, rss_mb(), len(gc.get_objects()), len(snap.history["loss"])))
        if step >= args.steps:
            break
        now = time.perf_counter()
        if now - last_print >= 30:
            last_print = now
            print(f"  step {step}  {step / (now - start):.0f} steps/s  RSS {rss_mb():.1f} MB", flush=True)
        time.sleep(0.001)
    timer.stop()
    window.controller.pause()
    elapsed = time.perf_counter() - start
    snap = window.controller.shown
    gc.collect()
    marks.append(("end", step, rss_mb(), len(gc.get_objects()), len(snap.history["loss"])))
    window.controller.dirty_since_save = False
    close_start = time.perf_counter()
    window.close()
    close_s = time.perf_counter() - close_start

    print(f"trained {step} steps in {elapsed:.0f} s ({step / elapsed:.0f} steps/s with the display), "
          f"final loss {snap.loss:.4f}")
    print(f"{'point':8s} {'step':>7s} {'RSS MB':>8s} {'objects':>9s} {'history':>8s}")
    for name, s, rss, objects, hist in marks:
        print(f"{name:8s} {s:7d} {rss:8.1f} {objects:9d} {hist:8d}")
    warm = next((m for m in marks if m[0] == "warm"), marks[0])
    growth_all, growth_warm = marks[-1][2] - marks[0][2], marks[-1][2] - warm[2]
    print(f"RSS growth: {growth_all:+.1f} MB from start, {growth_warm:+.1f} MB after warm-up "
          f"(goal < 50 MB) -> {'ok' if growth_all < 50 else 'OVER'}")
    capacity = window.controller.worker.session.trainer.history.capacity
    print(f"history sent to the panels: {marks[-1][4]} rows (ring buffer of {capacity}) -> "
          f"{'bounded' if marks[-1][4] <= capacity else 'UNBOUNDED'}")
    lag = np.asarray(lags[20:] or [0.0])
    p50, p90, p99 = np.percentile(lag, [50, 90, 99])
    print(f"event-loop lag (10 ms timer lateness, {lag.size} samples): p50 {p50:.1f} ms, p90 {p90:.1f} ms, "
          f"p99 {p99:.1f} ms, max {lag.max():.1f} ms (goal p99 < 50 ms) -> {'ok' if p99 < 50 else 'OVER'}")
    print(f"close while paused: {close_s * 1000:.0f} ms; errors in the GUI thread: {len(errors)}")
    for e in errors[:3]:
        print(e, file=sys.stderr)
    return 0 if not errors and growth_all < 50 and p99 < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
