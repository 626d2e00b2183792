"""MainWindow: the RNN Lab window. ``MainWindow()`` builds everything with its defaults."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QPushButton,
)

from app.classroom.attach import Classroom
from app.compare.window import add_compare_action
from app.engine_link.first_paint import on_first_paint
from app.lecture.menu import LectureMenu
from app.lecture.slides_menu import SlideWalker
from app.lessons.greeting import first_start as first_start_here
from app.lessons.menu import attach_lessons
from app.panels.feed import make_panel_set
from app.panels.registry import front_panels
from app.results.dialog import ClassicResults
from app.window import settings as app_settings
from app.window.cell_links import CellLinks
from app.window.controller import LabController, config_to_values, seq_len_range
from app.window.data_actions import DATA_SUFFIXES, DataActions
from app.window.dock_layout import COMPACT_SIZE, DockLayout  # noqa: F401  (COMPACT_SIZE: tests, presentation)
from app.window.file_actions import FileActions
from app.window.model_actions import ModelActions, is_model_folder
from app.window.sizing import STATUS_FIELDS, ScreenKeeper, fitting_size, status_number
from app.window.status_history import HistoryStatusBar
from app.window.title import WindowTitle
from engine.lab.config import LabConfig
from engine.tasks import is_data_task, make_task
from widgets.chrome.controls import ControlsPanel
from widgets.chrome.status_field import StatusField
from widgets.chrome.timeline_bar import TimelineBar
from widgets.chrome.transport import TransportBar
from widgets.training.curve_math import short_name

DEFAULT_TASK = "adding"
REBUILD_KEYS = ("seq_len", "cell", "hidden_size", "num_layers", "bidirectional", "merge", "embedding_dim", "init", "h0",
                "optimizer", "seed", "attention")  # what LabSession.configure rebuilds on (a task parameter too)
CHANGE_NAMES = {"lr": "learning rate", "max_norm": "max-norm", "num_layers": "layers", "hidden_size": "H",
                "seq_len": "T", "embedding_dim": "E", "batch_size": "batch"}


def change_text(key: str, value) -> str:
    """A configuration change as an event label: "clipping off", "learning rate 0.01", "cell lstm"."""
    if key == "clip":
        return f"clipping {'on' if value else 'off'}"
    if key == "bidirectional":
        return "bidirectional" if value else "unidirectional"
    if key == "attention":
        return "attention head" if value else "no attention head (final state)"
    return f"{CHANGE_NAMES.get(key, key)} {value:g}" if isinstance(value, float) else \
        f"{CHANGE_NAMES.get(key, key)} {value}"


GHOST_PARTS = (("model", "merge"), ("model", "embedding_dim"), ("model", "init"), ("model", "h0"),
               ("train", "optimizer"), ("train", "seed"), ("train", "batch_size"), ("train", "max_norm"),
               ("task_params", "attention"))
CELL_NAMES = {"rnn_tanh": "simple RNN (tanh)", "rnn_relu": "simple RNN (ReLU)", "gru": "GRU", "lstm": "LSTM"}


def previous_run_label(snap, new: dict | None = None) -> str | None:
    """How the curves' ghost names a replaced run: by what differs from the new run (``new``, a
    LabConfig.to_dict()), all of it when nothing does (a reset): "previous run: LSTM (600 steps)"."""
    if snap is None or not snap.step:
        return None
    m, t = snap.config["model"], snap.config["train"]
    T = snap.config["task_params"].get("seq_len")
    parts = {("model", "cell"): CELL_NAMES.get(m["cell"], m["cell"]),
             ("model", "bidirectional"): "bidirectional" if m["bidirectional"] else "one direction",
             ("model", "hidden_size"): f"H {m['hidden_size']}", ("model", "num_layers"): f"{m['num_layers']} layers",
             ("train", "lr"): f"lr {t['lr']:g}", ("train", "clip"): "clipping " + ("on" if t["clip"] else "off")}
    parts.update({(part, key): change_text(key, snap.config[part][key])  # every other control, when it differs
                  for part, key in GHOST_PARTS if key in snap.config[part]})
    if T is not None:
        parts[("task_params", "seq_len")] = f"T {T}"
    differ = [text for (part, key), text in parts.items()
              if new is not None and new[part].get(key) != snap.config[part].get(key)]
    shown = differ or [parts[("model", "cell")], parts[("model", "hidden_size")]]
    return f"previous run: {', '.join(shown)} ({snap.step} steps)"


STATE_TEXT = {"training": "training", "paused": "paused", "diverged": "DIVERGED"}


def default_config() -> LabConfig:
    """The last configuration used, else the default task's preset."""
    saved = app_settings.load_json("last_config", None)
    if saved is not None:
        try:
            return LabConfig.from_dict(saved)
        except (ValueError, TypeError, KeyError):
            pass
    return LabConfig.for_task(DEFAULT_TASK)


