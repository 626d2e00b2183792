"""Headless analyses a paper needs: ``--fixed-points [--x-star X] [--fp-budget S]`` and
``--attribution METHOD [--baseline B]`` (both with ``--export DIR``).

The settings are checked against the task before any training (one line, exit 2); after training the
search runs to its end (progress on stderr) and the export then holds its points as full vectors
(``stateSpacePanel_fixed_points.csv`` / ``.npz``); the attribution panel's CSV and figure carry the method
and baseline chosen.
"""
from __future__ import annotations

import argparse
import sys

from app.cli.usage import UsageError, note

METHOD_NAMES = ("integrated_gradients", "gradient_x_input")


def add_arguments(parser) -> None:
    a = parser.add_argument_group("analyses written by --export")
    a.add_argument("--fixed-points", action=argparse.BooleanOptionalAction, default=False,
                   help="run a fixed-point search after training; the export gets stateSpacePanel_fixed_points"
                   ".csv/.npz (every point's full state, q, stability, top eigenvalues) (default: no)")
    a.add_argument("--x-star", metavar="X", help="with --fixed-points: the constant input x*: a token, 'zero', or "
                   "numbers for real-valued inputs ('0.5,0'); absent: the task's 'no new information' input")
    a.add_argument("--fp-budget", type=float, metavar="SECONDS", help="with --fixed-points: computing time of "
                   "the search (default 10)")
    a.add_argument("--attribution", metavar="METHOD", help="attribution method of the exported attribution "
                   "panel: integrated_gradients (default) or gradient_x_input")
    a.add_argument("--baseline", metavar="B", help="attribution baseline x': zero or a token of the task (absent: "
                   "the task's neutral token where it declares one, else zero; the export says which)")


def check(args) -> None:
    """Flag combinations, before anything runs."""
    fp = getattr(args, "fixed_points", False)
    if (fp or getattr(args, "attribution", None) or getattr(args, "baseline", None)) and not args.export:
        raise UsageError("--fixed-points, --attribution and --baseline need --export DIR")
    if (getattr(args, "x_star", None) is not None or getattr(args, "fp_budget", None) is not None) and not fp:
        raise UsageError("--x-star and --fp-budget need --fixed-points")
    budget = getattr(args, "fp_budget", None)
    if budget is not None and not 0 < budget <= 600:
        raise UsageError(f"--fp-budget must be a number of seconds in (0, 600]; got {budget}")
    method = getattr(args, "attribution", None)
    if method is not None and method not in METHOD_NAMES:
        raise UsageError(f"--attribution must be one of {', '.join(METHOD_NAMES)}; got {method!r}")


def x_star(args):
    """What ``--x-star`` asks for, in the request's terms (None: the task's default)."""
    x = getattr(args, "x_star", None)
    return "zero input" if x is not None and x.strip().lower() == "zero" else x


def apply_before_training(session, args) -> None:
    """Check x*, the baseline and the search's preconditions against the task (UsageError, one line)."""
    from engine.analysis.search.job import parse_x_star
    from engine.analysis.states import neutral_input

    try:
        if getattr(args, "fixed_points", False):
            if session.model.config.bidirectional:
                raise ValueError("--fixed-points needs a left-to-right model: a bidirectional one has no single "
                                 "state to iterate")
            neutral_input(session.task, parse_x_star(session.task, x_star(args)))
        if getattr(args, "attribution", None) or getattr(args, "baseline", None):
            session.request_attribution_options(method=args.attribution, baseline=args.baseline)
    except ValueError as exc:
        raise UsageError(str(exc).replace("x* must", "--x-star must")) from None


def run_after_training(session, args) -> None:
    """Run the fixed-point search to its end before the export (its summary on stdout)."""
    if not getattr(args, "fixed_points", False):
        return
    budget = 10.0 if args.fp_budget is None else float(args.fp_budget)
    status = run_sliced(session.request_fixed_points(x_const=x_star(args), budget_s=budget),
                        session.request_fixed_points_step, "fixed points", 70, args.quiet)
    print(f"fixed points: {status['text']}", flush=True)


def run_sliced(status: dict, step, label: str, width: int, quiet: bool) -> dict:
    """Advance an engine search that runs in slices (``step()`` until its state is no longer "running"),
    with its progress on one stderr line unless ``quiet``; returns the final status."""
    while status["state"] == "running":
        if not quiet:
            print(f"\r{label}: {100 * status['fraction']:3.0f}%  {status['text'][:width]:{width}s}", end="",
                  file=sys.stderr, flush=True)
        status = step()
    note("", quiet)
    return status
