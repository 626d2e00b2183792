"""Start the Qt application and show the main window. The GUI process never imports torch."""
from __future__ import annotations

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
    # Python's cyclic garbage collector runs from the event loop's timer, never in the middle of a paint: a
    # pyqtgraph item finalised while its scene paints crashes the process (pyqtgraph's own advice and helper)
    from pyqtgraph.util.garbage_collector import GarbageCollector

    collector = GarbageCollector(interval=1.0)  # noqa: F841 (lives as long as run_gui, i.e. the app)
    app.setApplicationName("RNN Lab")
    app.setOrganizationName("RNNLab")
    apply_dark_theme(app)
    window = MainWindow()
    report = os.environ.get("RNNLAB_REPORT_STARTUP") == "1"  # benchmarks/gui.py measures start-up

    def painted():
        if report:
            print(f"startup-painted {time.time():.3f} {time.process_time():.3f}", flush=True)  # wall, CPU
        engine_client.start_deferred()
        if report:
            print(f"startup-engine {time.time():.3f}", flush=True)

    on_first_paint(window, painted)
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


def report_startup(window) -> None:
    """Print the wall-clock time of the first snapshot drawn, then quit (run_gui prints the first paint's)."""
    from PySide6.QtCore import QTimer

    def drawn(_snap):
        print(f"startup-snapshot {time.time():.3f}", flush=True)
        window.controller.snapshot_shown.disconnect(drawn)
        QTimer.singleShot(0, window.close)

    window.controller.snapshot_shown.connect(drawn)
