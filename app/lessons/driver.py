"""LessonDriver: runs a lesson in the window, step by step, beside the network.

A lesson starts from its Lecture preset (asking about unsaved training first). Each new step applies
its configuration, brings the panels it names forward and outlines them (veiled while its question is
open, so the panel does not give the answer away) and moves the time cursor. After the answer the
engine trains ``run_steps`` steps (the panels follow live; progress and Cancel in the pane), then
measures (``LabSession.request_lesson_measures``, the code ``--verify`` uses), and the reveal is
filled in from those numbers and judged with ``engine.lessons.outcome``. Progress, answers and each
reveal are remembered per lesson (app.lessons.progress); Back re-reads a step without running it.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QDockWidget

from app.lecture.menu import departures
from app.lessons import progress as store
from app.lessons.pane import LessonPane
from app.panels.front_tabs import bring_relevant_fronts
from engine.lessons.outcome import judge, namespace
from engine.process import protocol as P
from widgets.chrome.panel_mark import PanelMark

VEIL = "Predict first: answer the question in the lesson pane, then this panel shows what happens."


class LessonDriver(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pane = LessonPane()
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("lessonDock")
        self.dock.setWidget(self.pane)
        self.dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                              | QDockWidget.DockWidgetClosable)
        window.addDockWidget(Qt.LeftDockWidgetArea, self.dock)
        self.dock.hide()  # (tabbed with the controls when a lesson opens)
        self.lesson = None
        self.index = 0
        self.record: dict = {}  # app.lessons.progress form
        self.marks: list[PanelMark] = []  # outlines (and veils) on the panels a step names
        self.veils: list[PanelMark] = []  # veils on the other panels of their docks while a question is open
        self.run: tuple[int, int, int] | None = None  # (first step, last step, first frame) of a run
        self.busy = False  # a measure request is out
        self.fronts_for = None  # the step whose model's first snapshot decides the front tabs (front_tabs)
        self.figures: dict = {}  # (lesson name, step index) -> {panel: PNG bytes} of this session
        p = self.pane
        p.primary_clicked.connect(self._on_primary)
        p.back_clicked.connect(lambda: self.show_step(self.index - 1))
        p.restart_clicked.connect(self.restart)
        p.cancel_clicked.connect(self.cancel)
        p.choice_made.connect(self._on_choice_changed)
        window.controller.snapshot_shown.connect(self._on_snapshot_shown)

    # ---- opening ---------------------------------------------------------------------------
    def open(self, lesson, resume: bool = True) -> bool:
        """Start ``lesson`` from its preset; at the step reached before when ``resume``."""
        presets = {p.id: p for p in self.window.lecture.presets}
        if not self.window.start_afresh():
            return False
        self.cancel()
        lecture = self.window.lecture
        try:  # an open PyTorch example window answers the pytorch lesson's questions
            getattr(lecture, "pytorch_example", None) and lecture.pytorch_example.close()
        except RuntimeError:  # (its window is gone already)
            pass
        lecture.apply(presets[lesson.preset], show_result=False)  # the preset: task, model, fresh weights
        self.window.lecture.current = None  # the lesson pane says what to watch, not the preset's note
        self.window.lecture_note.hide()
        self.lesson = lesson
        self.record = store.load(lesson.name) if resume else {"step": 0, "done": False, "steps": {}}
        controls = self.window.docks["controlsDock"]
        if controls not in self.window.tabifiedDockWidgets(self.dock):  # (again after View > Reset layout)
            self.window.tabifyDockWidget(controls, self.dock)  # beside the network, in front of the controls
        self.dock.show()
        self.dock.raise_()
        width = self.window.width()
        self.window.resizeDocks([self.dock], [max(320, min(480, int(width * 0.3)))], Qt.Horizontal)
        self.show_step(min(self.record["step"], len(lesson.steps) - 1), apply=True)
        return True

    def restart(self) -> None:
        if self.lesson is not None:
            store.forget(self.lesson.name)
            self.open(self.lesson, resume=False)

    # ---- one step ---------------------------------------------------------------------------
    def state(self, index: int) -> dict:
        return self.record["steps"].get(str(index), {})

    def show_step(self, index: int, apply: bool | None = None) -> None:
        lesson = self.lesson
        if lesson is None or not 0 <= index < len(lesson.steps):
            return
        self.index = index
        step = lesson.steps[index]
        seen = self.state(index)
        revealed = "reveal" in seen or (not step.runs and index < self.record["step"])
        if apply is None:
            apply = not revealed  # Back re-reads a finished step; it does not rebuild the model
        if apply and step.config != self.window.controller.config:
            self.window.controller.set_config(step.config)
        self.clear_marks()
        self._bring(step)
        veil = VEIL if step.is_question and not revealed else ""
        self.marks = [PanelMark(self.window.panels[name], veil) for name in step.show]
        if veil:  # a panel beside a named one in its dock may give the answer away too: veiled, not outlined
            docks = [d for d in self.window.findChildren(QDockWidget) if d is not self.dock and any(
                d.isAncestorOf(self.window.panels[n]) for n in step.show)]
            self.veils = [PanelMark(panel, veil, outline=False) for name, panel in self.window.panels.items()
                          if name not in step.show and any(d.isAncestorOf(panel) for d in docks)]
        self._move_cursor(step.time)
        self.pane.show_step(lesson, step, seen.get("answer"))
        self.record["step"] = max(self.record["step"], index)
        store.save(lesson.name, self.record)
        if "reveal" in seen:
            self.pane.lock_choices(True)
            self.pane.show_reveal(step, seen.get("answer"), seen["reveal"], seen.get("why", ""),
                                  all(held for _, held in seen.get("checks", [])))
        self._update_primary()

    def _bring(self, step) -> None:
        """The step's panels forward as a preset's (together on the stage while presenting; two or more side by
        side in one dock otherwise, not tabs of one), and no tab left in front of a dock that does not apply to
        the step's model (app.panels.front_tabs), once it is shown."""
        self.window.bring_panels(step.show)
        self.fronts_for = step
        shown = self.window.controller.shown
        if shown is not None:  # already the step's model (what applies depends on its settings, not its seed)
            self._bring_fronts(shown)

    def _bring_fronts(self, snap) -> None:
        step = self.fronts_for
        if step is not None and not departures(step.config, snap.config):
            self.fronts_for = None
            bring_relevant_fronts(self.window, snap.trace, step.show)

    def _move_cursor(self, time) -> None:
        if time is None:
            return
        transport = self.window.transport
        transport.set_time({"first": 0, "last": 10**9}.get(time, time - 1 if isinstance(time, int) else 0))

    def _update_primary(self) -> None:
        step, seen = self.lesson.steps[self.index], self.state(self.index)
        last = self.index == len(self.lesson.steps) - 1
        if self.run is not None or self.busy:
            self.pane.set_primary("Running…", False)
        elif "reveal" in seen or not step.runs:
            self.pane.set_primary("Finish" if last else "Continue", not (last and self.record["done"]),
                                  "The next step" if not last else "Mark this lesson done")
        elif step.is_question and seen.get("answer") is None:
            self.pane.set_primary(self._run_text(step), False, "Choose an answer first: predict, then see")
        else:
            self.pane.set_primary(self._run_text(step), True, "Run it and compare with your answer")

    @staticmethod
    def _run_text(step) -> str:
        return f"Run {step.run_steps} steps and see" if step.run_steps else "Show me"

    def _on_choice_changed(self, k: int) -> None:
        if "reveal" in self.state(self.index):
            return
        self.record["steps"].setdefault(str(self.index), {})["answer"] = k
        store.save(self.lesson.name, self.record)
        self._update_primary()

    def _on_primary(self) -> None:
        step, seen = self.lesson.steps[self.index], self.state(self.index)
        if "reveal" in seen or not step.runs:
            if self.index + 1 < len(self.lesson.steps):
                self.show_step(self.index + 1)
            else:
                self.record["done"] = True
                store.save(self.lesson.name, self.record)
                self.pane.set_status("")
                self.pane.set_where(f"Lesson done: {len(self.lesson.steps)} steps. Restart to try again, or "
                                        "File > Export lesson handout for a page of your answers and figures.")
                self._update_primary()
            return
        self.start_run()

    # ---- running and revealing ----------------------------------------------------------------
    def start_run(self) -> None:
        step = self.lesson.steps[self.index]
        self.pane.lock_choices(True)
        for mark in self.marks:
            mark.lift_veil()
        self._clear_veils()
        self.pane.set_status("")
        controller = self.window.controller
        if controller.config != step.config:  # the student changed a setting: the lesson's claim is about its own
            controller.set_config(step.config)
            self.pane.set_status("The step's own settings are back for this run (you had changed them).")
        if step.reset:
            controller.request("reset")
        self.busy = True
        self.pane.set_running(True, 0, step.run_steps)
        controller.request("lesson_measures", self._on_started, self._on_failed, refresh=False, names=["step"])
        self._update_primary()

    def _on_started(self, values: dict) -> None:
        self.busy = False
        step = self.lesson.steps[self.index]
        if not step.run_steps:
            self._measure()
            return
        controller = self.window.controller
        newest = max((s.frame for s in (controller.latest, controller.shown) if s is not None), default=0)
        first = int(values["step"])
        self.run = (first, first + step.run_steps, newest + 1)  # only snapshots sent after this count
        controller.dirty_since_save = True
        controller.send(P.StepN(step.run_steps))

    @Slot(object)
    def _on_snapshot_shown(self, snap) -> None:
        if self.fronts_for is not None:
            self._bring_fronts(snap)
        if self.run is None:
            return
        first, last, frame = self.run
        if snap.frame < frame:
            return
        self.pane.set_running(True, snap.step - first, last - first)
        if snap.step >= last or snap.state == "diverged":
            self.run = None
            self._measure()

    def _measure(self) -> None:
        self.busy = True
        step = self.lesson.steps[self.index]
        self.pane.set_running(True, step.run_steps, step.run_steps)
        self.pane.progress.setFormat("measuring…")
        self.window.controller.request("lesson_measures", self._on_measured, self._on_failed, refresh=False,
                                       names=list(step.measures))

    def _on_measured(self, values: dict) -> None:
        self.busy = False
        self.pane.set_running(False)
        step = self.lesson.steps[self.index]
        seen = self.record["steps"].setdefault(str(self.index), {})
        seen["values"] = values
        measured = {int(k): v["values"] for k, v in self.record["steps"].items() if "values" in v}
        outcome = judge(step, namespace(self.lesson, measured, self.index))
        seen.update(reveal=outcome.reveal, why=outcome.why, checks=[list(c) for c in outcome.checks])
        store.save(self.lesson.name, self.record)
        self.pane.show_reveal(step, seen.get("answer"), outcome.reveal, outcome.why, outcome.ok)
        if not outcome.ok:
            self.pane.set_status("Not as the lesson expects: " + "; ".join(t for t, held in outcome.checks
                                                                            if not held))
        self.capture_figures(step)
        self._update_primary()

    def _on_failed(self, message: str) -> None:
        self.busy = False
        self.run = None
        self.pane.set_running(False)
        self.pane.set_status(f"The run could not finish: {message}. Press the button to try again.")
        self._update_primary()

    def cancel(self) -> None:
        """Stop a run: training pauses; the step can be run again."""
        if self.run is None and not self.busy:
            return
        self.run = None
        self.busy = False
        self.window.controller.pause()
        self.pane.set_running(False)
        self.pane.set_status("Cancelled: press the button to run again (training goes on from here).")
        self._update_primary()

    # ---- marks and figures ---------------------------------------------------------------------
    def clear_marks(self) -> None:
        for mark in self.marks:
            mark.hide()
            mark.deleteLater()
        self.marks = []
        self._clear_veils()

    def _clear_veils(self) -> None:
        for veil in self.veils:
            veil.hide()
            veil.deleteLater()
        self.veils = []

    def capture_figures(self, step) -> None:
        """PNGs of the step's panels as the student sees them now (for the handout)."""
        from app.export.figures import ExportError, render_png

        shots = {}
        for mark in self.marks:
            mark.hide()
        try:
            for name in step.show:
                try:
                    shots[name] = render_png(self.window.panels[name].export_item(), 1.0)
                except ExportError:
                    continue
        finally:
            for mark in self.marks:
                mark.show()
        self.figures[(self.lesson.name, step.index)] = shots

    def close(self) -> None:
        self.cancel()
        self.clear_marks()
        self.dock.hide()
        self.lesson = None
        self.fronts_for = None
