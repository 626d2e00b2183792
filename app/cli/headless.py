"""Headless runs: train a LabSession without a window, then export what the window would."""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from app.cli import analysis_flags, annotation_flags, pattern_flags
from app.cli.usage import UsageError, check_writable_dir, note


def config_from_args(args):
    """The task's preset, overridden by the flags given. UsageError names a bad value."""
    from engine import ModelConfig, TrainConfig, make_task
    from engine.lab.session import LabConfig, check_size

    if args.data and args.task:
        raise UsageError("--data and --task cannot be combined: the data file decides the task")
    if args.fold_case and not args.data:
        raise UsageError("--fold-case needs --data FILE")
    if getattr(args, "neutral_token", None) is not None and not args.data:
        raise UsageError("--neutral-token needs --data FILE (a built-in task declares its own neutral token)")
    if not args.task and not args.data:
        raise UsageError("--task is required (or --open SESSION_FILE, or --data FILE); see --list-tasks")
    try:
        cfg = data_config(args.data, args.fold_case, getattr(args, "neutral_token", None)) if args.data \
            else LabConfig.for_task(args.task)
        params = dict(cfg.task_params)
        if args.seq_len is not None:
            if "seq_len" not in params:
                raise ValueError(f"task {args.task!r} has no sequence length")
            params["seq_len"] = args.seq_len
        if getattr(args, "attention", None) is not None:
            if "attention" not in params:
                raise ValueError("--attention needs a task with an attention head option: sentiment, or --data "
                                 "on a labelled .csv (header sequence,label)")
            params["attention"] = int(args.attention)
        model = {k: v for k, v in (("cell", args.cell), ("hidden_size", args.hidden), ("num_layers", args.layers),
                                   ("bidirectional", args.bidirectional), ("merge", args.merge),
                                   ("init", args.init), ("h0", args.h0),
                                   ("embedding_dim", getattr(args, "embedding_dim", None))) if v is not None}
        train = {k: v for k, v in (("optimizer", args.optimizer), ("lr", args.lr), ("batch_size", args.batch_size),
                                   ("seed", args.seed)) if v is not None}
        if args.no_clip:
            train["clip"] = False
        elif args.clip is not None:
            train.update(clip=True, max_norm=args.clip)
        cfg = LabConfig(cfg.task, params, ModelConfig(**{**cfg.model.to_dict(), **model}),
                        TrainConfig(**{**cfg.train.to_dict(), **train}))
        task = make_task(cfg.task, **cfg.task_params)
        check_size(cfg, task)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return replace(cfg, task_params=dict(task.params))


def data_config(path, fold_case: bool = False, neutral: str | None = None):
    """The preset configuration of the task on a data file (read, checked and registered here)."""
    from engine.lab.config import LabConfig
    from engine.tasks.data.data_files import open_data
    from engine.tasks.data.data_tasks import task_for

    name, params = task_for(open_data(path))  # DataFileError is a ValueError with one line
    if fold_case:
        params["fold_case"] = 1
    if neutral is not None:
        params["neutral"] = neutral  # checked against the file's symbols by the task (one line)
    return LabConfig.for_task(name, **params)


def check_args(args) -> None:
    from app.cli.model_args import check_model_args

    check_model_args(args)
    if getattr(args, "export_model", None):
        check_writable_dir(Path(args.export_model))
    if args.data and args.open:
        raise UsageError("--data and --open cannot be combined: a session file holds its own data")
    if args.steps < 0 or args.steps > 10_000_000:
        raise UsageError(f"--steps must be from 0 to 10000000; got {args.steps}")
    if not (0.25 <= args.scale <= 8) or not math.isfinite(args.scale):
        raise UsageError(f"--scale must be from 0.25 to 8; got {args.scale}")
    if args.gif and not args.export:
        raise UsageError("--gif needs --export DIR")
    if args.timelapse and not args.export:
        raise UsageError("--timelapse needs --export DIR")
    analysis_flags.check(args)
    annotation_flags.check(args)
    pattern_flags.check(args)
    if getattr(args, "seeds", None) is not None and not args.compare:
        raise UsageError("--seeds needs --compare CELLS")
    if args.export:
        check_writable_dir(Path(args.export))
    if args.save and not args.compare:  # (a compare run's --save is a folder: app.cli.compare checks it)
        folder = Path(args.save).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise UsageError(f"cannot save the session into {folder}: folder missing or not writable")


