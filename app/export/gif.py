"""The time sweep: an animated GIF of the panels stepping t = 1..T with the cursor moving."""
from __future__ import annotations

import io
from pathlib import Path

import pyqtgraph as pg
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsScene, QWidget

from app.export.files import check_progress
from app.export.sink import FolderSink
from app.panels.registry import sweep_panels

MAX_FRAMES = 400
MAX_WIDTH = 1400  # slides rarely need more; keeps a 100-frame GIF to a few MB


def qimage_pil(image) -> Image.Image:
    """A QImage (a grab: opaque) as an RGB PIL image, its pixels copied over as they are (no PNG round trip:
    encoding and decoding every panel of every frame took most of a time sweep's export)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return Image.frombytes("RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB",
                           rgb.bytesPerLine())


def tile(images: list[Image.Image], columns: int = 2) -> Image.Image:
    """Images in a grid, each cell as large as the largest image."""
    w = max(i.width for i in images)
    h = max(i.height for i in images)
    rows = (len(images) + columns - 1) // columns
    sheet = Image.new("RGB", (w * min(columns, len(images)), h * rows), images[0].getpixel((1, 1)))
    for k, img in enumerate(images):
        sheet.paste(img, ((k % columns) * w, (k // columns) * h))
    return sheet


def figure_widget(panel):
    """The widget that shows a panel's figure and nothing else (no selectors, buttons, readouts or
    scroll bars): the view of its export item, the item itself if it is a widget, else the panel."""
    item = panel.export_item()
    if isinstance(item, QWidget):
        return item
    scene = item if isinstance(item, QGraphicsScene) else getattr(item, "scene", lambda: None)()
    views = scene.views() if scene is not None else []
    if not views:
        return panel
    view = views[0]
    return view if isinstance(view, pg.GraphicsView) else view.viewport()


def sweep_times(T: int) -> list[int]:
    """The time steps (0-based) the sweep draws: every t when T <= MAX_FRAMES, else MAX_FRAMES steps spread
    evenly over the whole sequence, the first and the last included (never a silent stop part-way)."""
    if T <= MAX_FRAMES:
        return list(range(T))
    return sorted({round(i * (T - 1) / (MAX_FRAMES - 1)) for i in range(MAX_FRAMES)})


def sweep_frames(panels: dict, T: int, light: bool = False, names=None, progress=None) -> list[Image.Image]:
    """One tiled image of the sweep panels per time step of ``sweep_times(T)``; ``progress(i)`` is called
    before the i-th frame (it may raise to stop: the panels get their theme back)."""
    frames, reported = [], -1
    steps = sweep_frame_steps(panels, T, light, names)
    try:
        for i, images in steps:
            if progress is not None and i > reported:
                reported = i
                progress(i)
            if images is not None:
                frames.append(frame_image(images))
    finally:
        steps.close()
    return frames


def sweep_frame_steps(panels: dict, T: int, light: bool = False, names=None):
    """Generator of the sweep in steps (one panel grabbed per step): yields (i, None) between steps and
    (i, [QImage per panel]) once frame i is grabbed; ``frame_image`` makes the picture of a frame (in any
    thread). Closing it early gives the panels their theme back."""
    chosen = [panels[n] for n in (names or sweep_panels()) if n in panels]
    for p in chosen:
        p.set_theme(light)
    try:
        for i, t in enumerate(sweep_times(T)):
            yield i, None
            for p in chosen:
                p.set_time(t)
            QApplication.processEvents()
            images = []
            for p in chosen:
                yield i, None
                images.append(figure_widget(p).grab().toImage())
            yield i, images
    finally:
        for p in chosen:
            p.set_theme(False)


def frame_image(images) -> Image.Image:
    """The picture of one sweep frame from its panels' QImages: tiled, at most MAX_WIDTH wide."""
    frame = tile([qimage_pil(image) for image in images])
    if frame.width > MAX_WIDTH:
        frame = frame.resize((MAX_WIDTH, round(frame.height * MAX_WIDTH / frame.width)), Image.LANCZOS)
    return frame


def gif_bytes(frames: list[Image.Image], ms_per_frame: int = 250) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=ms_per_frame,
                   loop=0, optimize=False, disposal=1)
    return out.getvalue()


def export_gif(path, panels: dict, T: int, light: bool = False, restore_time: int = 0, progress=None) -> None:
    """The sweep as an animated GIF; ``progress(done, total, text)`` returning False cancels (nothing new
    is left: the file is written in one go at the end). The GUI thread only grabs the panels, one per step;
    each frame's picture, the GIF's encoding (6.7 s for 100 frames at T = 100) and the write run in the
    export's writer thread (app.export.sink), the event loop turning meanwhile."""
    path, n = Path(path), len(sweep_times(T))
    sink = FolderSink(path.parent if str(path.parent) else Path("."))
    pictures = []
    try:
        steps = sweep_frame_steps(panels, T, light)
        try:
            for i, images in steps:
                check_progress(progress, i, n + 1, f"frame {i + 1} of {n}")
                if images is not None:
                    pictures.append(sink.pool.submit(frame_image, images))
        finally:
            steps.close()
            for p in panels.values():
                p.set_time(restore_time)
        check_progress(progress, n, n + 1, "writing the GIF")
        sink.put(path.name, lambda: gif_bytes([f.result() for f in pictures]))
        for _ in sink.drain_steps():
            check_progress(progress, n, n + 1, "writing the GIF")
    except BaseException:
        sink.abandon(idle=None if progress is None else QApplication.processEvents)
        raise
    sink.close()
