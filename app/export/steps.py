"""Export all in steps (issue 25, "never frozen"): a generator that does one bounded piece of GUI-thread
work per ``next()`` (a run of scene items painted, one item's SVG, one panel of a sweep frame grabbed, a
table) and yields (done, total, text) for the progress dialog; ``run_steps`` gives the event loop a turn
at least every ``SLICE_SECONDS``. Files are made and written by a ``FolderSink`` in a worker thread.

A panel keeps the export's theme for all of its steps; a panel drawn as a graphics scene is frozen on
screen meanwhile (its widget's updates off), so the window never shows it in the export's theme.
"""
from __future__ import annotations

import time

from PySide6.QtWidgets import QGraphicsScene

from app.export.caption import captioned_image, panel_caption, panel_title, snapshot_caption
from app.export.data import config_json, empty_reason, npz_bytes, panel_table, reference_arrays, table_csv_steps
from app.export.files import check_progress
from app.export.gif import frame_image, sweep_frame_steps, sweep_times
from app.export.html import FRAMES_DIR, frame_name, index_html
from app.export.layout_hold import LayoutHold
from app.export.render import image_steps, png_bytes, scene_views, svg_steps
from widgets.parts.base import LIGHT

SLICE_SECONDS = 0.005  # GUI-thread work between two turns of the event loop (plus at most one step)


def run_steps(steps, progress) -> None:
    """Run export steps to the end; ``progress(done, total, text)`` (which lets the event loop run) is
    called when the text changes and otherwise every SLICE_SECONDS; returning False cancels (the steps
    are closed, so panels get their theme back)."""
    began, last = time.perf_counter(), None
    try:
        for done, total, text in steps:
            if progress is not None and (text != last or time.perf_counter() - began >= SLICE_SECONDS):
                check_progress(progress, done, total, text)
                began, last = time.perf_counter(), text
    finally:
        steps.close()


def panel_steps(name: str, panel, light: bool, scale: float, caption: str | None, put,
                formats=("png", "svg", "csv")):
    """Generator: one panel's PNG (with its caption header), SVG and CSV (no CSV when the panel has no data
    rows) and its extra files (with the CSV), those of ``formats``, handed to ``put(name, make)``; returns
    the names it put."""
    previous = panel.theme is LIGHT
    names = []  # (the panel is in its own theme between steps unless hidden or a frozen scene)

    def give(fname, make):
        names.append(fname)
        put(fname, make)

    themed = [False]

    def theme(on: bool) -> None:
        if themed[0] != on:
            panel.set_theme(light if on else previous)
            themed[0] = on

    frozen = []
    layouts = LayoutHold(panel).start()  # (no layout settles until the panel's figures are done)
    try:
        theme(True)
        item = panel.export_item()
        layouts.add_scene(item if isinstance(item, QGraphicsScene) else getattr(item, "scene", lambda: None)())
        on_screen = panel.isVisible() and not panel.visibleRegion().isEmpty()
        hold = bool(scene_views(item)) or not on_screen  # keep the export's theme from step to step
        if hold and on_screen and panel.updatesEnabled():  # (a scene: the screen keeps what it shows)
            panel.setUpdatesEnabled(False)
            frozen.append(panel)
        if not hold:  # widgets on screen: the export's theme only within a step, never painted on screen
            theme(False)
        yield

        def run(steps):
            return steps if hold else _themed(steps, theme)
        if "png" in formats:
            image = yield from run(image_steps(item, scale, light))
            title, text = panel_title(name), panel_caption(panel, caption)
            give(f"{name}.png", lambda: png_bytes(captioned_image(image, title, text, light)))
            yield
        if "svg" in formats:
            svg = yield from run(svg_steps(item, light, name))
            give(f"{name}.svg", lambda: svg)
            yield
    finally:
        theme(False)
        layouts.stop()
        for widget in frozen:
            widget.setUpdatesEnabled(True)
    if "csv" not in formats:
        return names
    yield
    header, rows = panel_table(panel, note_if_empty=False)
    if header and len(rows):  # a panel with nothing to show gets no CSV (index.html says why)
        yield
        csv = (yield from table_csv_steps(header, rows)).encode("utf-8")
        give(f"{name}.csv", lambda: csv)
    for fname, data in getattr(panel, "extra_files", lambda _stem: {})(name).items():  # e.g. fixed points
        yield
        give(fname, lambda data=data: data)
    return names


def _themed(steps, theme):
    """Generator: ``steps`` with the panel in the export's theme (``theme(True)``) during each step only."""
    try:
        while True:
            theme(True)
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value
            finally:
                theme(False)
            yield
    finally:
        steps.close()


def export_steps(folder, panels: dict, snapshot, light: bool, scale: float, frames: bool, sink):
    """Generator of Export all's steps (see figures.export_all); files go to ``sink``."""
    T = snapshot.trace.hidden.shape[2] if frames else 0
    times = sweep_times(T)  # every t, or MAX_FRAMES spread over all of them (index.html says which)
    total = len(panels) + len(times) + 3
    caption = snapshot_caption(snapshot)
    absent = {}
    for k, (name, panel) in enumerate(panels.items()):
        text = f"panel {name}"
        yield k, total, text
        names = yield from _with_progress(panel_steps(name, panel, light, scale, caption, sink.put), k, total, text)
        if f"{name}.csv" not in names:
            absent[name] = empty_reason(panel)
    yield len(panels), total, "trace and configuration"
    reference = reference_arrays(snapshot)
    sink.put("trace.npz", lambda: npz_bytes(snapshot.trace, reference))
    yield len(panels), total, "trace and configuration"
    config = config_json(snapshot).encode("utf-8")
    sink.put("config.json", lambda: config)
    n_images = 0
    if T:
        sink.make_dir(FRAMES_DIR)
        sweep = sweep_frame_steps(panels, T, light)
        try:
            for i, images in sweep:
                yield len(panels) + 1 + i, total, f"time sweep frame {i + 1} of {len(times)}"
                if images is not None:
                    sink.put(frame_name(times[i]), lambda images=images: _png_of(frame_image(images)))
                    n_images += 1
        finally:
            sweep.close()
    yield from _with_progress(sink.drain_steps(), total - 1, total, "writing the files")
    yield total - 1, total, "index.html"
    page = index_html(snapshot, list(panels), set(sink.names), absent, n_images, times=times[:n_images], T=T)
    sink.put("index.html", lambda: page.encode("utf-8"))
    yield from _with_progress(sink.drain_steps(), total - 1, total, "index.html")


def then_written(steps, sink, text: str):
    """Generator: (0, 1, text) for each of ``steps``, then until ``sink`` has written every file."""
    yield from _with_progress(steps, 0, 1, text)
    yield from _with_progress(sink.drain_steps(), 0, 1, text)


def _with_progress(steps, done: int, total: int, text: str):
    """Generator: ``steps`` with (done, total, text) for each of its steps; returns what it returns."""
    try:
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value
            yield done, total, text
    finally:
        steps.close()


def _png_of(image) -> bytes:
    import io

    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
