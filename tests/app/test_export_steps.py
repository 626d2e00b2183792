"""Export all never holds the window's event loop for long (issue 25, "never frozen"): it runs in steps, and
each step paints at most one run of scene items (at most MAX_PASS_ITEMS) or converts one pyqtgraph item to
SVG, and hands over at most one file; PNG encoding and file writing never happen on the GUI thread. The
pictures are the ones pyqtgraph's exporters and a single QGraphicsScene.render make, pixel for pixel.
No timing: the steps are counted, with a control in which the old one-go export is caught by the same audit."""
import threading

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsScene

from app.export import render, steps
from app.export.figures import panel_files
from app.export.render import MAX_PASS_ITEMS, NO_CONTENTS, finish, image_steps, svg_steps
from app.export.sink import FolderSink
from app.export.steps import export_steps
from tests.app.test_main_window import make_window
from widgets.parts.item_cache import painted_afresh


class Audit:
    """Counts, per step of a generator, the scene renders (and the items each paints), the pyqtgraph items
    turned into SVG, the files handed over, and PNG encodes / file writes made on the GUI thread."""

    def __init__(self, monkeypatch):
        self.step = self._new()
        self.records = []
        self.gui_thread = threading.current_thread()
        real_render = QGraphicsScene.render

        def counted_render(scene, painter, *args, **kwargs):
            painted = [i for i in scene.items() if i.isVisible() and not i.flags() & NO_CONTENTS]
            if isinstance(painter.device(), QImage):  # rasterising: the costly kind of painting
                self.step["renders"].append(len(painted))
            else:  # recording vectors (a plain scene's SVG, a whole scene at once: ~12 ms at T=100, H=128)
                self.step["vector_renders"] += 1
            return real_render(scene, painter, *args, **kwargs)

        monkeypatch.setattr(QGraphicsScene, "render", counted_render)
        real_svg = render.svg_steps.__globals__["pg_svg_steps"].__globals__["_painted_svg"]
        monkeypatch.setitem(real_svg.__globals__, "_painted_svg", self._counting(real_svg, "svg_items"))
        for module in (render, steps):
            monkeypatch.setattr(module, "png_bytes", self._on_thread(render.png_bytes, "gui_encodes"))
        from app.export import sink

        monkeypatch.setattr(sink, "write_bytes", self._on_thread(sink.write_bytes, "gui_writes"))

    @staticmethod
    def _new():
        return {"renders": [], "vector_renders": 0, "svg_items": 0, "files": 0, "gui_encodes": 0, "gui_writes": 0}

    def _counting(self, fn, key):
        def wrapped(*args, **kwargs):
            self.step[key] += 1
            return fn(*args, **kwargs)
        return wrapped

    def _on_thread(self, fn, key):
        def wrapped(*args, **kwargs):
            if threading.current_thread() is self.gui_thread:
                self.step[key] += 1
            return fn(*args, **kwargs)
        return wrapped

    def put(self, put):
        def counted(name, make):
            self.step["files"] += 1
            return put(name, make)
        return counted

    def run(self, generator) -> list[dict]:
        for _ in generator:
            self.records.append(self.step)
            self.step = self._new()
        self.records.append(self.step)
        return self.records

    @staticmethod
    def too_much(record) -> list[str]:
        """What one step did beyond the bounds of a step."""
        wrong = []
        if len(record["renders"]) > 1 or any(n > MAX_PASS_ITEMS for n in record["renders"]):
            wrong.append(f"scene renders painting {record['renders']} items")
        if record["vector_renders"] > 1:
            wrong.append(f"{record['vector_renders']} scenes to SVG")
        if record["svg_items"] > 2:  # (an item and the path it clips its children to)
            wrong.append(f"{record['svg_items']} items to SVG")
        if record["files"] > 1:
            wrong.append(f"{record['files']} files")
        if record["gui_encodes"] or record["gui_writes"]:
            wrong.append("PNG encoded or file written on the GUI thread")
        return wrong


@pytest.fixture
def window(qtbot):
    window = make_window(qtbot, "adding", hidden_size=16)
    window.files.bring_panels_up_to_date()
    return window


def test_export_all_is_done_in_small_steps_with_files_written_off_the_gui_thread(window, tmp_path, monkeypatch):
    audit = Audit(monkeypatch)
    sink = FolderSink(tmp_path)
    sink.put = audit.put(sink.put)
    records = audit.run(export_steps(tmp_path, window.panels, window.controller.shown, True, 2.0, True, sink))
    sink.close()
    assert (tmp_path / "index.html").exists() and (tmp_path / "unrolledView.png").exists()
    assert (tmp_path / "frames").is_dir() and any((tmp_path / "frames").iterdir())
    over = [(k, audit.too_much(r)) for k, r in enumerate(records) if audit.too_much(r)]
    assert not over, f"steps doing too much: {over[:5]}"
    renders = [n for r in records for n in r["renders"]]
    unrolled = window.panels["unrolledView"].export_item()
    assert len(unrolled.items()) > MAX_PASS_ITEMS, "(the unrolled network is a scene too large for one pass)"
    assert len(renders) > len(window.panels), "scenes are painted in several passes"
    assert sum(r["svg_items"] for r in records) > 20 and sum(r["files"] for r in records) >= 3 * 10


