"""Compare mode: two to four configurations trained side by side on the same batches.

``ComparePanels`` lays out the comparison (loss curves overlaid, ||dL/dh_t|| against the lag
overlaid, and each run's hidden-state heatmap and gates in a column) and draws a CompareSnapshot;
the window and the headless export (app.cli.compare) both use it. ``CompareWindow`` adds a setup
row, one shared transport and its own training worker, which it stops on close.
``add_compare_action(main_window)`` puts "Compare cells…" (Ctrl+K) into the main window's Run menu.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QToolBar,
    QWidget,
)

from app.compare.panels import ComparePanels, display_label, export_caption, file_stem, run_stats, run_title  # noqa: F401
from app.compare.seed_summary import summary_csv
from app.engine_link.client import EngineClient
from app.export.figures import ExportError, panel_files, write_bytes
from app.window.sizing import fitting_size
from app.window.status_history import HistoryStatusBar
from engine import CELLS
from engine.lab.compare_config import MAX_SEEDS, MIN_SEEDS, check_seeds, parse_variants, plan_runs
from engine.lab.config import LabConfig
from engine.process import protocol as P
from engine.tasks import is_data_task
from widgets.chrome.transport import TransportBar

REPAINT_MS = 33
DEFAULT_SPEC = "rnn_tanh,gru,lstm"
STATE_TEXT = {"training": "training", "paused": "paused", "diverged": "DIVERGED"}


class CompareSetup(QWidget):
    """Which runs: 2-4 cells, or one cell uni- vs bidirectional. ``spec()`` -> (variants text, cell)."""

    def __init__(self, cfg: LabConfig, spec: str = DEFAULT_SPEC, parent=None, seeds: int = 1):
        super().__init__(parent)
        self.setObjectName("compareSetup")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        self.mode_combo = QComboBox(objectName="compareModeCombo")
        self.mode_combo.addItems(["cells", "uni- vs bidirectional"])
        self.mode_combo.setToolTip("Compare 2-4 cell types, or one cell reading left to right only vs "
                                   "both ways")
        row.addWidget(QLabel("Compare"))
        row.addWidget(self.mode_combo)
        self.cell_boxes = {}
        for cell in CELLS:
            box = QCheckBox(cell, objectName=f"compareCell_{cell}")
            row.addWidget(box)
            self.cell_boxes[cell] = box
        self.cell_combo = QComboBox(objectName="compareBiCellCombo")
        self.cell_combo.addItems(CELLS)
        self.cell_combo.setCurrentText(cfg.model.cell)
        self.cell_combo.setToolTip("The cell of both runs")
        row.addWidget(self.cell_combo)
        row.addWidget(QLabel("seeds"))
        self.seeds_spin = QSpinBox(objectName="compareSeedsSpin")
        self.seeds_spin.setRange(1, MAX_SEEDS)
        self.seeds_spin.setValue(seeds)
        self.seeds_spin.setToolTip(f"Train each configuration with this many seeds (weights and batches: the seed, "
                                   f"the seed + 1, ...): 1, or {MIN_SEEDS}-{MAX_SEEDS} to see each curve's mean "
                                   "and the band from the lowest to the highest seed, and the final loss and "
                                   "metric as mean ± SD. The gradient plot, heatmaps, gates and speed show the "
                                   "first seed.")
        row.addWidget(self.seeds_spin)
        self.apply_button = QPushButton("Compare", objectName="compareApplyButton")
        self.apply_button.setToolTip("Build the runs afresh (same task, seed and batches), paused")
        row.addWidget(self.apply_button)
        self.message = QLabel("", objectName="compareSetupMessage")
        self.message.setStyleSheet("color: #ef5b5b;")
        row.addWidget(self.message, 1)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.set_spec(spec)
        self._on_mode_changed(self.mode_combo.currentIndex())

    def set_spec(self, spec: str) -> None:
        """Show ``spec`` ("rnn_tanh,gru,lstm" or "uni,bi") in the controls."""
        words = [w.strip().lower() for w in spec.split(",")]
        self.mode_combo.setCurrentIndex(1 if "bi" in words else 0)
        if "bi" not in words:
            for cell, box in self.cell_boxes.items():
                box.setChecked(cell in words)

    def spec(self) -> tuple[str, str | None, int]:
        """(variants text, the cell of uni,bi or None, seeds)."""
        seeds = self.seeds_spin.value()
        if self.mode_combo.currentIndex() == 1:
            return "uni,bi", self.cell_combo.currentText(), seeds
        return ",".join(c for c, box in self.cell_boxes.items() if box.isChecked()), None, seeds

    def _on_mode_changed(self, index: int) -> None:
        for box in self.cell_boxes.values():
            box.setVisible(index == 0)
        self.cell_combo.setVisible(index == 1)


class CompareWindow(QMainWindow):
    def __init__(self, cfg: LabConfig, spec: str = DEFAULT_SPEC, parent=None, data: dict | None = None,
                 seeds: int = 1):
        super().__init__(parent)
        self.setObjectName("compareWindow")
        self.data = data  # a data-file task's file (engine.tasks.data.data_files.pack), sent to the compare engine
        self.setWindowTitle("RNN Lab · compare")
        self.base_config = cfg
        self.session = None  # engine.lab.compare_config.RunPlan of the runs
        self.handle = None  # EngineClient of the engine process that trains them
        self.latest, self.shown, self.time = None, None, 0
        self.setup = CompareSetup(cfg, spec, seeds=seeds)
        self.transport = TransportBar()
        self.panels = ComparePanels(display_names=True)
        for widget, name in ((self.setup, "compareSetupBar"), (self.transport, "compareTransportBar")):
            bar = QToolBar(objectName=name, movable=False)
            bar.addWidget(widget)
            self.addToolBar(Qt.TopToolBarArea, bar)
            self.addToolBarBreak()
        self.setCentralWidget(self.panels)
        # there is no unrolled network here to send a gradient back through: no BPTT button that
        # would only move the cursors
        self.transport.bptt_button.hide()
        self.export_button = QPushButton("Export…", objectName="compareExportButton")
        self.export_button.setToolTip("Every figure of the comparison as PNG + SVG + CSV into a folder (Ctrl+E)")
        self.export_button.clicked.connect(self.export_dialog)
        self.setStatusBar(HistoryStatusBar(self))  # a long message ends in "…", kept whole in its History
        self.status = QLabel("", objectName="compareStatus")
        self.statusBar().addPermanentWidget(self.status)
        self.statusBar().addPermanentWidget(self.export_button)  # (at the left it covered the messages' start)
        self._connect()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_repaint_tick)
        self._timer.start(REPAINT_MS)
        self.resize(fitting_size(self))  # a projector's 1280x720, not 1600x1000 running off its edges
        self.start(spec, seeds=seeds)

    def _connect(self) -> None:
        t = self.transport
        t.train_toggled.connect(self._on_train_toggled)
        t.step_clicked.connect(lambda: self.handle and self.handle.send(P.StepN(1)))
        t.reset_clicked.connect(self.reset)
        t.time_changed.connect(self.set_time)
        self.setup.apply_button.clicked.connect(self._on_apply_clicked)
        for text, key, fn in (("Train / Pause", "Space", lambda: t.train_button.toggle()),
                              ("Step one batch", "Ctrl+Right", lambda: t.step_button.click()),
                              ("Previous time step", "Left", lambda: t.set_time(t.time() - 1)),
                              ("Next time step", "Right", lambda: t.set_time(t.time() + 1)),
                              ("New example", "N", self.new_example),
                              ("Export…", "Ctrl+E", self.export_dialog),
                              ("Close", "Ctrl+W", self.close)):
            action = QAction(text, self, shortcut=QKeySequence(key))
            action.triggered.connect(fn)
            self.addAction(action)

    # ---- runs ----------------------------------------------------------------------------
    def start(self, spec: str, cell: str | None = None, seeds: int = 1) -> bool:
        """Build the runs of ``spec`` ("rnn_tanh,gru,lstm" or "uni,bi"), each with ``seeds`` seeds; a bad spec
        or number of seeds is reported in the setup row and leaves the current runs alone. Returns success."""
        cfg = self.base_config
        if cell is not None:
            cfg = replace(cfg, model=replace(cfg.model, cell=cell))
        try:
            variants = parse_variants(spec)
            plan = plan_runs(cfg, variants)
            check_seeds(seeds)
        except ValueError as exc:
            self.setup.message.setText(str(exc))
            return False
        self.setup.message.setText("")
        self._stop_worker()
        self.session, self.latest = plan, None
        self.handle = client = EngineClient(P.Init(kind="compare", config=cfg.to_dict(),
                                                   variants=tuple(variants), data=self.data, seeds=seeds), self)
        client.snapshot_ready.connect(self._on_snapshot_ready)
        client.diverged.connect(self._on_diverged)
        client.failed.connect(lambda e: self.statusBar().showMessage(f"{e.what or 'Engine'} failed: {e.message}",
                                                                     10000))
        client.died.connect(lambda m: self.statusBar().showMessage(f"Engine stopped: {m}. Press Apply to "
                                                                   "start the comparison again.", 0))
        self.transport.set_training(False)
        seeds_text = f"seed {cfg.train.seed}" if seeds == 1 else \
            f"seeds {cfg.train.seed}-{cfg.train.seed + seeds - 1} each (mean and band)"
        self.statusBar().showMessage(f"{len(plan.labels)} runs on {cfg.task}, {seeds_text}: "
                                     "the same batches and the same example for every run.", 6000)
        return True

    def _stop_worker(self) -> None:
        if self.handle is not None:
            self.handle.shutdown()
            self.handle = None

    def reset(self) -> None:
        if self.handle:
            self.handle.send(P.Train(False))
            self.transport.set_training(False)
            self.handle.request("reset")

    def new_example(self) -> None:
        if self.handle:
            self.handle.request("new_example")

    def set_time(self, t: int) -> None:
        self.time = int(t)
        self.panels.set_time(self.time)

    def show_snapshot(self, snap) -> None:
        self.shown = snap
        self.transport.set_length(snap.runs[0].trace.hidden.shape[2])
        self.time = self.panels.show_snapshot(snap, self.time)
        self.transport.set_time(self.time, emit=False)
        self.transport.set_training(snap.state == "training")
        self.status.setText(f"step {snap.step} · {snap.steps_per_sec:.0f} steps/s · "
                            f"{STATE_TEXT.get(snap.state, snap.state)}")

    # ---- export --------------------------------------------------------------------------
    def export_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the comparison into folder")
        if folder:
            self.export(folder)

    def export(self, folder: str, light: bool = True) -> list:
        """Every figure (the overlays, each run's hidden states) as PNG, SVG and CSV; [] on failure
        (a warning says why)."""
        if self.shown is None:
            return []
        out = Path(folder)
        written = []
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, panel in self.panels.export_panels().items():
                for fname, data in panel_files(name, panel, light, 2.0, export_caption(name, self.shown)).items():
                    written.append(write_bytes(out / fname, data))
            written.append(write_bytes(out / "summary.csv", summary_csv(self.shown).encode("utf-8")))
        except (ExportError, OSError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return []
        self.statusBar().showMessage(f"Exported {len(written)} files to {folder}", 6000)
        return written

    # ---- handlers --------------------------------------------------------------------------
    def _on_apply_clicked(self) -> None:
        self.start(*self.setup.spec())

    def _on_train_toggled(self, on: bool) -> None:
        if self.handle:
            self.handle.send(P.Train(on))

    @Slot(object)
    def _on_snapshot_ready(self, snap) -> None:
        if self.handle is not None and self.sender() is self.handle:  # not a replaced run's
            if self.latest is not None:
                self.handle.send(P.Ack(self.latest.frame))
            self.latest = snap

    @Slot()
    def _on_repaint_tick(self) -> None:
        """Draw the newest snapshot, then acknowledge it so the engine sends the next."""
        if self.latest is not None:
            snap, self.latest = self.latest, None
            self.show_snapshot(snap)
            if self.handle is not None:
                self.handle.send(P.Ack(snap.frame))

    @Slot(object)
    def _on_diverged(self, stats) -> None:
        self.transport.set_training(False)
        self.statusBar().showMessage(f"A run diverged at step {stats.step} (its title says which); training "
                                     "paused with its last finite weights. Lower the learning rate or turn "
                                     "clipping on in the main window, then reopen.", 0)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()
        self._stop_worker()
        super().closeEvent(event)


class _CloseWithMain(QObject):
    """Closes the compare window when the main window closes (a non-spontaneous hide)."""

    def __init__(self, main):
        super().__init__(main)
        self.compare: CompareWindow | None = None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Hide and not event.spontaneous() and self.compare is not None:
            self.compare.close()
            self.compare = None
        return False

    @Slot()
    def forget(self) -> None:
        self.compare = None


def add_compare_action(window) -> QAction:
    """Add "Compare cells…" (Ctrl+K) to ``window``'s Run menu; it opens (or raises) a CompareWindow
    on ``window.controller.config``. Returns the action."""
    menus = [m for m in window.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "Run"]
    menu = menus[0] if menus else window.menuBar().addMenu("&Run")
    action = QAction("Compare cells…", window, shortcut=QKeySequence("Ctrl+K"))
    action.setObjectName("compareAction")
    action.setToolTip("Train 2-4 configurations side by side on the same batches (opens a new window)")
    guard = _CloseWithMain(window)
    window.installEventFilter(guard)

    def open_compare() -> None:
        if guard.compare is not None and guard.compare.isVisible():
            guard.compare.raise_()
            guard.compare.activateWindow()
            return
        cfg = window.controller.config
        if is_data_task(cfg.task):  # the compare engine needs the file the main engine holds: ask, never wait
            window.statusBar().showMessage("Compare: fetching the data file from the engine…", 5000)
            window.controller.request("data_pack", lambda data: show(cfg, data),
                                      lambda m: window.statusBar().showMessage(f"Compare failed: {m}", 10000),
                                      refresh=False)
            return
        show(cfg, None)

    def show(cfg, data) -> None:
        if guard.compare is not None and guard.compare.isVisible():
            return  # (opened meanwhile)
        guard.compare = CompareWindow(cfg, data=data)
        guard.compare.setAttribute(Qt.WA_DeleteOnClose)
        guard.compare.destroyed.connect(guard.forget)
        guard.compare.show()

    action.triggered.connect(open_compare)
    menu.addAction(action)
    action.guard = guard  # guard.compare: the open compare window, if any
    return action
