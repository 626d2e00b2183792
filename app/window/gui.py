"""Start the Qt application and show the main window. The GUI process never imports torch."""
from __future__ import annotations

import gc
import os
import sys
import time


def run_gui(session_path: str | None = None, data_path: str | None = None, model_path: str | None = None,
            neutral: str | None = None) -> int:
    from app.engine_link import client as engine_client

    # the engine process (torch) starts once the window has painted: on a busy 2-core machine its imports
    # would otherwise take the CPU the window needs to come up (controls say "engine starting…" meanwhile)
    engine_client.defer_until_painted()
    from PySide6.QtWidgets import QApplication

    from app.engine_link.first_paint import on_first_paint
    from app.engine_link.recovery_offer import offer_recovery
    from app.window.main_window import MainWindow
    from app.window.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = start_collector()  # noqa: F841 (lives as long as run_gui, i.e. the app)
    app.setApplicationName("RNN Lab")
    app.setOrganizationName("RNNLab")
    apply_dark_theme(app)
    window = MainWindow()
    report = os.environ.get("RNNLAB_REPORT_STARTUP") == "1"  # benchmarks/gui.py measures start-up

    on_first_paint(window, lambda: after_first_paint(report))
    if report:
        report_startup(window)
    window.show()
    if model_path:
        window.models.open_model(model_path, data_path)
    elif session_path:
        window.open_session(session_path)
    elif data_path:
        window.data.open_data(data_path, neutral=neutral)
    else:
        offer_recovery(window)
    return app.exec()


def after_first_paint(report: bool = False) -> None:
    """The window is on screen: freeze start-up's objects (see start_collector), then start the engine."""
    from app.engine_link import client as engine_client

    gc.freeze()
    if report:
        print(f"startup-painted {time.time():.3f} {time.process_time():.3f}", flush=True)  # wall, CPU
    engine_client.start_deferred()
    if report:
        print(f"startup-engine {time.time():.3f}", flush=True)


def start_collector():
    """Python's cyclic garbage collector, run from the event loop's timer and never in the middle of a paint:
    a pyqtgraph item finalised while its scene paints crashes the process (pyqtgraph's own advice and helper).

    A full collection scans every object the process holds: 45-90 ms in the window process after
    start-up, a frozen window whenever one came due. ``gc.freeze()`` once the window has painted takes
    start-up's objects out of the scan (they live as long as the app), so collections see only what
    came since."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    return GarbageCollector(interval=1.0)


def report_startup(window) -> None:
    """Print the wall-clock time of the first snapshot drawn, then quit (run_gui prints the first paint's)."""
    from PySide6.QtCore import QTimer

    def drawn(_snap):
        print(f"startup-snapshot {time.time():.3f}", flush=True)
        window.controller.snapshot_shown.disconnect(drawn)
        QTimer.singleShot(0, window.close)

    window.controller.snapshot_shown.connect(drawn)
