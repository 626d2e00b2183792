"""Start the Qt application and show the main window. The GUI process never imports torch."""
from __future__ import annotations

import os
import sys
import time


def run_gui(session_path: str | None = None, data_path: str | None = None, model_path: str | None = None,
            neutral: str | None = None) -> int:
    from app.engine_link import client as engine_client

    engine_client.prestart()  # torch loads in the engine process while the window is built
    from PySide6.QtWidgets import QApplication

    from app.engine_link.recovery_offer import offer_recovery
    from app.window.main_window import MainWindow
    from app.window.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("RNN Lab")
    app.setOrganizationName("RNNLab")
    apply_dark_theme(app)
    window = MainWindow()
    if os.environ.get("RNNLAB_REPORT_STARTUP") == "1":  # benchmarks/gui.py measures start-up
        report_startup(app, window)
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


def report_startup(app, window) -> None:
    """Print the wall-clock time of the first paint and of the first snapshot drawn, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint:
                print(f"startup-painted {time.time():.3f}", flush=True)
                obj.removeEventFilter(self)
            return False

    window._startup_filter = FirstPaint(window)
    window.installEventFilter(window._startup_filter)

    def drawn(_snap):
        print(f"startup-snapshot {time.time():.3f}", flush=True)
        window.controller.snapshot_shown.disconnect(drawn)
        QTimer.singleShot(0, window.close)

    window.controller.snapshot_shown.connect(drawn)
