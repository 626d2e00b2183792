"""Headless compare mode: ``--headless --compare rnn_tanh,gru,lstm --task adding --steps N --export DIR``.

Trains every run on the same batches, prints progress (each run's loss) on stderr, and exports:
  compare_curves.png/.svg/.csv       loss and metric of every run against the step
  compare_gradients.png/.svg/.csv    ||dL/dh_t|| of every run against the lag T-1-t (same example)
  hidden_<run>.png/.svg/.csv         each run's hidden-state heatmap
  compare_board.png                  the whole comparison as the window lays it out
  summary.csv                        each run's final loss and metric per seed, their mean and SD
  config.json                        task, training, base model, the variants and each run's model
With ``--seeds N`` (1, or 3-10) every configuration trains with N seeds; the curves show each run's mean
and a band from the lowest to the highest seed, compare_curves.csv holds every seed's curve, and the
runs' final figures are printed as mean ± SD (the gradients, heatmaps and board show the first seed).
``--save DIR`` writes the results alone (compare_curves.*, summary.csv, config.json); its folder is checked
before any training.
Every file is rendered before the first is written, and a failed write removes what was written.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from app.cli.usage import UsageError, check_writable_dir, note

BOARD_SIZE = (1600, 1400)


def run_compare(args, cfg) -> int:
    """Train and export the comparison that ``args`` ask for, starting from ``cfg`` (the flags' LabConfig)."""
    from engine.lab.compare_config import check_seeds, parse_variants
    from engine.lab.compare_session import CompareSession

    if args.open or args.gif or getattr(args, "timelapse", False):
        raise UsageError("--compare cannot be combined with --open, --gif or --timelapse")
    try:
        variants = parse_variants(args.compare)
        seeds = check_seeds(1 if args.seeds is None else args.seeds)
    except ValueError as exc:
        raise UsageError(str(exc).replace("train 1 seed", "--seeds: train 1 seed")) from None
    if args.save:
        check_writable_dir(Path(args.save), "save the comparison")
    changed = set().union(*variants)
    if "cell" in changed and args.cell is not None:
        raise UsageError("--cell cannot be combined with --compare CELLS: the cells come from --compare")
    if "bidirectional" in changed and args.bidirectional is not None:
        raise UsageError("--bidirectional and --no-bidirectional cannot be combined with --compare uni,bi")
    try:
        session = CompareSession(cfg, variants, seeds)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    train_all(session, args.steps, quiet=args.quiet)
    if seeds > 1:
        print_summary(session.snapshot())
    if args.save:
        export_compare(session, Path(args.save), light=args.light, scale=args.scale, results_only=True)
        note(f"saved the comparison's results to {args.save}", args.quiet)
    if args.export:
        export_compare(session, Path(args.export), light=args.light, scale=args.scale)
        note(f"exported the comparison to {args.export}", args.quiet)
    return 0


def print_summary(snap) -> None:
    """Each run's final loss and metric as mean ± SD over its seeds (stdout)."""
    from app.compare.seed_summary import summaries, summary_line

    metric = snap.runs[0].task_info.get("metric", "metric")
    for s in summaries(snap):
        print(f"{s['label']}: {summary_line(s, metric)}", flush=True)


def train_all(session, steps: int, quiet: bool = False) -> None:
    """Train every run ``steps`` times; each run's loss and an ETA on stderr about twice a second."""
    start = last = time.perf_counter()
    for i in range(steps):
        session.step()
        done, now = i + 1, time.perf_counter()
        for label, group in zip(session.labels, session.groups, strict=True):  # every seed's run
            for seed, s in zip(session.seeds, group, strict=True):
                if s.trainer.last_stats.diverged:
                    who = f"{label} seed {seed}" if len(group) > 1 else label
                    note(f"step {done}: {who} diverged (loss not finite); its step was skipped", quiet)
        if not quiet and (now - last >= 0.5 or done == steps):
            last = now
            losses = "  ".join(f"{label} {s.trainer.last_stats.loss:.4f}"
                               for label, s in zip(session.labels, session.sessions, strict=True))
            eta = (now - start) / done * (steps - done)
            which = f" (seed {session.seeds[0]}, the first of {len(session.seeds)})" if len(session.seeds) > 1 else ""
            print(f"\rstep {done}/{steps}  loss{which}: {losses}  ETA {eta:.0f}s ", end="" if done < steps else "\n",
                  file=sys.stderr, flush=True)


def batches_note(n_seeds: int) -> str:
    """What the runs share: with seeds, the runs of one seed share batches; the seeds have their own."""
    if n_seeds == 1:
        return "every run trains on the same batch at every step (same task, seed, batch size)"
    return ("the runs of one seed train on the same batch at every step (same task, seed, batch size); each seed "
            "has its own weights and its own stream of batches")


def compare_config_json(session, snap, results_only: bool = False) -> str:
    from app.compare.seed_summary import averaged_text

    base = session.base
    info = {"task": base.task, "task_params": dict(snap.runs[0].config["task_params"]),
            "train": base.train.to_dict(), "seed": base.train.seed, "step": snap.step,
            "base_model": base.model.to_dict(), "variants": [dict(v) for v in session.variants],
            "labels": list(session.labels), "models": [c.model.to_dict() for c in session.configs],
            "seeds": list(session.seeds), "summary_note": "summary.csv: a seed's final loss/metric is the mean of "
            f"{averaged_text(snap)} of its training; mean and SD (ddof 1) over the seeds of each run",
            "batches_note": batches_note(len(session.seeds))}
    if not results_only:  # (--save writes no compare_gradients.csv)
        info["lag_note"] = ("compare_gradients.csv: lag = T-1-t, the steps between input position t (0-based) "
                            "and the last input; every run probes the same example")
        if len(session.seeds) > 1:
            info["seeds_note"] = (f"compare_gradients.*, hidden_<run>.* and compare_board.png show the first seed "
                                  f"({session.seeds[0]}); compare_curves.* and summary.csv hold every seed")
    if snap.runs[0].task_info.get("data"):  # a task on the user's file: which file (name, size, SHA-256)
        info["data"] = snap.runs[0].task_info["data"]
    return json.dumps(info, indent=2, sort_keys=True) + "\n"


def export_compare(session, folder: Path, light: bool = False, scale: float = 2.0,
                   results_only: bool = False) -> list[Path]:
    """Every figure of the comparison (``results_only``: the curves, summary.csv and config.json) into ``folder``."""
    from PySide6.QtWidgets import QApplication

    from app.compare.panels import export_caption
    from app.compare.seed_summary import summary_csv
    from app.compare.window import ComparePanels
    from app.export.figures import ExportError, panel_files, render_png, write_bytes
    from app.window.theme import apply_dark_theme, quiet_platform_messages
    from widgets.parts.base import DARK, LIGHT, apply_palette

    quiet_platform_messages()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_dark_theme(app)
    snap = session.snapshot()
    board = ComparePanels()
    board.setWindowTitle("RNN Lab compare export")
    written: list[Path] = []
    try:
        board.resize(*BOARD_SIZE)
        board.show()
        QApplication.processEvents()
        board.show_snapshot(snap, 0)
        QApplication.processEvents()
        files: dict[str, bytes] = {}
        for name, panel in board.export_panels().items():
            if not results_only or name == "compare_curves":
                files.update(panel_files(name, panel, light, scale, export_caption(name, snap)))
        if not results_only:
            for panel in board.all_panels():
                panel.set_theme(light)
            apply_palette(board, LIGHT if light else DARK)  # the gaps between the panels
            QApplication.processEvents()
            files["compare_board.png"] = render_png(board, 1.0, light)
        files["summary.csv"] = summary_csv(snap).encode("utf-8")
        files["config.json"] = compare_config_json(session, snap, results_only).encode("utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            written.append(write_bytes(folder / name, data))
    except OSError as exc:
        _remove(written)
        what = "save the comparison" if results_only else "export"
        raise UsageError(f"cannot {what} into {folder}: {exc.strerror or exc}") from None
    except ExportError as exc:
        _remove(written)
        raise UsageError(str(exc)) from None
    except BaseException:
        _remove(written)
        raise
    finally:
        board.close()
        board.deleteLater()
    return written


def _remove(paths) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