def run_headless(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    check_args(args)
    import torch

    from engine import SessionError
    from engine.lab.session import LabSession

    torch.set_num_threads(1)
    from app.cli.model_args import export_model, open_model_session

    if args.compare:
        from app.cli.compare import run_compare

        return run_compare(args, config_from_args(args))
    if getattr(args, "model", None):
        session = open_model_session(args)
    elif args.open:
        from app.cli.continue_run import open_for_training

        session = open_for_training(args)  # training flags applied, model flags refused
    else:
        session = LabSession(config_from_args(args))
    analysis_flags.apply_before_training(session, args)
    annotation_flags.apply_before_training(session, args)
    pattern_flags.apply_before_training(session, args)
    train(session, args.steps, quiet=args.quiet)
    from app.cli.continue_run import heldout_line

    print(heldout_line(session), flush=True)  # the held-out metric, also with --quiet (stdout)
    if args.save:
        try:
            session.save(args.save)
        except SessionError as exc:
            raise UsageError(str(exc)) from None
        note(f"saved session to {args.save}", args.quiet)
    analysis_flags.run_after_training(session, args)
    pattern = pattern_flags.run_after_training(session, args)
    if args.export:
        export_session(session, Path(args.export), gif=args.gif, light=args.light, scale=args.scale,
                       timelapse=args.timelapse, pattern=pattern)
        note(f"exported to {args.export}", args.quiet)
    if getattr(args, "export_model", None):
        export_model(session, args)
    return 0


def eval_every(steps: int) -> int:
    """Steps between the held-out evaluations a run prints: about five per run, at least 50 apart."""
    return max(50, -(-steps // 5))


def train(session, steps: int, quiet: bool = False) -> None:
    """Train with progress (step, loss, ETA) on stderr about twice a second, and the held-out metric at
    every evaluation (``eval_every``) before the last step."""
    from app.cli.continue_run import heldout_line

    task = session.task
    start = last = time.perf_counter()
    every = eval_every(steps)
    for i in range(steps):
        stats = session.step()
        now = time.perf_counter()
        done = i + 1
        if stats.diverged:
            note(f"step {stats.step}: diverged (loss not finite); the step was skipped", quiet)
        if done % every == 0 and done < steps and not quiet:
            print(f"\r{heldout_line(session)}" + " " * 20, file=sys.stderr, flush=True)
        if not quiet and (now - last >= 0.5 or done == steps):
            last = now
            eta = (now - start) / done * (steps - done)
            print(f"\rstep {done}/{steps}  loss {stats.loss:.4f}  {task.metric_name} {stats.metric:.4f}  "
                  f"ETA {eta:.0f}s ", end="" if done < steps else "\n", file=sys.stderr, flush=True)


def export_session(session, folder: Path, gif: bool = False, light: bool = False, scale: float = 2.0,
                   timelapse: bool = False, pattern: dict | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    from app.export.board import PanelBoard
    from app.export.figures import ExportError, export_all, write_text
    from app.export.gif import export_gif
    from app.export.timelapse import export_session_timelapse
    from app.window.theme import apply_dark_theme, quiet_platform_messages

    quiet_platform_messages()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_dark_theme(app)
    snap = session.request_full_snapshot()
    board = PanelBoard(snap)
    if pattern is not None:  # --pattern-search: the whole data set's matches in the panel's files
        board.panels["patternSearchPanel"].show_result(pattern)
    try:
        export_all(folder, board.panels, snap, light=light, scale=scale)
        sample = generated_sample(session)
        if sample:
            write_text(folder / "generated.txt", sample)
        if gif:
            export_gif(folder / "time_sweep.gif", board.panels, snap.trace.hidden.shape[2], light)
        if timelapse:
            export_session_timelapse(folder / "training_timelapse.gif", session, board.panels, light)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    finally:
        board.close()
        board.deleteLater()


def generated_sample(session, length: int = 400, temperature: float = 0.8) -> str:
    """Text sampled from a language model, prompted with the start of its held-out text ("" if the
    task or model cannot generate)."""
    task = session.task
    if not hasattr(task, "generate") or session.model.config.bidirectional:
        return ""
    import torch

    prompt = task.heldout_prompt()
    text = task.generate(session.model, prompt, length, temperature,
                         torch.Generator().manual_seed(session.trainer.step_count))
    return (f"# {length} characters sampled at temperature {temperature} after step "
            f"{session.trainer.step_count} of {task.title}; the prompt is the start of the held-out "
            f"text\n{prompt}{text}\n")
