"""Walk through every Lecture preset at a projector's 1280x720 and at 1920x1080: apply it, train
briefly, pause, and save a screenshot of the whole window (and of every panel, front tabs and hidden
ones alike, after bringing them up to date as an export does).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/walkthrough.py [--out /work/shots/walk] [--seconds 3]
        [--sizes 1280x720,1920x1080] [--presets tagging,attention] [--panels]

For shots at the size they claim, run it on a real X server of that size (Xvfb :N -screen 0 1280x720x24;
DISPLAY=:N QT_QPA_PLATFORM=xcb ... --sizes 1280x720): offscreen, a window can come out larger than asked.
        [--data assets/examples/FILE ...] [--compare adding:rnn_tanh,gru,lstm ...]

The one screenshot tool: every preset (or none with --presets none), then each --data file opened as a user
does (File > Open data), then each --compare TASK:VARIANTS in the compare window. Prints one line per
screenshot. Unsaved training is discarded between presets (no dialog).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RNNLAB_SETTINGS_DIR", "/tmp/rnnlab-walkthrough-settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.shots.waiting import wait, wait_for  # noqa: E402


def main(argv=None) -> int:
    import torch

    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/work/shots/walk")
    parser.add_argument("--seconds", type=float, default=3.0, help="training time per preset")
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--presets", default="", help="preset ids (default: all)")
    parser.add_argument("--panels", action="store_true", help="also save every panel on its own")
    parser.add_argument("--data", nargs="*", default=[], help="data files to open and train on")
    parser.add_argument("--compare", nargs="*", default=[], help="TASK:VARIANTS for the compare window")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.window import file_actions
    from app.window.main_window import MainWindow
    from app.window.theme import apply_dark_theme

    apply_dark_theme(app)
    file_actions.ask_unsaved = lambda window: "discard"  # a walkthrough keeps nothing
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))
        window = MainWindow(remember=False)
        window.resize(w, h)
        window.show()
        window.reset_layout()
        wait(app, 0.3)
        if (window.width(), window.height()) != (w, h):  # (the offscreen screen lets a window outgrow a projector)
            print(f"warning: the window came out {window.width()}x{window.height()}, not {w}x{h}: take these "
                  f"shots on a real X server of that size (Xvfb :N -screen 0 {w}x{h}x24; DISPLAY=:N "
                  "QT_QPA_PLATFORM=xcb), as scripts/walkthrough.py projector does", file=sys.stderr)
        c = window.controller
        wait_for(app, lambda c=c: c.shown is not None)
        presets = [p for p in window.lecture.presets if not args.presets or p.id in args.presets.split(",")]
        for path in args.data:
            window.data.open_data(path)
            wait_for(app, lambda c=c, path=path: c.shown is not None and Path(path).name in str(c.shown.task_info))
            shoot_trained(app, window, out / f"{w}x{h}_data_{Path(path).stem}.png", args.seconds)
        for k, preset in enumerate(presets, start=1):
            window.lecture.actions[preset.id].trigger()
            wait_for(app, lambda p=preset, c=c: c.shown is not None and c.shown.config["task"] == p.config.task
                     and c.shown.config["model"] == p.config.model.to_dict() and c.shown.step == 0)
            shot = out / f"{w}x{h}_{k}_{preset.id}.png"
            shoot_trained(app, window, shot, args.seconds)
            if args.panels:
                window.files.bring_panels_up_to_date()
                for name, panel in window.panels.items():
                    path = out / f"{w}x{h}_{k}_{preset.id}_{name}.png"
                    if not panel.isVisible():
                        panel.resize(max(panel.width(), 500), max(panel.height(), 300))
                    panel.grab().save(str(path))
        window.close()
        window.deleteLater()
        wait(app, 0.3)
        for spec in args.compare:
            shoot_compare(app, spec, w, h, out, args.seconds)
    return 0


def shoot_trained(app, window, shot: Path, seconds: float) -> None:
    """Train for ``seconds``, pause, save the whole window."""
    c = window.controller
    window.transport.train_button.setChecked(True)
    wait(app, seconds)
    window.transport.train_button.setChecked(False)
    wait(app, 0.5)
    window.grab().save(str(shot))
    print(f"{shot}  step {c.shown.step}  {c.shown.task_info.get('metric')} {c.shown.metric:.3g}")


def shoot_compare(app, spec: str, w: int, h: int, out: Path, seconds: float) -> None:
    """The compare window on TASK:VARIANTS, trained for ``seconds``."""
    from app.compare.window import CompareWindow
    from engine.lab.config import LabConfig

    task, _, variants = spec.partition(":")
    window = CompareWindow(LabConfig.for_task(task), spec=variants or "rnn_tanh,gru,lstm")
    window.resize(w, h)
    window.show()
    wait_for(app, lambda: window.shown is not None)
    window.transport.train_button.click()
    wait(app, seconds)
    window.transport.train_button.click()
    wait(app, 0.5)
    shot = out / f"{w}x{h}_compare_{task}_{variants.replace(',', '-')}.png"
    window.grab().save(str(shot))
    print(f"{shot}  step {window.shown.step if window.shown else None}")
    window.close()


if __name__ == "__main__":
    sys.exit(main())
