"""Command line: open the window, or train headless and export (``python main.py --help``).

Bad input (an unknown task or cell, a value out of range, an unreadable session, an export folder
that cannot be written) prints one line naming the problem on stderr and exits with status 2.
"""
from __future__ import annotations

import argparse
import os
import sys

from app.cli.analysis_flags import add_arguments as add_analysis_arguments
from app.cli.annotation_flags import add_arguments as add_annotation_arguments
from app.cli.pattern_flags import add_arguments as add_pattern_arguments
from app.cli.usage import UsageError
from app.cli.window_flags import check_window_options

EPILOG = """examples:
  python main.py                                   open the window
  python main.py --data notes.txt                  open the window on your own text (or .csv)
  python main.py run.rnnlab                        open the window on a saved session
  python main.py --list-tasks
  python main.py --list-presets
  python main.py --list-results
  python main.py --headless --reproduce flipflop --export flipflop/   rerun a classic result, figure + README
  python main.py --list-slides                     the lecture deck, slide by slide, and where each is shown
  python main.py --list-lessons
  python main.py --headless --lesson vanishing --verify --seed 1   check every step of a lesson
  rnnlab --install-desktop                         add RNN Lab to the desktop's application menu
  python main.py --headless --task adding --cell lstm --steps 500 --export out/ --gif --save run.rnnlab
  python main.py --headless --open run.rnnlab --steps 200 --export out2/
  python main.py --headless --open run.rnnlab --lr 0.003 --seed 2 --steps 200   continue it with other training settings
  python main.py --headless --compare rnn_tanh,gru,lstm --task adding --seq-len 100 --steps 300 --export cmp/
  python main.py --headless --compare gru,lstm --seeds 3 --task parity --steps 300 --save cmp_seeds/
  python main.py --headless --data assets/examples/coriolanus_act1.txt --steps 300 --export out/
  python main.py --headless --data assets/examples/majority_ab.csv --compare gru,lstm --steps 300 --export cmp/

data files (--data): a .txt file (UTF-8) trains a character language model on it; a .csv file with
the header sequence,label trains an acceptor and one with the header tokens,tags a tagger (see README).
"""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(message)

    def format_help(self):
        """The presets' table is read from the task classes only when ``--help`` is printed: importing them
        for every start took 20-30 ms of the start before the window's first paint."""
        from app.cli.preset_help import preset_help

        if self.epilog == EPILOG:
            self.epilog = EPILOG + "\n" + preset_help()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="rnnlab", description="RNN Lab: watch recurrent neural networks learn, step by step.",
               epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("session", nargs="?", help="open the window on this session file (.rnnlab)")
    p.add_argument("--version", action="store_true", help="print the version of RNN Lab and its libraries and exit")
    p.add_argument("--list-tasks", action="store_true", help="print each task with its description and exit")
    p.add_argument("--list-presets", action="store_true", help="print the lecture presets (Lecture menu) and exit")
    p.add_argument("--list-results", action="store_true",
                   help="print the classic results that --reproduce reruns (Help > Classic results) and exit")
    p.add_argument("--list-slides", action="store_true",
                   help="print every slide of the lecture deck in order with how the app shows it, and exit")
    p.add_argument("--list-lessons", action="store_true", help="print the lessons (Lecture > Lessons) and exit")
    p.add_argument("--lesson", metavar="NAME_OR_FILE", help="with --headless --verify: run a lesson (a built-in "
                   "name, a .toml file, or all) and check every step's expect")
    p.add_argument("--verify", action=argparse.BooleanOptionalAction, default=False,
                   help="with --lesson: exit 0 only if every expect held (default: no)")
    d = p.add_argument_group("desktop (Linux and other freedesktop systems)")
    d.add_argument("--install-desktop", action="store_true",
                   help="add a launcher and icon under ~/.local/share that also opens .rnnlab files")
    d.add_argument("--uninstall-desktop", action="store_true", help="remove what --install-desktop added")
    p.add_argument("--headless", action=argparse.BooleanOptionalAction, default=False,
                   help="train without a window (default: open the window)")
    p.add_argument("--task", help="task name (see --list-tasks); its recommended preset is the starting point")
    p.add_argument("--open", metavar="SESSION_FILE", help="start from a saved session instead of a fresh model")
    p.add_argument("--model", metavar="DIR", help="start from a model folder (model.json + model.pt) exported by "
                   "RNN Lab or written with plain PyTorch; with --data FILE, on that file (same vocabulary)")
    p.add_argument("--data", metavar="FILE", help="train on your own file instead of a built-in task: .txt text, "
                   "or .csv with the header sequence,label or tokens,tags")
    p.add_argument("--neutral-token", metavar="TOKEN", help="with --data: a symbol of the file that tells the answer "
                   "nothing (a filler); the default attribution baseline and fixed-point x*")
    p.add_argument("--fold-case", action=argparse.BooleanOptionalAction, default=False,
                   help="with --data: read upper and lower case as one symbol (default: no)")
    m = p.add_argument_group("model (override the task's preset; absent: the preset value, see the table below)")
    m.add_argument("--cell", help="rnn_tanh, rnn_relu, gru or lstm")
    m.add_argument("--hidden", type=int, help="hidden size H (1-512)")
    m.add_argument("--layers", type=int, help="stacked layers (1-4)")
    m.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=None,
                   help="add a right-to-left direction, or not (absent: the preset; the tagging tasks are "
                   "bidirectional)")
    m.add_argument("--merge", help="sum (the lecture) or concat (PyTorch)")
    m.add_argument("--init", help="default, orthogonal or identity")
    m.add_argument("--h0", help="initial state: zero (the lecture), random (from the seed) or learned")
    m.add_argument("--attention", action=argparse.BooleanOptionalAction, default=None,
                   help="an attention head (alpha_i per position; the label from sum_i alpha_i h_i) for the sentiment "
                   "task or a labelled .csv (--data); --no-attention: the final state h_n")
    m.add_argument("--embedding-dim", type=int, metavar="E", help="size E of the embedded input x_t (1-512)")
    t = p.add_argument_group("training (absent: the task's preset value, see the table below)")
    clip = t.add_mutually_exclusive_group()
    clip.add_argument("--clip", type=float, metavar="MAX_NORM", help="clip the global gradient norm at MAX_NORM")
    clip.add_argument("--no-clip", action="store_true", help="no gradient clipping (absent: the preset clips)")
    t.add_argument("--optimizer", choices=("adam", "sgd"),
                   help="adam (the tasks' default) or sgd (plain gradient descent, as the exploding-gradient preset)")
    t.add_argument("--lr", type=float, help="learning rate (0-10]")
    t.add_argument("--batch-size", type=int, help="batch size (1-1024)")
    t.add_argument("--seq-len", type=int, help="sequence length T (the task's range)")
    t.add_argument("--seed", type=int, help="seed of the weights and the batch stream")
    t.add_argument("--steps", type=int, default=0, help="training steps to run (default 0)")
    o = p.add_argument_group("output")
    o.add_argument("--export", metavar="DIR", help="write every panel (PNG, SVG, CSV), trace.npz, config.json")
    o.add_argument("--gif", action=argparse.BooleanOptionalAction, default=False,
                   help="with --export: also time_sweep.gif (t = 1..T) (default: no)")
    o.add_argument("--timelapse", action=argparse.BooleanOptionalAction, default=False,
                   help="with --export: also training_timelapse.gif (one frame per checkpoint of training) "
                   "(default: no)")
    o.add_argument("--light", action=argparse.BooleanOptionalAction, default=False,
                   help="export with the light theme, white background (default: the dark theme)")
    o.add_argument("--scale", type=float, default=2.0, help="PNG scale factor (0.25-8, default 2)")
    o.add_argument("--save", metavar="SESSION_FILE", help="save the trained session to this file (with --compare: "
                   "a folder for the results: every seed's curve, summary.csv, the figure, config.json)")
    o.add_argument("--export-model", metavar="DIR", help="write the trained model as a folder: model.pt (its "
                   "state_dict), model.json, load_model.py (needs only torch), README.md")
    o.add_argument("--compare", metavar="CELLS", help="compare mode: comma-separated cells, e.g. rnn_tanh,gru,lstm")
    o.add_argument("--seeds", type=int, metavar="N", help="with --compare: train each configuration with N seeds "
                   "(--seed, --seed + 1, ...; 1, or 3-10) and show every curve's mean and spread (default 1)")
    o.add_argument("--quiet", action=argparse.BooleanOptionalAction, default=False,
                   help="no progress on stderr (default: progress is shown)")
    add_analysis_arguments(p)
    add_annotation_arguments(p)
    add_pattern_arguments(p)
    r = p.add_argument_group("classic results (see --list-results)")
    r.add_argument("--reproduce", metavar="NAME", help="with --headless: rerun a published result at this "
                   "machine's scale, print 'published: ... measured: ... reproduced', and with --export write "
                   "its figure (PNG, SVG), CSV and README.md; exit status 1 when it did not reproduce")
    r.add_argument("--quick", action=argparse.BooleanOptionalAction, default=False,
                   help="with --reproduce: the scaled-down run of the test suite (default: the full run)")
    return p


