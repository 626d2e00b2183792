"""``rnnlab --list-results`` and ``rnnlab --headless --reproduce NAME [--seed N] [--quick] --export DIR``."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from app.cli.usage import UsageError


def list_results() -> int:
    from engine.reproductions import catalog

    results = catalog()
    w = max((len(r["name"]) for r in results), default=0)
    for r in results:
        print(f"{r['name']:{w}s}  {r['title']} (~{r['minutes']:g} min)\n{'':{w}s}  {r['citation']}")
    return 0


def run_reproduce(args) -> int:
    """Run one reproduction with progress on stderr; print its published-vs-measured line; export."""
    from app.cli.headless import check_writable_dir

    if args.export:
        check_writable_dir(Path(args.export))
    seed = 0 if args.seed is None else args.seed
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import torch

    from engine.reproductions import get_result, reproduce

    torch.set_num_threads(1)
    try:
        get_result(args.reproduce)
        last = [0.0]

        def progress(fraction: float, text: str) -> None:
            now = time.perf_counter()
            if not args.quiet and (now - last[0] >= 0.5 or fraction >= 1.0):
                last[0] = now
                print(f"\r{100 * fraction:5.1f}%  {text[:100]:100s}", end="", file=sys.stderr, flush=True)

        outcome = reproduce(args.reproduce, seed=seed, quick=args.quick, progress=progress)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet:
        print(file=sys.stderr)
    print(outcome.line)
    if args.export:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from app.export.figures import ExportError
        from app.results.export import export_outcome
        from app.window.theme import quiet_platform_messages

        quiet_platform_messages()
        QApplication.instance() or QApplication([sys.argv[0]])
        try:
            export_outcome(outcome, Path(args.export), light=args.light, scale=args.scale)
        except ExportError as exc:
            raise UsageError(str(exc)) from None
        if not args.quiet:
            print(f"exported to {args.export} ({outcome.seconds:.0f} s)", file=sys.stderr)
    return 0 if outcome.verdict.reproduced else 1