def test_control_the_audit_catches_a_panel_exported_in_one_go(window, monkeypatch):
    audit = Audit(monkeypatch)

    def one_go():  # Export all as it was: every file of a panel made at once, on the GUI thread
        yield
        panel_files("unrolledView", window.panels["unrolledView"], True, 2.0, "caption")
        yield
        panel_files("gateSaturationPanel", window.panels["gateSaturationPanel"], True, 2.0, "caption")

    records = audit.run(one_go())
    assert audit.too_much(records[1]) and audit.too_much(records[2])
    assert any("GUI thread" in w for w in audit.too_much(records[1]))
    assert any("SVG" in w for w in audit.too_much(records[2]))


@pytest.mark.parametrize("name", ["gateSaturationPanel", "hiddenHeatmap", "curvesPanel", "stateSpacePanel"])
def test_pictures_in_steps_are_pyqtgraphs_own(window, name):
    panel = window.panels[name]
    panel.set_theme(True)
    try:
        item = panel.export_item()
        exporter = pg.exporters.ImageExporter(item)
        exporter.parameters()["width"] = max(16, int(round(exporter.parameters()["width"] * 2)))
        exporter.parameters()["background"] = render.background(True)
        with painted_afresh(exporter.getScene()):  # (as pyqtgraph exports a panel whose items paint themselves)
            expected = exporter.export(toBytes=True)
        image = finish(image_steps(item, 2.0, True))
        svg = pg.exporters.SVGExporter(item)
        svg.parameters()["background"] = render.background(True)
        expected_svg = svg.export(toBytes=True).decode("utf-8")
        mine = finish(svg_steps(item, True, name)).decode("utf-8")
    finally:
        panel.set_theme(False)
    assert image.size() == expected.size() and image == expected
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}) > 3
    assert mine == expected_svg.replace("<image ", '<image style="image-rendering:pixelated" ')
    assert mine.startswith("<?xml") and mine.rstrip().endswith("</svg>")


def test_a_scene_painted_in_passes_is_the_scene_painted_at_once_and_every_item_is_left_visible(window):
    scene = window.panels["unrolledView"].export_item()
    rect = render.source_rect(scene)
    expected = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_ARGB32)
    expected.fill(render.background(False))
    painter = QPainter(expected)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, expected.width(), expected.height()), rect, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    flags = [i.flags() for i in scene.items()]
    passes = image_steps(scene, 2.0)
    n = 0
    for _ in passes:
        n += 1
        if n == 2:  # midway: items not in this pass are flagged for the pass only
            assert any(i.flags() & NO_CONTENTS for i in scene.items())
    assert n > 2
    assert [i.flags() for i in scene.items()] == flags, "no item left invisible on screen"
    image = finish(image_steps(scene, 2.0))
    assert image == expected
    control = image_steps(scene, 2.0)  # an export stopped midway (Cancel) also leaves every item as it was
    next(control)
    next(control)
    control.close()
    assert [i.flags() for i in scene.items()] == flags


def test_caption_header_by_copy_equals_qt_compositing(qapp):
    from PySide6.QtGui import QColor, QPen

    from app.export.caption import captioned_image, header_height

    figure = QImage(300, 120, QImage.Format.Format_ARGB32)
    figure.fill(QColor("#ffffff"))
    painter = QPainter(figure)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#d62728"), 3))
    painter.drawLine(10, 110, 290, 15)
    painter.end()
    caption = "LSTM, H 128 · Adding, T 100 · after 600 training steps · seed 0, long enough to wrap here"
    copied = captioned_image(figure, "Unrolled network", caption, True)  # opaque ARGB32: numpy copy
    drawn = captioned_image(figure.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied), "Unrolled network",
                            caption, True)  # another format: Qt's fill and drawImage
    header = header_height(300, caption)
    assert copied.height() == 120 + header and header > 30
    assert copied == drawn
    assert copied.pixelColor(150, header + 62) != QColor("#ffffff"), "the figure is below the header"
    see_through = QImage(figure)  # control: a transparent pixel is composited over the background, not copied
    see_through.setPixelColor(5, 5, QColor(0, 0, 0, 0))
    assert captioned_image(see_through, "t", caption, True).pixelColor(5, 5 + header).alpha() == 255