def main(argv=None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.version:
            from app.cli.version import version_text

            print(version_text())
            return 0
        if args.list_tasks:
            return list_tasks()
        if args.list_presets:
            return list_presets()
        if args.list_results:
            from app.results.cli import list_results

            return list_results()
        if args.list_slides:
            return list_slides()
        if args.list_lessons:
            from app.cli.lessons import list_lessons

            return list_lessons()
        if args.lesson or args.verify:
            from app.cli.lessons import run_lesson_command

            if not args.lesson:
                raise UsageError("--verify needs --lesson NAME_OR_FILE")
            return run_lesson_command(args)
        if args.install_desktop or args.uninstall_desktop:
            from app.classroom.desktop_entry import run_desktop_command

            return run_desktop_command(install=args.install_desktop)
        if not args.headless:
            if args.export or args.steps or args.save or args.compare or args.reproduce or args.export_model:
                raise UsageError("--export, --export-model, --steps, --save, --compare and --reproduce need --headless")
            check_window_options(parser, args)
            if args.open:  # --open SESSION_FILE opens it in the window as the positional file does
                if args.session and args.session != args.open:
                    raise UsageError("give one session file: --open FILE or FILE, not both")
                args.session = args.open
            if args.session and not os.path.isfile(args.session):
                raise UsageError(f"session file not found: {args.session}")
            if args.data and args.session:
                raise UsageError("open either a session or a data file, not both")
            if args.model:
                from app.cli.model_args import check_window_model

                check_window_model(args)
            from app.window.gui import run_gui

            if args.neutral_token is not None and not args.data:
                raise UsageError("--neutral-token needs --data FILE (a built-in task declares its own neutral token)")
            return run_gui(args.session, args.data, model_path=args.model, **(
                {"neutral": args.neutral_token} if args.neutral_token is not None else {}))
        if args.reproduce:
            from app.results.cli import run_reproduce

            return run_reproduce(args)
        if args.quick:
            raise UsageError("--quick needs --reproduce NAME")
        from app.cli.headless import run_headless

        return run_headless(args)
    except UsageError as exc:
        print(f"rnnlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rnnlab: interrupted", file=sys.stderr)
        return 130


def gui_main() -> int:
    """The ``rnnlab-gui`` entry point (no console window on Windows): the same arguments as ``rnnlab``."""
    if sys.stderr is None or sys.stdout is None:  # pythonw has no streams: printing must not crash
        import io

        sys.stdout, sys.stderr = sys.stdout or io.StringIO(), sys.stderr or io.StringIO()
    return main()


def list_presets() -> int:
    from app.lecture.presets import load_presets

    for preset in load_presets():
        print(f"{preset.id:15s} {preset.title} (lecture: {preset.slide}; task {preset.config.task})")
    return 0


def list_slides() -> int:
    """``n. heading -> how it is shown``, one line per slide of the deck (assets/lecture/slides.toml)."""
    from app.lecture.slides import SlidesError, load_slides

    try:
        slides = load_slides()
    except SlidesError as exc:
        raise UsageError(str(exc)) from None
    for slide in slides:
        print(slide.line())
    return 0


def list_tasks() -> int:
    from engine import list_tasks as names
    from engine import make_task

    for name in names():
        task = make_task(name)
        print(f"{name:15s} {task.title}: {first_sentence(task.description)}")
    return 0


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to the first . ? or ! that is outside brackets and quotes,
    not part of an ellipsis ("good, great, ...") and followed by the end or a space and a capital."""
    depth, quoted = 0, False
    for i, c in enumerate(text):
        if text[i - 1:i] == "'" == text[i + 1:i + 2]:
            continue  # a quoted symbol such as '(' is not a bracket
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == '"':
            quoted = not quoted
        elif c in ".?!" and depth == 0 and not quoted:
            if c == "." and (text[i - 1:i] == "." or text[i + 1:i + 2] == "."):
                continue  # an ellipsis
            rest = text[i + 1:]
            if not rest.strip() or (rest[:1] == " " and rest.lstrip()[:1].isupper()):
                return text[:i + 1]
    return text.rstrip() if text.rstrip()[-1:] in ".?!" else text.rstrip() + "."
