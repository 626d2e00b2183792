"""Start the Qt application and show the main window."""
from __future__ import annotations

import sys


def run_gui(session_path: str | None = None, data_path: str | None = None) -> int:
    import torch
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .theme import apply_dark_theme

    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("RNN Lab")
    app.setOrganizationName("RNNLab")
    apply_dark_theme(app)
    window = MainWindow()
    window.show()
    if session_path:
        window.open_session(session_path)
    elif data_path:
        window.data.open_data(data_path)
    return app.exec()