def test_cancel_midway_from_the_window_leaves_no_file_and_every_panel_as_it_was(window, tmp_path, monkeypatch):
    calls = []

    def progress(run, done, total, text):  # Cancel pressed while the heatmap is half painted
        calls.append(text)
        return not (text == "panel hiddenHeatmap" and calls.count(text) > 3)

    monkeypatch.setattr("app.window.progress.ProgressRun.__call__", progress)
    scene = window.panels["hiddenHeatmap"].export_item().scene()
    flags = {id(i): i.flags() for i in scene.items()}
    assert not window.files.export_all(str(tmp_path / "out"))
    assert calls.count("panel hiddenHeatmap") > 3, "(cancelled midway through a panel)"
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert "cancelled" in window.statusBar().currentMessage()
    assert {id(i): i.flags() for i in scene.items()} == flags, "no item left unpainted on screen"
    assert all(p.updatesEnabled() for p in window.panels.built().values())
    assert all(p.theme["background"] != "#ffffff" for p in window.panels.built().values()), "the screen stays dark"
    assert not window.controller.held, "new snapshots are drawn again"


def _writer_nice(folder) -> int:
    import os

    sink = FolderSink(folder)
    sink.put("nice.txt", lambda: str(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).encode())
    sink.close()
    assert [p.name for p in sink.written] == ["nice.txt"] and sink.created == sink.written
    return int((folder / "nice.txt").read_text())


def test_the_writer_thread_yields_the_cpu_to_the_window(tmp_path, monkeypatch):
    import os

    from app.export.sink import NICE_ENV, WRITER_NICE

    monkeypatch.delenv(NICE_ENV)  # the app's default (the suite runs its writers at the usual priority)
    (tmp_path / "a").mkdir()
    assert _writer_nice(tmp_path / "a") == WRITER_NICE > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    monkeypatch.setenv(NICE_ENV, str(WRITER_NICE - 3))  # as the suite asks (tests/conftest.py)
    (tmp_path / "b").mkdir()
    assert _writer_nice(tmp_path / "b") == WRITER_NICE - 3


def test_export_current_view_is_done_in_steps_too_and_writes_the_same_file(window, tmp_path, monkeypatch):
    from app.export.figures import export_panel

    panel = window.panels["unrolledView"]
    expected = panel_files("unrolledView", panel, True, 2.0, "caption")
    audit = Audit(monkeypatch)
    steps_seen = []

    def progress(done, total, text):
        audit.records.append(audit.step)
        audit.step = audit._new()
        steps_seen.append(text)
        return True

    monkeypatch.setattr(steps, "SLICE_SECONDS", 0.0)  # (a progress call after every step: each audited alone)
    for fmt in ("png", "svg"):
        assert export_panel(panel, tmp_path / f"view.{fmt}", fmt, 2.0, True, "caption", progress=progress)
        assert (tmp_path / f"view.{fmt}").read_bytes() == expected[f"unrolledView.{fmt}"]
    assert len(steps_seen) > 5
    assert not [r for r in audit.records if audit.too_much(r)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.png", "view.svg"]


def test_gif_frames_pictures_and_encoding_are_made_off_the_gui_thread_and_the_gif_is_the_same(window, tmp_path,
                                                                                               monkeypatch):
    from app.export import gif

    T = window.controller.shown.trace.hidden.shape[2]
    expected = gif.gif_bytes(gif.sweep_frames(window.panels, T, True))
    threads = []
    for name in ("frame_image", "gif_bytes"):
        real = getattr(gif, name)
        monkeypatch.setattr(gif, name, lambda *a, _real=real, **k: threads.append(threading.current_thread())
                            or _real(*a, **k))
    calls = []
    gif.export_gif(tmp_path / "sweep.gif", window.panels, T, True, progress=lambda *a: calls.append(a) or True)
    assert (tmp_path / "sweep.gif").read_bytes() == expected
    assert len(threads) == T + 1 and threading.main_thread() not in threads
    assert len(calls) > 2 * T, "the event loop gets a turn between the panels of a frame"


def test_no_layout_of_a_panel_settles_while_it_is_exported_in_steps(window, qtbot):
    """Between the steps the event loop runs; a layout settling then (a theme change, pyqtgraph's axes measuring
    their labels at 2x) would tear a figure painted in passes or give its SVG another layout than its PNG."""
    from app.export.layout_hold import LayoutHold

    panel = window.panels["gateSaturationPanel"]
    plot = panel.export_item()
    axis, view = plot.getAxis("left"), plot.getViewBox()

    def widen_axis_and_let_the_loop_run():
        before = view.sceneBoundingRect()
        axis.setWidth(axis.width() + 40)
        for _ in range(5):
            QApplication.processEvents()
        return before, view.sceneBoundingRect()

    hold = LayoutHold(panel).start()
    try:
        before, during = widen_axis_and_let_the_loop_run()
    finally:
        hold.stop()
    assert during == before, "held: the plot keeps its place while the panel is exported"
    qtbot.waitUntil(lambda: view.sceneBoundingRect() != before, timeout=2000)  # released: the layout settles
    before, after = widen_axis_and_let_the_loop_run()  # control: without the hold it settles at once
    assert after != before


