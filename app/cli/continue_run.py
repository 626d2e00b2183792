"""``--open SESSION`` on the command line: continue a saved run with the training flags given, refuse
the model flags (a trained model cannot change its cell, size or task), and the held-out metric a
headless run reports."""
from __future__ import annotations

from app.cli.usage import UsageError, note

# (argparse attribute, flag): what would need another model
MODEL_FLAGS = (("task", "--task"), ("cell", "--cell"), ("hidden", "--hidden"), ("layers", "--layers"),
               ("bidirectional", "--bidirectional"), ("merge", "--merge"), ("init", "--init"), ("h0", "--h0"),
               ("embedding_dim", "--embedding-dim"), ("optimizer", "--optimizer"), ("attention", "--attention"))


def refused_model_flag(args) -> str | None:
    """The first model flag given with --open, or None."""
    for attr, flag in MODEL_FLAGS:
        if getattr(args, attr, None) is not None:
            return flag
    return None


def training_overrides(args) -> dict:
    train = {k: v for k, v in (("lr", args.lr), ("batch_size", args.batch_size), ("seed", args.seed))
             if v is not None}
    if args.no_clip:
        train["clip"] = False
    elif args.clip is not None:
        train.update(clip=True, max_norm=args.clip)
    return train


def open_for_training(args):
    """The session in ``args.open`` with the training flags applied (UsageError for a model flag or a
    bad value, naming it)."""
    from engine import SessionError, TrainConfig
    from engine.lab.continue_run import continue_with
    from engine.lab.session import LabSession

    flag = refused_model_flag(args)
    if flag is not None:
        raise UsageError(f"{flag} cannot change the model of an opened session ({args.open} holds a trained "
                         f"model); leave it out, or train a fresh model with --task")
    try:
        session = LabSession.load(args.open)
    except SessionError as exc:
        raise UsageError(str(exc)) from None
    train = training_overrides(args)
    params = None
    if args.seq_len is not None:
        if "seq_len" not in session.config.task_params:
            raise UsageError(f"--seq-len: the task of {args.open} has no sequence length")
        params = {**session.config.task_params, "seq_len": args.seq_len}
    if train or params:
        try:
            continue_with(session, TrainConfig(**{**session.config.train.to_dict(), **train}), params)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        changed = ", ".join(f"{k} {v}" for k, v in {**train, **({"seq_len": args.seq_len} if params else {})}.items())
        note(f"continuing {args.open} from step {session.trainer.step_count} with {changed}", args.quiet)
    return session


def heldout(session) -> tuple[str, float, str]:
    """(metric name, value, on what) of the model on data it was not trained on: the held-out end of
    a text, a data file's validation rows, or a fixed set of fresh examples of a built-in task (as the curves' dots)."""
    _loss, metric, what = session.held_out.evaluate_now(session.trainer)  # (the export's held-out rows too)
    return session.task.metric_name, metric, what


def heldout_line(session) -> str:
    name, value, what = heldout(session)
    return f"step {session.trainer.step_count}: held-out {name} {value:.4f} on {what}"
