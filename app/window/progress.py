"""Progress with Cancel for long operations in the window (export all, the GIF sweep).

``run = ProgressRun(window, "Exporting…")`` is the ``progress(done, total, text)`` callback the export
functions take: it shows a window-modal progress dialog once the work has taken over half a second,
keeps the window painting, and returns False after Cancel (the export then removes its files)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

SHOW_AFTER_MS = 500


class ProgressRun:
    def __init__(self, parent, title: str):
        self.dialog = QProgressDialog(title, "Cancel", 0, 1, parent)
        self.dialog.setObjectName("progressDialog")
        self.dialog.setWindowTitle("RNN Lab")
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.title = title

    def __call__(self, done: int, total: int, text: str) -> bool:
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(max(total, 1))
        self.dialog.setLabelText(f"{self.title}\n{text}")
        self.dialog.setValue(done)
        QApplication.processEvents()
        return not self.dialog.wasCanceled()

    def cancel(self) -> None:
        """As if the user pressed Cancel (tests)."""
        self.dialog.cancel()

    def close(self) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()


class BusyIndicator:
    """A busy bar with a message in the status bar for work the engine does in its own process
    (opening a session): it appears once the work has taken over half a second and goes when
    ``stop()`` is called. The window stays usable meanwhile."""

    def __init__(self, window, text: str):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QLabel, QProgressBar

        self.window = window
        self.label = QLabel(text, objectName="busyLabel")
        self.bar = QProgressBar(objectName="busyBar")
        self.bar.setRange(0, 0)  # (busy: no percentage is known)
        self.bar.setMaximumWidth(120)
        self.timer = QTimer(window)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._show)
        self.timer.start(SHOW_AFTER_MS)
        self.shown = False

    def _show(self) -> None:
        bar = self.window.statusBar()
        bar.addWidget(self.label)
        bar.addWidget(self.bar)
        self.label.show()
        self.bar.show()
        self.shown = True

    def stop(self) -> None:
        self.timer.stop()
        if self.shown:
            self.window.statusBar().removeWidget(self.label)
            self.window.statusBar().removeWidget(self.bar)
        self.label.deleteLater()
        self.bar.deleteLater()
        self.shown = False
