"""Exported figures readable alone: every panel PNG carries the panel's title and a caption naming
the model, the task and the training step, above the figure itself (unchanged below it)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QImage

from app.export.board import PanelBoard
from app.export.caption import captioned_png, snapshot_caption
from app.export.figures import panel_files, render_png
from engine import ModelConfig
from engine.lab.config import LabConfig
from engine.lab.session import LabSession


def pixels(png: bytes) -> np.ndarray:
    image = QImage.fromData(png, "PNG").convertToFormat(QImage.Format_RGB888)
    ptr = image.constBits()
    return np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())[:, :image.width() * 3].copy()


def test_every_panel_png_has_a_title_and_a_model_caption(qtbot):
    cfg = LabConfig.for_task("charlm", seq_len=12)
    cfg = replace(cfg, model=ModelConfig(**{**cfg.model.to_dict(), "cell": "gru", "hidden_size": 8}))
    session = LabSession(cfg)
    for _ in range(3):
        session.step()
    snap = session.request_full_snapshot()
    caption = snapshot_caption(snap)
    assert caption.startswith("GRU, H 8 · ") and "T 12" in caption and "after 3 training steps" in caption
    assert snap.task_info["title"] in caption
    board = PanelBoard(snap)
    qtbot.addWidget(board)
    for name in ("bpttPanel", "nextCharPanel", "curvesPanel"):
        panel = board.panels[name]
        raw = pixels(render_png(panel.export_item(), 1.0))
        png = pixels(panel_files(name, panel, False, 1.0, caption)[f"{name}.png"])
        header = png.shape[0] - raw.shape[0]
        assert header > 20, name  # room for the title and the caption
        assert png[header:].shape == raw.shape  # the figure itself is below, its size unchanged
        same = np.corrcoef(png[header:].ravel().astype(float), raw.ravel().astype(float))[0, 1]
        assert same > 0.9, name  # the same picture (composited on the background: a few pixels differ)
        assert png[:header].reshape(-1, 3).std(axis=0).max() > 5, f"{name}: the header is blank"
    # negative control: without title and caption nothing is written in the header
    bare = pixels(captioned_png(render_png(board.panels["bpttPanel"].export_item(), 1.0), "", ""))
    raw = pixels(render_png(board.panels["bpttPanel"].export_item(), 1.0))
    assert bare[:bare.shape[0] - raw.shape[0]].reshape(-1, 3).std(axis=0).max() == 0
