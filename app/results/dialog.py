"""Help > Classic results: pick a published result, run it in the engine process with progress and
Cancel, read the published-vs-measured line beside the paper-style figure, save figure + CSV + README,
and keep exploring the trained model in the panels (the engine adopts it when the run is done).

The run happens in the engine (``LabSession.request_reproduce``); this dialog only polls its status
every ``POLL_MS`` and never imports torch.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.classroom.attach import menu_named
from app.results.figure_view import FigureView

POLL_MS = 250


class ResultsDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("classicResultsDialog")
        self.setWindowTitle("Classic results")
        self.window_ = window
        self.catalog: list[dict] = []
        self.outcome = None
        self.running = False
        self.quick = False  # the test suite's scaled-down runs (tests set it)
        self.figure_view: FigureView | None = None
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._build()
        self.resize(1100, 640)
        window.controller.request("results_catalog", self._on_catalog, self._on_error, refresh=False)

    # ---- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.list = QListWidget(objectName="resultsList")
        self.list.setMaximumWidth(300)
        self.list.setWordWrap(True)  # whole titles, on two lines where needed
        self.list.currentRowChanged.connect(self._on_result_changed)
        self.about = QLabel(objectName="resultAbout", wordWrap=True, textFormat=Qt.RichText)
        self.about.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.seed = QSpinBox(objectName="resultSeed", minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("Seed of the weights and the batches: the same seed gives the same run")
        self.run_button = QPushButton("Run", objectName="runResultButton")
        self.run_button.setToolTip("Train and measure now (the engine's current model is replaced when it is done)")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel run", objectName="cancelResultButton", enabled=False)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button = QPushButton("Save figure, data and README…", objectName="saveResultButton",
                                       enabled=False)
        self.save_button.clicked.connect(self.save)
        self.progress = QProgressBar(objectName="resultProgress", minimum=0, maximum=1000, textVisible=False)
        self.status = QLabel(objectName="resultStatus", wordWrap=True)
        self.line = QLabel(objectName="resultLine", wordWrap=True, textFormat=Qt.RichText)
        self.line.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.figure_box = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Seed"))
        buttons.addWidget(self.seed)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.about)
        right.addLayout(buttons)
        right.addWidget(self.progress)
        right.addWidget(self.status)
        right.addWidget(self.line)
        right.addLayout(self.figure_box, 1)
        holder = QWidget()
        holder.setLayout(right)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(holder, 1)

    # ---- the list ---------------------------------------------------------------------------
    def _on_catalog(self, catalog: list) -> None:
        self.catalog = list(catalog)
        for r in self.catalog:
            self.list.addItem(r["title"])
        if self.catalog:
            self.list.setCurrentRow(0)
        if getattr(self, "pending", None):
            self.select(self.pending)

    def select(self, name: str) -> bool:
        """Show result ``name`` (Lecture > Slides opens one); before the catalog arrives, once it does."""
        self.pending = name
        names = [r["name"] for r in self.catalog]
        if name not in names:
            return False
        self.pending = None
        self.list.setCurrentRow(names.index(name))
        return True

    def _on_result_changed(self, row: int) -> None:
        if not 0 <= row < len(self.catalog):
            return
        r = self.catalog[row]
        self.about.setText(f"<b>{r['title']}</b><br>{r['citation']}<br><br><b>Published:</b> {r['published']}"
                           f"<br><i>About {r['minutes']:g} min on a 2-core machine; the window stays usable.</i>")

    def selected(self) -> dict | None:
        row = self.list.currentRow()
        return self.catalog[row] if 0 <= row < len(self.catalog) else None

    # ---- running ----------------------------------------------------------------------------
    def start(self) -> None:
        r = self.selected()
        if r is None or self.running or not self.window_.start_afresh():
            return
        self.running = True
        self._set_busy(True)
        self.line.setText("")
        self.status.setText(f"Starting {r['title']}…")
        self.window_.controller.request("reproduce", lambda _s: self.timer.start(), self._on_error, refresh=False,
                                        name=r["name"], seed=int(self.seed.value()), quick=self.quick)

    def cancel(self) -> None:
        if self.running:
            self.status.setText("Cancelling…")
            self.window_.controller.request("reproduce_cancel", None, self._on_error, refresh=False)

    def _poll(self) -> None:
        self.window_.controller.request("reproduce_status", self._on_status, self._on_error, refresh=False)

    def _on_status(self, status: dict) -> None:
        state = status.get("state")
        if state == "running":
            self.progress.setValue(int(1000 * status.get("fraction", 0.0)))
            self.status.setText(status.get("text", ""))
            return
        self.timer.stop()
        self.running = False
        self._set_busy(False)
        if state == "done":
            self._show_outcome(status["outcome"], status["config"])
        elif state == "cancelled":
            self.progress.setValue(0)
            self.status.setText("Cancelled: the model you had is still there.")
        elif state == "failed":
            self.status.setText(f"The run failed: {status.get('text', '')}")

    def _show_outcome(self, outcome, config: dict) -> None:
        from engine.lab.config import config_from_dict

        self.outcome = outcome
        v = outcome.verdict
        colour = "#69db7c" if v.reproduced else "#ff8787"
        end = "reproduced" if v.reproduced else f"not reproduced ({v.why})"
        self.line.setText(f"<b>published:</b> {outcome.published}<br><b>measured:</b> {v.measured}<br>"
                          f"<b style='color:{colour}'>{end}</b>")
        if outcome.keep:
            self.status.setText(f"Done in {outcome.seconds:.0f} s. The trained {outcome.keep} is now in the window: "
                                "explore it in the panels, or train it further.")
        else:
            self.status.setText(f"Done in {outcome.seconds:.0f} s. This result trains small models of its own, not "
                                "one the window can show: the window's model is unchanged.")
        self.progress.setValue(1000)
        self.save_button.setEnabled(True)
        if self.figure_view is not None:
            self.figure_view.setParent(None)
            self.figure_view.deleteLater()
        self.figure_view = FigureView(outcome.figure)
        self.figure_box.addWidget(self.figure_view)
        w = self.window_
        if not outcome.keep:  # nothing adopted: the window's model and its history stay as they were
            return
        w.controller.adopt_config(config_from_dict(config))
        w.controller.dirty_since_save = True
        w.mark_event(f"result {outcome.name}", "reset", at_start=True)
        for name in reversed(outcome.panels):  # the first named panel ends in front
            if name in w.panels:
                w.show_panel(name)
        # the status poll asks for no snapshot: draw the adopted model now (an example of its own task),
        # not only when a panel's visibility happens to change
        w.controller.request("new_example")

    def _set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.list.setEnabled(not busy)
        self.seed.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.save_button.setEnabled(False)
            self.progress.setValue(0)

    def _on_error(self, message: str) -> None:
        self.timer.stop()
        self.running = False
        self._set_busy(False)
        self.status.setText(f"Could not run it: {message}")

    # ---- saving -----------------------------------------------------------------------------
    def save(self, folder: str | None = None) -> None:
        from app.export.figures import ExportError
        from app.results.export import export_outcome

        if self.outcome is None:
            return
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, "Save the figure, its data and README.md into")
            if not folder:
                return
        try:
            export_outcome(self.outcome, folder)
        except ExportError as exc:
            self.status.setText(f"Not saved: {exc}")
            return
        self.status.setText(f"Saved {self.outcome.name}.png, .svg, .csv, README.md and result.json in {folder}")

    def done(self, code: int) -> None:  # closing while running cancels the run
        if self.running:
            self.cancel()
            self.timer.stop()
            self.running = False
        super().done(code)


class ClassicResults:
    """Help > Classic results…, added to a main window in one call."""

    def __init__(self, window):
        self.window = window
        self.dialog: ResultsDialog | None = None
        self.action = QAction("Classic results…", window, objectName="classicResultsAction")
        self.action.setToolTip("The papers behind the lecture, reproduced here with their numbers beside ours")
        self.action.triggered.connect(self.open)
        menu_named(window, "Help").addAction(self.action)

    def open(self) -> ResultsDialog:
        if self.dialog is None:
            self.dialog = ResultsDialog(self.window)
        self.dialog.show()
        if QGuiApplication.platformName() != "offscreen":  # (offscreen warns that it cannot raise)
            self.dialog.raise_()
        return self.dialog
