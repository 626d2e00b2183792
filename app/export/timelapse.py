"""The training time-lapse: an animated GIF with one frame per checkpoint of training (and the
present), the panels of the time sweep plus the loss curve, each frame captioned with its step.

The engine re-probes the displayed example at the checkpoints in chunks
(``LabSession.request_timelapse_snapshots``); each chunk is drawn into the panels and grabbed as it
arrives, so the window stays responsive and memory holds one chunk of snapshots at a time.
"""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from app.export.files import ExportError, check_writable_file, write_bytes
from app.export.gif import MAX_WIDTH, figure_widget, gif_bytes, qimage_pil, tile
from app.panels.feed import apply_snapshot
from app.panels.registry import sweep_panels

CHUNK = 16  # checkpoints re-probed per engine request
MS_PER_FRAME = 180
EXTRA_PANELS = ("curvesPanel",)  # beside the sweep panels: the loss curve with the step marked


def timelapse_steps(timeline: dict) -> list[int]:
    """One frame per checkpointed step, and the present if it is not one."""
    steps = [int(s) for s in timeline.get("steps", ())]
    present = int(timeline.get("present", 0))
    return steps if steps and steps[-1] == present else steps + [present]


def grab_pil(widget) -> Image.Image:
    """A widget's picture as an RGB PIL image, straight from the QImage's bytes (no PNG round trip)."""
    return qimage_pil(widget.grab().toImage())


def caption(frame: Image.Image, text: str, light: bool) -> Image.Image:
    band = 34
    bg, ink = ((255, 255, 255), (27, 29, 34)) if light else ((21, 23, 28), (255, 204, 68))
    out = Image.new("RGB", (frame.width, frame.height + band), bg)
    out.paste(frame, (0, band))
    ImageDraw.Draw(out).text((10, 6), text, fill=ink, font=ImageFont.load_default(size=20))
    return out


def draw_frames(panels: dict, snaps, time: int, present: int, light: bool) -> list[Image.Image]:
    """One captioned frame per snapshot: the panels' figures drawn with it, tiled (as the time sweep)."""
    frames = []
    for snap in snaps:
        apply_snapshot(panels, snap, time, task_changed=False)
        QApplication.processEvents()
        frame = tile([grab_pil(figure_widget(p)) for p in panels.values()])  # (no selectors, buttons)
        if frame.width > MAX_WIDTH:
            frame = frame.resize((MAX_WIDTH, round(frame.height * MAX_WIDTH / frame.width)), Image.LANCZOS)
        step = snap.trace.step
        label = f"training step {step} of {present}" + ("  (now)" if step == present else "")
        # fast octree palette per frame: the GIF writer's default quantiser costs ~0.25 s a frame
        frames.append(caption(frame, label, light).quantize(256, Image.Quantize.FASTOCTREE))
    return frames


def export_session_timelapse(path, session, panels: dict, light: bool = False) -> int:
    """Headless (CLI): the same GIF from an engine session in this process. Returns the frame count."""
    check_writable_file(path)
    begin = session.request_timelapse_begin()
    steps = begin["steps"]
    chosen = {n: panels[n] for n in sweep_panels() + EXTRA_PANELS if n in panels}
    for p in chosen.values():
        p.set_theme(light)
    frames = []
    try:
        for lo in range(0, len(steps), CHUNK):
            snaps = session.request_timelapse_snapshots(steps[lo:lo + CHUNK], key=begin["key"])
            frames += draw_frames(chosen, snaps, 0, session.trainer.step_count, light)
    finally:
        for p in chosen.values():
            p.set_theme(False)
    write_bytes(path, gif_bytes(frames, MS_PER_FRAME))
    return len(frames)


class TimelapseExport(QObject):
    """The window's time-lapse export: the path is checked first; a window-modal progress dialog with Cancel
    shows from the first second (and keeps the controls out of reach); the engine refuses any chunk once the
    model changed (``LabSession.request_timelapse_begin``), so a GIF is made of one model or not at all."""

    finished = Signal(bool, str)  # success, message for the status bar / dialog

    def __init__(self, window, path: str, light: bool = False):
        super().__init__(window)
        self.window, self.path, self.light = window, path, light
        self.controller = window.controller
        snap = self.controller.shown
        self.steps = timelapse_steps(snap.timeline) if snap is not None and snap.timeline else []
        self.present = snap.step if snap is not None else 0
        self.frames: list[Image.Image] = []
        self._queue: list[int] = []
        self.key = None
        self.progress = None
        self._done = False
        names = [n for n in sweep_panels() + EXTRA_PANELS if n in window.panels]
        shown = [n for n in names if window.panels[n].isVisible() and not window.panels[n].size().isEmpty()]
        self.panels = {n: window.panels[n] for n in (shown or names[-1:])}  # panels in a hidden tab: left out

    def start(self) -> None:
        if not self.steps:
            self.finished.emit(False, "There is no training run to make a time-lapse of yet.")
            return
        try:
            check_writable_file(self.path)
        except ExportError as exc:
            self.finished.emit(False, f"Time-lapse not started: {exc}")
            return
        self.controller.pause()
        self.controller.hold_display(True)
        from app.window.progress import ProgressRun

        self.progress = ProgressRun(self.window, "Exporting the training time-lapse")
        self.progress.dialog.setMinimumDuration(0)  # from the first second: the engine may be slow to start
        self.progress(0, len(self.steps) + 1, "asking the engine for the checkpoints")
        for p in self.panels.values():
            p.set_theme(self.light)
        self.controller.request("timelapse_begin", on_done=self._on_begin, on_error=self._on_error, refresh=False)

    def _on_begin(self, info: dict) -> None:
        self.key, self.present, self.steps = info["key"], info["present"], list(info["steps"])
        self._queue = list(self.steps)
        self._next()

    def _next(self) -> None:
        total = len(self.steps) + 1
        if self.progress is not None and not self.progress(len(self.frames), total,
                                                           f"frame {len(self.frames) + 1} of {len(self.steps)}"):
            self._restore()
            self._emit(False, "Time-lapse cancelled; nothing was written.")
            return
        if not self._queue:
            self._finish()
            return
        chunk, self._queue = self._queue[:CHUNK], self._queue[CHUNK:]
        self.controller.request("timelapse_snapshots", on_done=self._on_chunk, on_error=self._on_error,
                                refresh=False, steps=chunk, key=self.key)

    def _on_chunk(self, snaps) -> None:
        try:
            self._draw(snaps)
        except Exception as exc:  # a frame that cannot be drawn must not leave the panels in the past
            self._on_error(str(exc) or type(exc).__name__)
            return
        self._next()

    def _draw(self, snaps) -> None:
        self.frames += draw_frames(self.panels, snaps, self.controller.time, self.present, self.light)

    def _restore(self) -> None:
        for p in self.panels.values():
            p.set_theme(False)
        self.controller.refeed()

    def _emit(self, ok: bool, message: str) -> None:
        if self._done:
            return
        self._done = True
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        self.finished.emit(ok, message)

    def _on_error(self, message: str) -> None:
        self._restore()
        self._emit(False, f"Time-lapse failed: {message}")

    def _finish(self) -> None:
        self._restore()
        try:
            write_bytes(self.path, gif_bytes(self.frames, MS_PER_FRAME))
        except (ExportError, OSError) as exc:
            self._emit(False, f"Time-lapse failed: {exc}")
            return
        self._emit(True, f"Exported a {len(self.frames)}-frame training time-lapse (one frame per "
                         f"checkpoint) to {self.path}")
