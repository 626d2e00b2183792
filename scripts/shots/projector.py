"""Walk every Lecture preset in normal and presentation mode at the size of the screen it runs on, and
report every cut text (scripts/shots/layout_audit.py) and everything drawn on top of something else
(scripts/shots/overlap_audit.py; data under a legend or text are NOTE lines: scripts/shots/covered_data.py);
optionally save screenshots.

Run it on a real X server, the size of the screen under test:
    Xvfb :25 -screen 0 1280x720x24 &
    DISPLAY=:25 QT_QPA_PLATFORM=xcb .venv/bin/python scripts/walkthrough.py projector [--shots DIR]
        [--presets tagging,attention] [--modes normal,presentation] [--train 0.5] [--ghost] [--lessons] [--dialogs]
Prints one line per problem ("PROBLEM <size> <mode> <preset>: <what>") and a last line "checked N
views, M problems". In presentation mode it also asks for the stage's network at least half the window's
height with box labels >= 18 px (``stage_problems``). The window takes the screen's available area, as a
lecturer's maximised window.
tests/app/test_projector_layout.py runs this under Xvfb at 1280x720 and 1920x1080.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("RNNLAB_SETTINGS_DIR", tempfile.mkdtemp(prefix="rnnlab-walk-settings-"))
os.environ.setdefault("RNNLAB_DATA_DIR", tempfile.mkdtemp(prefix="rnnlab-walk-data-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.shots.waiting import wait_for  # noqa: E402

MIN_LABEL_PX = 18  # the unrolled network's box labels while presenting, readable from the back (issue 25)
NETWORK_SHARE = 0.5  # of the window's height the unrolled network takes while presenting


def settle(app, seconds: float) -> None:
    wait_for(app, lambda: False, seconds)


def stage_problems(window) -> list[str]:
    """Presentation mode: the unrolled network at least half the window's height, its box labels
    at least MIN_LABEL_PX pixels high (the font's size at the view's zoom) and shown."""
    out, net = [], window.unrolled
    if net.height() < NETWORK_SHARE * window.height():
        out.append(f"unrolled network {net.height()} px high, less than half the window's {window.height()}")
    labels = [t for t in net.cell_texts.values() if t.isVisible()]
    if not labels:
        out.append("the unrolled network's box labels are not shown")
        return out
    dpi, zoom = net.view.logicalDpiY(), net.view.transform().m22()
    px = min(t.font().pointSizeF() * dpi / 72 * zoom if t.font().pointSizeF() > 0 else t.font().pixelSize() * zoom
             for t in labels)
    if px < MIN_LABEL_PX:
        out.append(f"unrolled network's box labels {px:.1f} px high, under {MIN_LABEL_PX}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", default="", help="folder for a screenshot of every view")
    parser.add_argument("--presets", default="", help="preset ids (default: all)")
    parser.add_argument("--modes", default="normal,presentation")
    parser.add_argument("--train", type=float, default=0.0, help="seconds of training per preset")
    parser.add_argument("--ghost", action="store_true", help="a previous run's ghost on the curves at each preset "
                        "(fed, not trained: its label is checked too; scripts/shots/ghost.py)")
    parser.add_argument("--lessons", action="store_true", help="also every built-in lesson in presentation "
                        "mode: each step that changes the stage (scripts/shots/lessons.py)")
    parser.add_argument("--lesson-modes", default="presentation", help="the modes --lessons walks them in "
                        "(normal,presentation)")
    parser.add_argument("--dialogs", action="store_true", help="also the compare window, a lesson, slides "
                        "and the dialogs a lecturer opens (scripts/shots/dialogs.py)")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.window import file_actions
    from app.window.main_window import MainWindow
    from app.window.theme import apply_dark_theme
    from scripts.shots.covered_data import covered_in
    from scripts.shots.ghost import clear_ghost, feed_ghost
    from scripts.shots.layout_audit import audit
    from scripts.shots.overlap_audit import overlaps

    apply_dark_theme(app)
    file_actions.ask_unsaved = lambda window: "discard"  # a walk keeps nothing
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    screen = app.primaryScreen().availableGeometry()
    size = f"{screen.width()}x{screen.height()}"
    problems, views = [], 0

    def check(mode: str, what: str) -> None:
        nonlocal views
        views += 1
        settle(app, 0.3)
        found = audit(window) + overlaps(window) + (stage_problems(window) if mode == "presentation" else [])
        if found:  # a label whose text just changed is laid out on a later turn of the event loop (a loaded
            settle(app, 1.0)  # machine shows it late): what is still cut a second later is cut on screen
            found = audit(window) + overlaps(window) + (stage_problems(window) if mode == "presentation" else [])
        for p in found:
            line = f"PROBLEM {size} {mode} {what}: {p}"
            problems.append(line)
            print(line, flush=True)
        for p in covered_in(window):  # (notes: a small plot may have no corner free of data)
            print(f"NOTE {size} {mode} {what}: {p}", flush=True)
        if shots:
            window.grab().save(str(shots / f"{size}_{mode}_{what}.png"))

    window = MainWindow(remember=False)
    window.show()
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    print(f"window {window.width()}x{window.height()} minimum {minimum.width()}x{minimum.height()} "
          f"screen {size}", flush=True)
    settle(app, 0.7)  # (the arrangement for the window's final size is made once it is shown)
    check("normal", "0_before_first_snapshot")
    c = window.controller
    if not wait_for(app, lambda: c.shown is not None, 60):
        print("PROBLEM the engine sent no snapshot within 60 s", flush=True)
        return 2
    presentation = window.classroom.presentation.presentation_action
    presets = [p for p in window.lecture.presets if not args.presets or p.id in args.presets.split(",")]
    for mode in args.modes.split(","):
        presentation.setChecked(mode == "presentation")
        settle(app, 0.3)
        for k, preset in enumerate(presets, start=1):
            window.lecture.actions[preset.id].trigger()
            wait_for(app, lambda p=preset: c.shown is not None and c.shown.config["task"] == p.config.task
                     and c.shown.config["model"] == p.config.model.to_dict() and c.shown.step == 0)
            if args.train > 0:
                window.transport.train_button.setChecked(True)
                settle(app, args.train)
                window.transport.train_button.setChecked(False)
            if args.ghost:
                feed_ghost(window)
            check(mode, f"{k}_{preset.id}")
            if args.ghost:
                clear_ghost(window)
    presentation.setChecked(False)
    if args.lessons:
        from scripts.shots.lessons import walk_lessons

        for mode in args.lesson_modes.split(","):  # (a lesson's panels: on the stage, or side by side in a dock)
            def lesson_problem(what: str, text: str, mode=mode) -> None:
                line = f"PROBLEM {size} {mode} {what}: {text}"
                problems.append(line)
                print(line, flush=True)

            walk_lessons(app, window, lambda _window, what, mode=mode: check(mode, what), lesson_problem,
                         presenting=mode == "presentation")
    if args.dialogs:
        from scripts.shots.dialogs import walk_dialogs

        def check_top(top, what: str) -> None:
            nonlocal views
            views += 1
            found = [what] if top is None else audit(top) + overlaps(top)
            if top is not None and found:
                settle(app, 1.0)
                found = audit(top) + overlaps(top)
            for p in found:
                line = f"PROBLEM {size} dialog {what}: {p}"
                problems.append(line)
                print(line, flush=True)
            if shots and top is not None:
                top.grab().save(str(shots / f"{size}_dialog_{what}.png"))

        walk_dialogs(app, window, check_top)
    c.dirty_since_save = False
    window.close()
    window.deleteLater()  # (gone before the interpreter's last collection, which would meet its scene
    settle(app, 0.2)  # items' wrappers in any order and could crash)
    print(f"checked {views} views, {len(problems)} problems", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
