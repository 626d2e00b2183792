"""Headless pattern search over the whole data set: ``--pattern-search START-END [--pattern-threshold X]``
with ``--export DIR``.

After training, the units above the threshold during steps START..END (1-based) of the example on screen are
searched for in every sequence of the task's data set (engine.analysis.search.pattern_job, progress on stderr);
the exported pattern search panel (``patternSearchPanel.csv/.png``) then holds the best windows and says how
many sequences were searched. Bad values get one line before any training.
"""
from __future__ import annotations

import re

from app.cli.analysis_flags import run_sliced
from app.cli.usage import UsageError


def add_arguments(parser) -> None:
    a = parser.add_argument_group("pattern search over the whole data set")
    a.add_argument("--pattern-search", metavar="START-END", help="with --export: after training, find the windows "
                   "of every sequence of the data set (every row of a CSV, a text in windows of T, or for a "
                   "built-in task a fixed sample of 2,048 it generates) whose active units match steps "
                   "START..END (1-based) of the example on screen (LSTMVis); the export's patternSearchPanel.csv "
                   "holds them")
    a.add_argument("--pattern-threshold", type=float, metavar="X", help="with --pattern-search: a unit is active "
                   "above X during the whole range (-1 to 1, default 0.3)")


def parse_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text or "")
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < int(m.group(1)):
        raise UsageError(f"--pattern-search must be START-END, whole numbers with 1 <= START <= END (e.g. 2-4); "
                         f"got {text!r}")
    return int(m.group(1)) - 1, int(m.group(2)) - 1


def check(args) -> None:
    """Flag combinations and values, before anything runs."""
    given = getattr(args, "pattern_search", None)
    threshold = getattr(args, "pattern_threshold", None)
    if threshold is not None and not given:
        raise UsageError("--pattern-threshold needs --pattern-search START-END")
    if not given:
        return
    if not args.export:
        raise UsageError("--pattern-search needs --export DIR (the pattern search panel's files hold the matches)")
    parse_range(given)
    if threshold is not None and not -1.0 <= threshold <= 1.0:
        raise UsageError(f"--pattern-threshold must be from -1 to 1; got {threshold}")


def apply_before_training(session, args) -> None:
    """The range must lie inside the example on screen (one line, before any training)."""
    if getattr(args, "pattern_search", None):
        t0, t1 = parse_range(args.pattern_search)
        T = int(session.example[0].shape[1])
        if t1 >= T:
            raise UsageError(f"--pattern-search {args.pattern_search}: the example on screen has {T} steps")


def run_after_training(session, args):
    """Run the search to its end (progress on stderr, a summary on stdout); the result for the export, or None."""
    if not getattr(args, "pattern_search", None):
        return None
    t0, t1 = parse_range(args.pattern_search)
    threshold = 0.3 if args.pattern_threshold is None else float(args.pattern_threshold)
    status = run_sliced(session.request_pattern_search_all(t0=t0, t1=t1, threshold=threshold),
                        session.request_pattern_search_all_step, "pattern search", 60, args.quiet)
    result = status["result"]
    if not len(result["units"]):
        print(f"pattern search: no unit is above {threshold:g} throughout steps {t0 + 1}-{t1 + 1} of the example on "
              "screen, so there is nothing to match: lower --pattern-threshold or choose other steps", flush=True)
        return result
    best = result["matches"][0] if result["matches"] else None
    found = (f"best score {best['score']} ({best['label']}, t = {best['start'] + 1})" if best
             else "no window matched")
    print(f"pattern search: {result['searched']:,} of {result['total']:,} {result['unit']}s searched, "
          f"{len(result['units'])} units in the pattern; {found}; searched: {result['data_set']}", flush=True)
    return result
