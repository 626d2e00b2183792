"""Sessions, exports and remembered settings through the window, as a user does them."""
import json

import numpy as np
import torch
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from app.window.main_window import MainWindow
from app.window.settings import settings
from engine import load_session
from engine.lab.session import LabConfig, LabSession
from tests.app.test_main_window import make_window, wait_shown


def train_steps(qtbot, window, n):
    for _ in range(n):
        window.controller.step_once()
    return wait_shown(qtbot, window, lambda s: s.step >= n and s.state != "training")


def test_saved_session_reopens_identically_and_continues_like_an_uninterrupted_run(qtbot, tmp_path):
    path = tmp_path / "run.rnnlab"
    window = make_window(qtbot, "parity")
    snap = train_steps(qtbot, window, 12)
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.files.session_path == str(path), timeout=10000)
    assert not window.controller.dirty_since_save

    other = make_window(qtbot, "adding")
    other.open_session(str(path))
    reopened = wait_shown(qtbot, other, lambda s: s.config["task"] == "parity" and s.step == 12)
    np.testing.assert_array_equal(reopened.trace.hidden, snap.trace.hidden)
    np.testing.assert_array_equal(reopened.trace.grad_norm, snap.trace.grad_norm)
    assert other.controls.values()["task"] == "parity"

    # 8 more steps in the reopened window == 20 uninterrupted steps from the same seed
    train_steps(qtbot, other, 8)
    qtbot.waitUntil(lambda: other.controller.shown.step == 20, timeout=10000)
    other.files.save_to(str(tmp_path / "continued.rnnlab"))
    qtbot.waitUntil(lambda: (tmp_path / "continued.rnnlab").exists(), timeout=10000)
    cfg = LabConfig.from_dict(reopened.config)
    straight = LabSession(cfg)
    for _ in range(20):
        straight.step()
    continued = load_session(tmp_path / "continued.rnnlab")
    ours, theirs = continued.trainer.model.state_dict(), straight.model.state_dict()
    for (k, a), b in zip(ours.items(), theirs.values(), strict=True):
        assert torch.equal(a, b), k


def test_dropping_a_session_file_opens_it(qtbot, tmp_path):
    path = tmp_path / "dropped.rnnlab"
    session = LabSession(LabConfig.for_task("parity"))
    for _ in range(3):
        session.step()
    session.save(path)
    window = make_window(qtbot, "adding")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(event)
    wait_shown(qtbot, window, lambda s: s.config["task"] == "parity" and s.step == 3)


def test_export_all_from_the_window_in_light_theme(qtbot, tmp_path):
    window = make_window(qtbot, "sentiment")
    window.files.light_export.setChecked(True)
    assert window.files.export_all(str(tmp_path / "fig"))
    files = {p.name for p in (tmp_path / "fig").iterdir()}
    assert {"attentionPanel.png", "attentionPanel.svg", "attentionPanel.csv", "trace.npz", "config.json"} <= files
    with Image.open(tmp_path / "fig" / "curvesPanel.png") as im:
        corner = np.asarray(im.convert("RGB"))[2, 2]
    assert corner.min() > 240, "light theme: white background"
    config = json.loads((tmp_path / "fig" / "config.json").read_text())
    assert config["task"] == "sentiment"
    assert window.panels["curvesPanel"].theme["background"] != "#ffffff", "the screen stays dark"


def test_export_panel_to_unwritable_place_says_why(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot)
    shown = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: shown.append(a[2]))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not window.files.export_panel("gradientPanel", str(blocker / "g.png"), "png")
    assert shown and "cannot write" in shown[0]
    assert window.files.export_panel("gradientPanel", str(tmp_path / "g.svg"), "svg")
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


def test_gif_time_sweep_from_the_window(qtbot, tmp_path):
    window = make_window(qtbot, "parity")
    window.transport.set_time(3)
    assert window.files.export_gif(str(tmp_path / "sweep.gif"))
    with Image.open(tmp_path / "sweep.gif") as gif:
        assert gif.n_frames == window.controller.shown.trace.seq_len
    assert window.transport.time() == 3 and window.panels["hiddenHeatmap"].time == 3


def test_last_configuration_and_layout_are_remembered(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    wait_shown(qtbot, first, lambda s: True)
    values = first.controls.values()
    values.update(task="parity")
    first.controller.apply_values(values)
    values = first.controls.values()
    values.update(hidden_size=24)
    first.controller.apply_values(values)
    first.docks["attentionDock"].hide()
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    snap = wait_shown(qtbot, second, lambda s: True)
    assert snap.config["task"] == "parity" and snap.config["model"]["hidden_size"] == 24
    assert second.controls.values()["hidden_size"] == 24
    assert not second.docks["attentionDock"].isVisible()
    second.docks["attentionDock"].show()
    second.close()
    settings().clear()  # later tests start from the defaults again


def test_right_click_on_a_plot_offers_our_export_menu(qtbot, monkeypatch):
    import pyqtgraph as pg
    from PySide6.QtGui import QContextMenuEvent

    window = make_window(qtbot)
    opened = []
    monkeypatch.setattr(window.files, "show_panel_menu", lambda name, pos: opened.append(
        [a.text() for a in window.files._panel_menu(name).actions()]))
    view = window.panels["gradientPanel"].findChildren(pg.GraphicsView)[0]
    menus_on = [i for i in view.scene().items() if isinstance(i, pg.ViewBox) and i.menuEnabled()]
    assert menus_on == []  # pyqtgraph's own menu would compete with ours
    vp = view.viewport()
    centre = vp.rect().center()
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Mouse, centre, vp.mapToGlobal(centre)))
    assert opened and opened[0] == ["Export as PNG…", "Export as SVG…", "Export data as CSV…"]
