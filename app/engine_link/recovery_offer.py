"""At start: offer to restore the training an unclean exit left behind (its recovery point)."""
from __future__ import annotations

import time

from PySide6.QtWidgets import QMessageBox

from app.engine_link import recovery
from engine.lab.config import config_from_dict


def ask_restore(window, path, when: str) -> bool:
    """True to restore (tests replace this)."""
    answer = QMessageBox.question(
        window, "Restore unsaved training?",
        f"RNN Lab did not close cleanly last time. Its training was saved as a recovery point ({when}).\n\n"
        "Restore it? (No discards it.)", QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
    return answer == QMessageBox.Yes


def offer_recovery(window) -> bool:
    """Ask about the newest stale recovery file; True when it is being restored."""
    files = recovery.stale_recovery_files()
    if not files:
        return False
    newest = files[0]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(newest.stat().st_mtime))
    if not ask_restore(window, newest, when):
        for path in files:
            recovery.discard(path)
        return False
    controller = window.controller

    def restored(cfg):
        controller.adopt_config(config_from_dict(cfg))
        controller.dirty_since_save = True  # restored, not saved anywhere yet
        for path in files:
            recovery.discard(path)
        window.statusBar().showMessage("Restored the training of the last session: press Train to continue",
                                       8000)

    controller.request("open", restored, lambda msg: window.statusBar().showMessage(
        f"Could not restore the recovery point: {msg}", 10000), path=str(newest))
    return True
