"""--model DIR (start from a model folder) and --export-model DIR (write one) on the command line.

A model folder decides the model: flags that describe a new model (--cell, --hidden, ...) or another task
are refused with one line; training flags (--lr, --batch-size, --seed, clipping, --optimizer) and --seq-len
apply.
A refused folder is one line and exit status 2, before any training.
"""
from __future__ import annotations

import sys
from pathlib import Path

from app.cli.usage import UsageError

MODEL_FLAGS = (("cell", "--cell"), ("hidden", "--hidden"), ("layers", "--layers"), ("bidirectional", "--bidirectional"),
               ("merge", "--merge"), ("init", "--init"), ("h0", "--h0"), ("embedding_dim", "--embedding-dim"),
               ("task", "--task"), ("open", "--open"), ("compare", "--compare"), ("attention", "--attention"))


def check_model_args(args) -> None:
    """Before anything runs: flags that cannot go with --model or --export-model (whose folder
    ``app.cli.headless.check_args`` checks for writing)."""
    if getattr(args, "model", None):
        given = [flag for dest, flag in MODEL_FLAGS if getattr(args, dest, None) is not None]
        if given:
            raise UsageError(f"{', '.join(given)} cannot be combined with --model: the model folder decides "
                             "the model and its task (give --data FILE for another data file)")
    if getattr(args, "export_model", None):
        if getattr(args, "compare", None):
            raise UsageError("--export-model cannot be combined with --compare (which model?)")


def check_window_model(args) -> None:
    """``--model DIR`` without --headless: the flags, and what can be checked without torch (the folder,
    its files, model.json); the engine checks the weights and the window says what it finds."""
    from engine.model_io.spec import read_spec

    if args.session:
        raise UsageError("open either a session or a model folder, not both")
    check_model_args(args)
    try:
        read_spec(args.model)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def train_changes(args) -> dict:
    """The training flags given: those --open takes, and --optimizer (an opened model gets a new optimizer)."""
    from app.cli.continue_run import training_overrides

    changes = training_overrides(args)
    if getattr(args, "optimizer", None) is not None:
        changes["optimizer"] = args.optimizer
    return changes


def open_model_session(args):
    """The LabSession on ``args.model`` (and ``args.data``), training flags applied; UsageError when refused."""
    from engine.lab.continue_run import continue_with
    from engine.lab.session import LabSession

    try:
        session = LabSession.from_model(args.model, args.data, bool(args.fold_case), train_changes(args))
        if args.seq_len is not None:  # the same task at another length: the same symbols, the same model
            if "seq_len" not in session.config.task_params:
                raise ValueError(f"--seq-len: the task of {args.model} has no sequence length")
            continue_with(session, session.config.train, {**session.config.task_params, "seq_len": args.seq_len})
    except ValueError as exc:  # ModelFolderError, DataFileError, a training value out of range
        raise UsageError(str(exc)) from None
    return session


def export_model(session, args) -> None:
    try:
        files = session.request_export_model(args.export_model)
    except ValueError as exc:  # ModelExportError: the file and the reason
        raise UsageError(str(exc)) from None
    if not args.quiet:
        print(f"exported the model (step {session.trainer.step_count}) to {args.export_model}: "
              f"{', '.join(Path(f).name for f in files)}", file=sys.stderr)
