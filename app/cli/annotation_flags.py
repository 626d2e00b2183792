"""Headless annotation tracks: ``--data FILE --annotations TRACKS.csv [--tracks a,b] --export DIR``.

The tracks (a CSV, one row per token of the data file, a column of numbers per track; see
engine.tasks.data.annotations) are read and checked before any training (a bad file: one line, exit 2);
the exported unit explorer then ranks the units against them too: ``unitExplorerPanel.csv`` has a column
"r with track: NAME" per track and ``unitExplorerPanel_states.npz`` the tracks' values on the examples.
"""
from __future__ import annotations

from app.cli.usage import UsageError


def add_arguments(parser) -> None:
    a = parser.add_argument_group("your own data")
    a.add_argument("--annotations", metavar="TRACKS_CSV", help="with --data and --export: annotation tracks for "
                   "the unit explorer, a CSV with one row per token of the data file and a column of numbers "
                   "per track (an optional 'token' column is checked against the file)")
    a.add_argument("--tracks", metavar="COLUMNS", help="with --annotations: only these columns, comma-separated "
                   "(default: every column but 'token')")


def check(args) -> None:
    """Flag combinations, before anything runs."""
    if getattr(args, "tracks", None) and not getattr(args, "annotations", None):
        raise UsageError("--tracks needs --annotations TRACKS_CSV")
    if getattr(args, "annotations", None):
        if not args.export:
            raise UsageError("--annotations needs --export DIR (the unit explorer's files carry the ranking)")
        if not (args.data or args.open or getattr(args, "model", None)):
            raise UsageError("--annotations needs a data file (--data FILE): the tracks follow its tokens")


def apply_before_training(session, args) -> None:
    """Read the tracks for the session's data file (UsageError, one line, before any training)."""
    path = getattr(args, "annotations", None)
    if not path:
        return
    columns = [c.strip() for c in args.tracks.split(",") if c.strip()] if getattr(args, "tracks", None) else None
    try:
        session.request_annotations(path, columns)
    except ValueError as exc:
        raise UsageError(f"--annotations: {exc}") from None
