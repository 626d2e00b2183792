"""Every animated export draws the panels' figures only ("a figure holds the figure only (no selectors, buttons or
scroll bars)"): the time sweep did, while the training time-lapse grabbed whole panels, so each of its frames
showed the layer and direction boxes, Fold / Fit / 1:1, the smoothing spin box and the curves' header. Walks
both GIF writers with every widget they grab recorded; control: the panels themselves hold such controls."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QScrollBar

import app.export.gif as gif
import app.export.timelapse as timelapse
import rnnlab
from app.export.board import PanelBoard
from app.panels.registry import sweep_panels

CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QScrollBar)


def controls_in(widget) -> list[str]:
    """The visible controls a grab of ``widget`` shows."""
    found = [w for kind in CONTROLS for w in widget.findChildren(kind) if w.isVisibleTo(widget)]
    return [f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()}" for w in found]


@pytest.fixture(scope="module")
def board(qapp):
    lab = rnnlab.Lab("parity", hidden=8)
    lab.train(20)
    session = lab.session
    b = PanelBoard(session.request_full_snapshot())
    yield session, {name: b.panels[name] for name in sweep_panels() if name in b.panels}
    b.close()  # (the board owns the panels: kept alive until the module's tests are done)


def test_both_gif_writers_grab_figures_without_controls(board, monkeypatch, tmp_path):
    session, panels = board
    grabbed = []
    real_grab_pil = timelapse.grab_pil
    monkeypatch.setattr(timelapse, "grab_pil", lambda w: grabbed.append(w) or real_grab_pil(w))
    timelapse.export_session_timelapse(tmp_path / "lapse.gif", session, panels)
    assert (tmp_path / "lapse.gif").stat().st_size > 0
    swept = [gif.figure_widget(p) for p in panels.values()]  # what the time sweep grabs, frame by frame
    assert len(grabbed) >= len(panels)
    shown = {f"{type(w).__name__} {w.objectName()}": controls_in(w) for w in grabbed + swept}
    assert not {k: v for k, v in shown.items() if v}


def test_control_the_panels_themselves_hold_controls(board):
    _session, panels = board
    assert sum(bool(controls_in(p)) for p in panels.values()) >= 3


def test_frames_hold_the_grabbed_pixels_as_a_png_file_of_the_grab_would(board):
    """The sweep's and the time-lapse's frames copy each grab's pixels straight over (gif.qimage_pil): the same
    pixels as through a PNG file of the grab, which they used before; odd widths pad the rows."""
    import io

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter

    def via_png(image):
        buf = QBuffer()
        buf.open(QIODevice.WriteOnly)
        image.save(buf, "PNG")
        return np.asarray(Image.open(io.BytesIO(bytes(buf.data()))).convert("RGB"))

    drawn = QImage(37, 11, QImage.Format.Format_RGB32)
    drawn.fill(QColor(200, 30, 90))
    painter = QPainter(drawn)
    painter.fillRect(5, 2, 9, 4, QColor(10, 220, 40))
    painter.end()
    grabs = [drawn] + [gif.figure_widget(p).grab().toImage() for p in board[1].values()]
    for image in grabs:
        got = np.asarray(gif.qimage_pil(image))
        assert got.shape == (image.height(), image.width(), 3) and np.array_equal(got, via_png(image))
    assert not np.array_equal(np.asarray(gif.qimage_pil(drawn))[..., ::-1], via_png(drawn))  # control: BGR