class MainWindow(DockLayout, QMainWindow):
    def __init__(self, config: LabConfig | None = None, *, open_path: str | None = None, remember: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("RNN Lab")
        self.remember = remember
        self._closing = False
        first_start = remember and open_path is None and first_start_here()
        config = config or default_config()
        self._layout_untouched = True  # as Reset layout arranged it (app.window.dock_layout)
        self.controls = ControlsPanel()
        self.transport = TransportBar()
        self.timeline = TimelineBar()
        self.panels = make_panel_set(front_panels())  # the tabs behind them: when first needed
        self.strip, self.unrolled = self.panels["sequenceStrip"], self.panels["unrolledView"]
        self.controller = LabController(self, config, open_path)
        self._build_layout()
        self.setStatusBar(HistoryStatusBar(self))  # every message kept, one click away
        self._build_status_bar()
        self._build_actions()
        self.files = FileActions(self)
        self.title = WindowTitle(self)  # the session file and an unsaved-changes mark
        self.data = DataActions(self)
        self.models = ModelActions(self)  # File > Open model…, Export model…
        self.lecture = LectureMenu(self, self.lecture_note)
        self.compare_action = add_compare_action(self)
        self.classroom = Classroom(self)  # icon, help pages, About, presentation mode and zoom
        self.lessons = attach_lessons(self, first_start)  # Lecture > Lessons, the lesson pane, the greeting
        self.cell_links = CellLinks(self)  # drill-down into the cell view, hover sources, the clicked unit
        self.slides = SlideWalker(self)  # Lecture > Slides: the deck in order (Page Down / Up when presenting)
        self.results = ClassicResults(self)  # Help > Classic results: the papers behind the lecture, reproduced
        self._connect()
        self.setAcceptDrops(True)
        self.controls.set_tasks(self.controller.task_list())
        self.controls.set_values(config_to_values(config))
        if not is_data_task(config.task):  # a data file's task: its details come with the first snapshot
            self.controls.set_task_details(make_task(config.task, **config.task_params).description,
                                           seq_len_range(config.task), "min_len" in config.task_params)
        self._on_engine_state("ready" if self.controller.engine.client.is_ready else "starting")
        self.resize(fitting_size(self))
        self.screen_keeper = ScreenKeeper(self)  # a layout that grew the window past the screen gives it back
        # arranged for that size now (else the full arrangement's minimum, 1413x808, makes the window
        # larger than a 1280x720 screen when it is first shown), and again once it has its final size
        self.reset_layout()
        self._layout_pending = True
        self._hidden_panels_planned = False
        if remember:
            self._restore_geometry()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_labels = {}
        for key, tip, samples in STATUS_FIELDS:
            # as wide as its largest value at the current font: no re-layout per update, nothing cut
            label = StatusField(f"status_{key}", tip, samples)
            bar.addPermanentWidget(label)
            self.status_labels[key] = label
        self.restart_button = QPushButton("Restart engine")
        self.restart_button.setObjectName("restartEngineButton")
        self.restart_button.setToolTip("Start a new engine process from the last recovery point")
        self.restart_button.hide()
        bar.addPermanentWidget(self.restart_button)

    def show_step_estimate(self, estimate: dict) -> None:
        """Say before training when one step of this configuration takes over a second."""
        self.step_warning.setText(f"Slow configuration: {estimate['message']}." if estimate.get("slow") else "")
        self.step_warning.setVisible(bool(estimate.get("slow")))

    def _on_engine_state(self, state: str) -> None:
        """Controls that need the engine work only while it runs; the status bar says what it does."""
        ready = state == "ready"
        for widget in (self.controls, self.transport, self.strip):
            widget.setEnabled(ready)
        for key in ("train", "step", "reset", "example"):
            if key in getattr(self, "actions", {}):
                self.actions[key].setEnabled(ready)
        self.restart_button.setVisible(state == "dead")
        if state == "starting":
            self.status_labels["state"].setText("engine starting…")
        elif state == "dead":
            self.status_labels["state"].setText("engine stopped")

    def _build_actions(self) -> None:
        t = self.transport
        self.actions = {}
        specs = [
            ("train", "Train / Pause", "Space", lambda: t.train_button.toggle()),
            ("step", "Step one batch", "Ctrl+Right", self.controller.step_once),
            ("reset", "Reset weights", "Ctrl+R", self.transport.reset_clicked.emit),
            ("prev", "Previous time step", "Left", lambda: t.set_time(t.time() - 1)),
            ("next", "Next time step", "Right", lambda: t.set_time(t.time() + 1)),
            ("first", "First time step", "Home", lambda: t.set_time(0)),
            ("last", "Last time step", "End", lambda: t.set_time(10**9)),
            ("play", "Play through time", "P", lambda: t.play_button.toggle()),
            ("bptt", "Animate backpropagation through time", "B", lambda: t.bptt_button.toggle()),
            ("example", "New random example", "N", self.strip.new_button.click),
        ]
        run_menu = self.run_menu = self.menuBar().addMenu("&Run")
        for key, text, shortcut, fn in specs:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(fn)
            run_menu.addAction(action)
            self.actions[key] = action
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        reset_layout = QAction("Reset layout", self)
        reset_layout.setObjectName("resetLayoutAction")
        reset_layout.setToolTip("Every panel back in its place, the window sized to fit the screen")
        reset_layout.triggered.connect(self.reset_window)
        view_menu.addAction(reset_layout)
        self.actions["reset_layout"] = reset_layout
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("About RNN Lab", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _connect(self) -> None:
        c = self.controller
        self.controls.changed.connect(self._on_controls_changed)
        self.transport.train_toggled.connect(c.train)
        self.transport.step_clicked.connect(c.step_once)
        self.transport.reset_clicked.connect(c.reset)
        self.transport.reset_clicked.connect(lambda: self.mark_event("reset", "reset", at_start=True))
        self.transport.time_changed.connect(c.set_time)
        self.transport.backward_step.connect(c.show_backward_step)
        self.strip.time_clicked.connect(lambda t: self.transport.set_time(t))
        self.strip.sequence_submitted.connect(c.use_sequence)
        self.strip.new_example_requested.connect(c.new_example)
        self.timeline.view_requested.connect(c.view_checkpoint)
        self.panels["hiddenHeatmap"].unit_clicked.connect(lambda u: (self.panels["unitExplorerPanel"].select_unit(u),
                                                                     self.show_panel("unitExplorerPanel")))
        self.panels.when_built(self._wire_panel)
        c.status_message.connect(self._show_message)
        c.engine_state.connect(self._on_engine_state)
        self.restart_button.clicked.connect(c.engine.restart)

    def _wire_panel(self, name: str, panel) -> None:
        """A panel's signals to the controller (when it is built: at once, or when first needed)."""
        c = self.controller
        if name == "counterfactualPanel":
            panel.counterfactual_requested.connect(c.request_counterfactual)
        elif name == "attributionPanel":
            panel.options_requested.connect(c.request_attribution_options)
        if hasattr(panel, "set_requester"):  # panels that ask the engine for something (on demand)
            panel.set_requester(c.request)

    def start_afresh(self) -> bool:
        """Before the trained model is replaced (a preset, another task): ask about unsaved training.
        True when it may go; the training is then paused and counts as nothing to save."""
        if not self.files.may_discard():
            return False
        self.controller.pause("a new model replaces the trained one")
        self.controller.dirty_since_save = False
        return True

    def _on_controls_changed(self, values: dict) -> None:
        """Another task replaces the model: ask first (Cancel puts the controls back)."""
        old = config_to_values(self.controller.config)
        if values.get("task") != old["task"] and not self.start_afresh():
            self.controls.set_values(old)
            return
        if self.controller.apply_values(values):
            new = config_to_values(self.controller.config)
            changed = [change_text(k, new[k]) for k in new if new[k] != old[k] and k != "task"]
            if new["task"] != old["task"]:
                self.mark_event(f"task {new['task']}", "reset", at_start=True)
            elif changed:
                rebuilt = any(new[k] != old[k] for k in REBUILD_KEYS)
                self.mark_event(", ".join(changed) + (" (new model)" if rebuilt else ""), at_start=rebuilt)

    def mark_event(self, label: str, kind: str = "change", at_start: bool = False) -> None:
        """An event line on the training curves at the current step (or at 0: a run that starts over,
        when the curves drop the old run's events and keep the run itself as a ghost on the same task)."""
        shown = self.controller.shown
        step = 0 if at_start or shown is None else shown.step
        if at_start:
            same_task = shown is not None and shown.config["task"] == self.controller.config.task
            ghost = previous_run_label(shown, self.controller.config.to_dict()) if same_task else None
            self.panels["curvesPanel"].start_run(ghost, keep_ghost=same_task)
        self.panels["curvesPanel"].add_event(step, label, kind)

    # ---- status --------------------------------------------------------------------------
    def _show_message(self, text: str, timeout: int) -> None:
        self.statusBar().showMessage(text, timeout)

    def update_status(self, snap) -> None:
        labels = self.status_labels
        viewing = snap.timeline.get("viewing") if snap.timeline else None
        labels["step"].setText(f"step {snap.step}" if viewing is None else f"showing {viewing}/{snap.step}")
        self.viewing_banner.setVisible(viewing is not None)
        if viewing is not None:
            self.viewing_banner.setText(
                f"Viewing step {viewing} of {snap.step}: every panel shows the network as it was after "
                f"{viewing} training steps (the loss curve marks it). Train or 'Now' returns to the present.")
        labels["speed"].setText(f"{snap.steps_per_sec:.0f} steps/s")
        labels["loss"].setText(f"loss {status_number(snap.loss)}")
        name = short_name(snap.task_info.get("metric", "metric"))
        labels["metric"].setText(f"{name} {status_number(snap.metric)}")
        labels["state"].setText(STATE_TEXT.get(snap.state, snap.state))
        color = "#ef5b5b" if snap.state == "diverged" else ("#4cc38a" if snap.state == "training" else "")
        style = f"color: {color}; font-weight: bold;" if color else ""
        if labels["state"].styleSheet() != style:  # (a new style sheet re-polishes the label)
            labels["state"].setStyleSheet(style)

    def _about(self) -> None:
        self.classroom.about()

    # ---- persistence ---------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        s = app_settings.settings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and self.restoreState(state):
            self._layout_pending = False  # the user's own arrangement
            self._layout_untouched = False

    def _save_settings(self) -> None:
        s = app_settings.settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.sync()
        app_settings.save_json("last_config", self.controller.config.to_dict())

    def open_session(self, path: str) -> None:
        self.files.open_session(path)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._hidden_panels_planned:  # the tabs behind: built once the window is on screen
            self._hidden_panels_planned = True
            on_first_paint(self, lambda: QTimer.singleShot(0, self.build_hidden_panels))
        if self._layout_pending:
            self._layout_pending = False
            QTimer.singleShot(0, self.reset_layout)  # once the window has its final size

    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            # after the drop has finished: opening may ask about unsaved training in a dialog
            if is_model_folder(files[0]):
                QTimer.singleShot(0, lambda: self.models.open_model(files[0]))
            elif Path(files[0]).suffix.lower() in DATA_SUFFIXES:
                QTimer.singleShot(0, lambda: self.data.open_data(files[0]))
            else:
                QTimer.singleShot(0, lambda: self.open_session(files[0]))

    def closeEvent(self, event) -> None:
        if not self._closing and not self.files.may_discard():
            event.ignore()  # cancelled, or the save failed: keep the window (and the training) open
            return
        self._closing = True
        if self.remember:
            self._save_settings()
        self.controller.shutdown()
        super().closeEvent(event)
