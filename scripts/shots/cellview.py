"""Screenshots of the cell view under a real X server: each cell type mid forward pulse and mid BPTT, and
three hover tooltips (real mouse moves with xdotool). Look at them.

Usage (a display of the size to judge, e.g. Xvfb :21 -screen 0 1280x720x24):
    DISPLAY=:21 .venv/bin/python scripts/walkthrough.py cellview OUT_DIR
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RNNLAB_SETTINGS_DIR", tempfile.mkdtemp(prefix="rnnlab-shots-settings-"))  # not the user's
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.window.main_window import MainWindow  # noqa: E402
from app.window.theme import apply_dark_theme, quiet_platform_messages  # noqa: E402
from engine import ModelConfig  # noqa: E402
from engine.lab.config import LabConfig  # noqa: E402
from engine.process import protocol as P  # noqa: E402
from scripts.shots.screen_grab import save_screen  # noqa: E402


def wait(app, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def screen(path: Path) -> None:
    save_screen(QApplication.instance(), path)


def move_mouse(app, widget, local) -> None:
    g = widget.mapToGlobal(local)
    subprocess.run(["xdotool", "mousemove", str(g.x()), str(g.y())], check=True)
    wait(app, 0.4)


def window_for(app, cell: str, steps: int = 150):
    cfg = LabConfig.for_task("adding")
    cfg = LabConfig(cfg.task, cfg.task_params, ModelConfig(**{**cfg.model.to_dict(), "cell": cell}), cfg.train)
    window = MainWindow(cfg, remember=False)
    size = app.primaryScreen().availableGeometry()
    window.resize(size.width(), size.height())
    window.show()
    end = time.perf_counter() + 30
    while window.controller.shown is None and time.perf_counter() < end:
        wait(app, 0.1)
    window.setGeometry(size)  # (without a window manager the first layout can outgrow the screen)
    window.controller.send(P.StepN(steps))  # a partly trained model: gates away from 0.5
    while window.controller.shown.step < steps and time.perf_counter() < end + 30:
        wait(app, 0.1)
    wait(app, 0.5)
    return window


def main() -> None:
    quiet_platform_messages()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    g = app.primaryScreen().geometry()
    tag = f"{g.width()}x{g.height()}"
    for cell in ("rnn_tanh", "gru", "lstm"):
        window = window_for(app, cell)
        cv = window.panels["cellView"]
        window.cell_links.open_cell(4, 0, 0)  # as a double-click on column t = 5 does
        end = time.perf_counter() + 20
        while not cv.ready() and time.perf_counter() < end:
            wait(app, 0.1)
        wait(app, 0.5)
        cv.play_pulse(backward=False, ms=3000)  # a slow pulse, caught mid-way
        wait(app, 1.4)
        screen(out / f"cell_{cell}_{tag}_forward.png")
        window.controller.show_backward_step(4)
        cv.play_pulse(backward=True, ms=3000)
        wait(app, 1.2)
        screen(out / f"cell_{cell}_{tag}_bptt.png")
        window.controller.show_backward_step(None)
        wait(app, 0.8)
        if cell == "lstm":
            tooltips(app, window, out, tag)
        window.controller.dirty_since_save = False
        window.close()
        wait(app, 0.5)


def tooltips(app, window, out: Path, tag: str) -> None:
    cv = window.panels["cellView"]
    x, y = cv.diagram.layout.wire("c").at
    move_mouse(app, cv.view.viewport(), cv.view.mapFromScene(QPointF(x - 20, y)))
    screen(out / f"tooltip_cell_{tag}.png")
    heat = window.panels["hiddenHeatmap"]
    window.show_panel("hiddenHeatmap")
    wait(app, 0.5)
    vb = heat.plot.getPlotItem().getViewBox()
    move_mouse(app, heat.plot.viewport(), heat.plot.mapFromScene(vb.mapViewToScene(QPointF(6, 3))))
    screen(out / f"tooltip_heatmap_{tag}.png")
    window.show_panel("gatesPanel")
    wait(app, 0.5)
    gates = window.panels["gatesPanel"]
    vb = gates.heat_plot.getViewBox()
    spot = vb.mapViewToScene(QPointF(8, gates.rows[1]["base"] + 5))  # forget gate, unit 5, t = 9
    move_mouse(app, gates.plots.viewport(), gates.plots.mapFromScene(spot))
    screen(out / f"tooltip_gates_{tag}.png")


if __name__ == "__main__":
    main()
