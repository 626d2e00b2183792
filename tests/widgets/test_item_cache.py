"""Issue 25 (redraw): a plot's decorations (legends, titles, axes, labels) paint from pixmaps on screen,
and exports stay exactly what they were.

The checks: a cached panel looks like an uncached one (a pixmap puts letters on whole pixels, so not
to the pixel); after a title change, the PNG export of a cached panel equals the uncached twin's to
the pixel; the negative control exports without ``painted_afresh`` and gets the pixmaps' letters.
"""
import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401
import pytest
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QApplication, QGraphicsTextItem

from app.export.render import render_png
from tests.widgets.test_widgets_a import shown, trace_for
from widgets.gradients.gradient_panel import GradientPanel
from widgets.parts.base import DARK
from widgets.parts.item_cache import CACHE, cache_decorations

HISTORY = {"step": np.arange(1, 41, dtype=float), "loss": np.linspace(1, 0.1, 40),
           "grad_norm": np.geomspace(3, 0.2, 40), "grad_norm_clipped": np.minimum(np.geomspace(3, 0.2, 40), 1.0),
           "clipped": (np.geomspace(3, 0.2, 40) > 1).astype(float), "skipped": np.zeros(40)}


def shown_panel(qtbot):
    panel = shown(qtbot, GradientPanel, (520, 300))
    panel.set_clip(True, 1.0)
    panel.set_trace(trace_for("lstm"))
    panel.set_history(HISTORY)
    panel.set_time(3)
    QApplication.processEvents()
    return panel


def screen(panel) -> np.ndarray:
    for _ in range(4):  # a new title lays the plots out again, a few event-loop turns later
        QApplication.processEvents()
    image = panel.view.grab().toImage()
    ptr = image.constBits()
    return np.frombuffer(ptr, np.uint8, image.sizeInBytes()).reshape(image.height(), -1).copy()


def blocks(image: np.ndarray, size: int = 8) -> np.ndarray:
    """Mean colour of each size x size block (what the eye sees of a label, not its pixels' phase)."""
    rgb = image.reshape(image.shape[0], -1, 4)[..., :3].astype(float)
    h, w = (rgb.shape[0] // size) * size, (rgb.shape[1] // size) * size
    return rgb[:h, :w].reshape(h // size, size, w // size, size, 3).mean(axis=(1, 3))


def set_title(panel, text: str) -> None:
    panel.step_plot.setTitle(text, color=panel.theme["foreground"], size="9pt")


def test_a_cached_panel_looks_like_an_uncached_one(qtbot):
    plain, cached = shown_panel(qtbot), shown_panel(qtbot)
    assert cache_decorations(cached) > 10  # legends, titles, axes, their labels
    assert cache_decorations(cached) == 0  # idempotent
    assert all(item.cacheMode() == CACHE for item in cached.view.scene().items()
               if isinstance(item, (pg.LegendItem, pg.AxisItem, pg.LabelItem)))
    # the same picture: a pixmap puts a label's letters on whole pixels (the view, at fractions of one),
    # which moves no 8 x 8 block's colour by more than a few levels (a wrong label moves them by ~100)
    assert np.abs(blocks(screen(plain)) - blocks(screen(cached))).max() < 40


def png_pixels(data) -> np.ndarray:
    image = (QImage.fromData(data) if isinstance(data, bytes) else data).convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1).copy()


@pytest.mark.parametrize("through_render_png", [True, False])
def test_an_export_of_a_cached_panel_is_the_uncached_picture_to_the_pixel(qtbot, through_render_png):
    panel, twin = shown_panel(qtbot), shown_panel(qtbot)
    cache_decorations(panel)
    screen(panel)  # the pixmaps exist
    for p in (panel, twin):
        set_title(p, "a title the screen has not shown yet")
        screen(p)
    expected = png_pixels(render_png(twin.export_item()))
    if through_render_png:
        got = png_pixels(render_png(panel.export_item()))
    else:  # negative control: the same render without painted_afresh draws the cached labels' pixmaps
        exporter = pg.exporters.ImageExporter(panel.export_item())
        exporter.parameters()["background"] = QColor(DARK["background"])
        got = png_pixels(exporter.export(toBytes=True))
    assert got.shape == expected.shape
    assert np.array_equal(got, expected) == through_render_png
    assert np.abs(blocks(got) - blocks(expected)).max() < 40  # either way the same picture to the eye


@pytest.mark.parametrize("cache_text", [False, True])
def test_a_cached_panel_still_shows_its_texts_after_they_get_another_font(qtbot, cache_text):
    """Presentation mode gives a plot's text items the base font (app.classroom.presentation, _fix_tick_fonts).
    A QGraphicsTextItem drawn from a device-coordinate cache went blank after setFont: on the stage the
    gradient panel's legend read as a line without its name ("layer 1 →"), in 3 of 4 runs. Text items are no
    longer cached. Control: with them cached as well, the names go blank."""
    plain, cached = shown_panel(qtbot), shown_panel(qtbot)
    cache_decorations(cached)
    texts = [item for item in cached.view.scene().items() if isinstance(item, QGraphicsTextItem)]
    assert texts and all(item.cacheMode() != CACHE for item in texts)
    if cache_text:
        for item in texts:
            item.setCacheMode(CACHE)
    screen(plain), screen(cached)
    for panel in (plain, cached):
        for item in panel.view.scene().items():
            if isinstance(item, QGraphicsTextItem):
                font = QFont(item.font())
                font.setPointSizeF(font.pointSizeF() + 2)
                item.setFont(font)
    differ = np.abs(blocks(screen(plain)) - blocks(screen(cached))).max()
    assert (differ >= 40) == cache_text, differ
