"""File menu of the main window: sessions (save, open, recent, drag and drop) and exports."""
from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMenu, QMessageBox

from app.export.caption import snapshot_caption
from app.export.figures import ExportCancelled, ExportError, export_all, export_panel
from app.export.gif import export_gif
from app.export.timelapse import TimelapseExport
from app.panels.registry import SPECS
from app.window import settings as app_settings
from app.window.progress import BusyIndicator, ProgressRun
from engine.lab.config import LabConfig, config_from_dict

SESSION_FILTER = "RNN Lab sessions (*.rnnlab);;All files (*)"


def ask_unsaved(window) -> str:
    """'save', 'discard' or 'cancel' (tests replace this)."""
    answer = QMessageBox.question(
        window, "Unsaved training", "The training in this window has not been saved. Save it first?",
        QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
    return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")


def no_plot_menus(panel) -> None:
    """Switch off pyqtgraph's own right-click menus in a panel's plots."""
    for view in panel.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, (pg.ViewBox, pg.PlotItem)):
                item.setMenuEnabled(False)


class FileActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.session_path: str | None = None
        self.light_export = QAction("Light theme for export", self)
        self.light_export.setCheckable(True)
        self.light_export.setChecked(bool(app_settings.load_json("light_export", True)))
        self.light_export.setToolTip("White background and dark ink in exported figures (the screen stays dark)")
        self.light_export.toggled.connect(lambda on: app_settings.save_json("light_export", on))
        self.sweep_export = QAction("Export all includes the time sweep", self, objectName="sweepExportAction")
        self.sweep_export.setCheckable(True)
        self.sweep_export.setChecked(bool(app_settings.load_json("sweep_export", True)))
        self.sweep_export.setToolTip("One picture of the time-indexed panels per step t (frames/ and the slider "
                                     "of index.html); off: a faster export without them")
        self.sweep_export.toggled.connect(lambda on: app_settings.save_json("sweep_export", on))
        self._build_menu()
        self._shape = None
        window.panels.when_built(self._wire_panel)
        self._current = "unrolledView"  # the panel last clicked in (Export current view)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self.controller.snapshot_shown.connect(self._on_snapshot_shown)

    def _wire_panel(self, name: str, panel) -> None:
        """Right-click on a panel opens our export menu (for each panel when it is built)."""
        panel.setContextMenuPolicy(panel.contextMenuPolicy().CustomContextMenu)
        panel.customContextMenuRequested.connect(
            lambda pos, n=name: self.show_panel_menu(n, self.window.panels[n].mapToGlobal(pos)))
        if self._shape is not None:  # built after the first snapshot: pyqtgraph's menus off now
            no_plot_menus(panel)

    @Slot(object)
    def _on_snapshot_shown(self, snap) -> None:
        """Right-click on a plot opens our export menu, not pyqtgraph's own: switch pyqtgraph's
        menus off again whenever panels may have rebuilt their plots (a new shape or cell)."""
        shape = (snap.trace.hidden.shape, snap.trace.cell_type, snap.config["task"])
        if shape != self._shape:
            self._shape = shape
            for panel in self.window.panels.built().values():
                no_plot_menus(panel)

    # ---- menu --------------------------------------------------------------------------
    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        menu = QMenu("&File", self.window)
        bar.insertMenu(bar.actions()[0] if bar.actions() else None, menu)
        self.recent_menu = QMenu("Open &recent", self.window)
        self.recent_menu.setObjectName("recentMenu")
        items = [("Open session…", QKeySequence.Open, self.open_dialog),
                 (self.recent_menu, None, None),
                 ("Save session", QKeySequence.Save, self.save),
                 ("Save session as…", QKeySequence("Ctrl+Shift+S"), self.save_as), None,
                 ("Export all…", QKeySequence("Ctrl+E"), self.export_all_dialog),
                 ("Export current view…", QKeySequence("Ctrl+Shift+E"), self.export_current_dialog),
                 ("Export time sweep (GIF)…", QKeySequence("Ctrl+G"), self.export_gif_dialog),
                 ("Export training time-lapse (GIF)…", QKeySequence("Ctrl+Shift+G"), self.export_timelapse_dialog)]
        self.actions = {}
        for item in items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item[0], QMenu):
                menu.addMenu(item[0])
            else:
                action = menu.addAction(item[0])
                action.setShortcut(item[1])
                action.triggered.connect(item[2])
                self.actions[item[0]] = action
        panels_menu = menu.addMenu("Export panel")
        for name in self.window.panels:
            panels_menu.addMenu(self._panel_menu(name))
        menu.addAction(self.light_export)
        menu.addAction(self.sweep_export)
        menu.addSeparator()
        quit_action = menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.window.close)
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    def show_panel_menu(self, name: str, global_pos) -> None:
        """The right-click menu of a panel: export as PNG, SVG or CSV."""
        self._panel_menu(name).exec(global_pos)

    def _panel_menu(self, name: str) -> QMenu:
        menu = QMenu(SPECS[name].title, self.window)
        for label, fmt in (("Export as PNG…", "png"), ("Export as SVG…", "svg"), ("Export data as CSV…", "csv")):
            menu.addAction(label).triggered.connect(lambda _=False, f=fmt, n=name: self.export_panel_dialog(n, f))
        return menu

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = app_settings.recent_files()
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in files:
            self.recent_menu.addAction(path).triggered.connect(lambda _=False, p=path: self.open_session(p))

    # ---- sessions ----------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", SESSION_FILTER)
        if path:
            self.open_session(path)

    def may_discard(self) -> bool:
        """Before unsaved training is replaced (open) or closed: ask Save / Discard / Cancel.
        True when it may go (saved, discarded, or nothing unsaved); False keeps it."""
        if not self.controller.dirty_since_save:
            return True
        answer = ask_unsaved(self.window)
        return answer == "discard" or (answer == "save" and self.save_before_close())

    def open_session(self, path: str) -> None:
        """Load in the engine; the window follows when it is done (or says why not).
        Unsaved training in the window is not replaced without asking."""
        if not self.may_discard():
            return
        self.controller.pause()
        busy = BusyIndicator(self.window, f"Opening {Path(path).name}…")

        def opened(cfg):
            busy.stop()
            self._opened(config_from_dict(cfg), path)

        def failed(msg):
            busy.stop()
            self._failed("open", msg)

        self.controller.request("open", opened, failed, path=str(path))

    def save(self) -> None:
        if self.session_path:
            self.save_to(self.session_path)
        else:
            self.save_as()

    def save_as(self) -> None:
        path = self.ask_save_path()
        if path:
            self.save_to(path)

    def ask_save_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", self.session_path or "run.rnnlab",
                                              SESSION_FILTER)
        if path and not path.endswith(".rnnlab"):
            path += ".rnnlab"
        return path or None

    def save_to(self, path: str) -> None:
        self.controller.request("save", self._saved, lambda msg: self._failed("save", msg), refresh=False,
                                path=str(path))

    def save_before_close(self, timeout: float = 300.0) -> bool:
        """Pause, save to the session's file (or one the user picks) and wait until it is written.

        True when saved; False when the user cancelled or the save failed (a warning says why), so
        the window stays open and nothing is lost."""
        path = self.session_path or self.ask_save_path()
        if not path:
            return False
        self.controller.pause()
        try:
            self.controller.call("save", timeout=timeout, path=str(path))
        except Exception as exc:  # ValueError (the engine's message) or EngineError: the window stays open
            QMessageBox.warning(self.window, "Could not save the session", str(exc) or type(exc).__name__)
            return False
        self._saved(path)
        return True

    def _saved(self, path: str) -> None:
        self.session_path = path
        self.controller.dirty_since_save = False
        app_settings.add_recent(path)
        self.window.statusBar().showMessage(f"Saved session to {path}", 5000)

    def _opened(self, cfg: LabConfig, path: str) -> None:
        self.window.panels["curvesPanel"].start_run(replaced=False)  # the session's run, not the last one's
        self.session_path = path
        self.controller.dirty_since_save = False
        self.controller.adopt_config(cfg)
        self.controller.estimate_step_time()
        app_settings.add_recent(path)
        self.window.statusBar().showMessage(f"Opened {Path(path).name}: press Train to continue", 6000)

    def _failed(self, what: str, message: str) -> None:
        QMessageBox.warning(self.window, f"Could not {what} the session", message)

    # ---- exports -----------------------------------------------------------------------
    def _scale(self) -> float | None:
        scale, ok = QInputDialog.getDouble(self.window, "PNG scale", "Scale factor (1 = on-screen size):",
                                           2.0, 0.25, 8.0, 2)
        return scale if ok else None

    def current_panel(self) -> str:
        """The panel the user last clicked in, if it is still in view; else the first one in view."""
        name = self._current
        built = self.window.panels.built()
        if name in built and built[name].isVisible():
            return name
        return next((n for n, p in built.items() if p.isVisible() and n != "sequenceStrip"), "unrolledView")

    def _on_focus_changed(self, _old, now) -> None:
        """Remember the panel the user last worked in (a click on a plot or a control focuses it)."""
        for name, panel in self.window.panels.built().items():
            if now is not None and (panel is now or panel.isAncestorOf(now)):
                self._current = name
                return

    def export_current_dialog(self) -> None:
        name = self.current_panel()
        path, chosen = QFileDialog.getSaveFileName(
            self.window, f"Export current view: {SPECS[name].title}", f"{name}.png",
            "PNG image (*.png);;SVG vector image (*.svg);;CSV data (*.csv)")
        if not path:
            return
        fmt = Path(path).suffix.lower().lstrip(".")
        if fmt not in ("png", "svg", "csv"):
            fmt = "svg" if "SVG" in chosen else "csv" if "CSV" in chosen else "png"
            path += "." + fmt
        self.export_panel(name, path, fmt, 2.0)

    def export_panel_dialog(self, name: str, fmt: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export {SPECS[name].title}",
                                              f"{name}.{fmt}", f"{fmt.upper()} (*.{fmt})")
        if not path:
            return
        scale = self._scale() if fmt == "png" else 1.0
        if scale is not None:
            self.export_panel(name, path, fmt, scale)

    def bring_panels_up_to_date(self, timeout: float = 120.0):
        """Before an export: ask the engine for a snapshot of the current model and example with every
        analysis computed (hidden panels' too) and draw it in every panel, hidden or not. Returns the
        snapshot, or None (a warning says why). Waits in a local event loop; the window stays live."""
        box: dict = {}
        loop = QEventLoop()

        def done(snap):
            box["snap"] = snap
            loop.quit()

        def failed(message):
            box["error"] = message
            loop.quit()

        self.window.panels.build_all()  # (the tabs never shown too)
        self.window.statusBar().showMessage("Bringing every panel up to date for the export…")
        self.controller.request("full_snapshot", on_done=done, on_error=failed, refresh=False)
        QTimer.singleShot(int(timeout * 1000), loop.quit)
        if not box:
            loop.exec()
        snap = box.get("snap")
        if snap is None:
            reason = box.get("error", "no answer from the engine")
            QMessageBox.warning(self.window, "Export failed", f"Could not bring the panels up to date: {reason}")
            return None
        held = self.controller.held
        self.controller.hold_display(True)  # (no newer snapshot drawn in between)
        self.controller.show_snapshot(snap)
        for name in list(self.window.panels.built()):  # one panel per event-loop turn: the window stays live
            self.controller.feed([name])
            QApplication.processEvents()
        self.controller.hold_display(held)
        return snap

    def export_panel(self, name: str, path: str, fmt: str, scale: float = 2.0) -> bool:
        if self.bring_panels_up_to_date() is None:
            return False
        snap = self.controller.shown
        caption = snapshot_caption(snap) if snap is not None else None  # the figure says what it shows
        run, held = ProgressRun(self.window, f"Exporting {SPECS[name].title} to {path}"), self.controller.held
        self.controller.hold_display(True)  # (painted over several event-loop turns, as Export all)
        try:
            return self._report(lambda: export_panel(self.window.panels[name], path, fmt, scale,
                                                     self.light_export.isChecked(), caption, progress=run),
                                f"Exported {path}")
        finally:
            run.close()
            self.controller.hold_display(held)

    def export_all_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Export all into folder")
        if folder:
            self.export_all(folder)

    def export_all(self, folder: str) -> bool:
        snap = self.bring_panels_up_to_date()
        if snap is None:
            return False
        self.controller.feed()
        run = self.progress = ProgressRun(self.window, f"Exporting every panel to {folder}")
        held = self.controller.held  # (a time-lapse export may hold the display too)
        self.controller.hold_display(True)  # the export paints the panels over many event-loop turns
        try:
            return self._report(lambda: export_all(folder, self.window.panels, snap, self.light_export.isChecked(),
                                                   progress=run, frames=self.sweep_export.isChecked()),
                                f"Exported every panel, trace.npz, config.json and index.html to {folder}")
        finally:
            run.close()
            self.controller.hold_display(held)
            self.controller.set_time(self.controller.time)

    def export_gif_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export time sweep", "time_sweep.gif", "GIF (*.gif)")
        if path:
            self.export_gif(path)

    def export_gif(self, path: str) -> bool:
        snap = self.bring_panels_up_to_date()
        if snap is None:
            return False
        T = snap.trace.hidden.shape[2]
        self.controller.feed()
        run = self.progress = ProgressRun(self.window, f"Exporting the time sweep to {path}")
        try:
            ok = self._report(lambda: export_gif(path, self.window.panels, T, self.light_export.isChecked(),
                                                 restore_time=self.controller.time, progress=run),
                              f"Exported a {T}-frame time sweep to {path}")
        finally:
            run.close()
        self.controller.set_time(self.controller.time)
        return ok

    def export_timelapse_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export training time-lapse", "training_timelapse.gif",
                                              "GIF (*.gif)")
        if path:
            self.export_timelapse(path)

    def export_timelapse(self, path: str) -> TimelapseExport:
        """Start the time-lapse export (one frame per checkpoint); it reports in the status bar when done."""
        job = TimelapseExport(self.window, path, self.light_export.isChecked())
        self._timelapse = job  # kept alive until it finishes

        def done(ok: bool, message: str) -> None:
            if ok:
                self.window.statusBar().showMessage(message, 8000)
            else:
                QMessageBox.warning(self.window, "Export failed", message)
            self._timelapse = None

        job.finished.connect(done)
        self.window.statusBar().showMessage(f"Exporting a training time-lapse of {len(job.steps)} frames…", 0)
        job.start()
        return job

    def _report(self, fn, done: str) -> bool:
        try:
            fn()
        except ExportCancelled:
            self.window.statusBar().showMessage("Export cancelled; no files left behind", 6000)
            return False
        except (ExportError, OSError) as exc:
            QMessageBox.warning(self.window, "Export failed", str(exc))
            return False
        self.window.statusBar().showMessage(done, 6000)
        return True
