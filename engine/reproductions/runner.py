"""Run a reproduction by name: ``reproduce(name, seed, quick, progress, cancel) -> Outcome``."""
from __future__ import annotations

import torch

from engine.reproductions.base import Context, Outcome
from engine.reproductions.registry import get_result


def reproduce(name: str, seed: int = 0, quick: bool = False, progress=None, cancel=None) -> Outcome:
    """Run result ``name`` with ``seed``; ``quick`` is the test suite's scaled-down run.

    ``progress(fraction, text)`` is called during the run; ``cancel()`` returning True stops it with
    ``Cancelled``. Weights and batches come from ``seed`` only, so a run is repeatable. The global
    torch RNG is left as it was.
    """
    result = get_result(name)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be a whole number from 0 to {2**31 - 1}; got {seed!r}")
    settings = result.settings(quick)
    ctx = Context(progress, cancel)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        measured = result.run(settings, seed, ctx)
    verdict = result.verdict(measured, settings)
    header, rows = result.table(measured)
    kept = ctx.trainers.get(result.keep)
    trainer, cfg = kept if kept is not None else (None, None)
    if progress is not None:
        progress(1.0, "reproduced" if verdict.reproduced else "not reproduced")
    return Outcome(name=result.name, title=result.title, citation=result.citation, published=result.published,
                   seed=seed, quick=quick, settings=settings, measured=measured, verdict=verdict,
                   header=header, rows=rows, figure=result.figure(measured, settings),
                   differences=result.differences(settings), seconds=ctx.elapsed(), cpu_seconds=ctx.cpu(),
                   panels=tuple(result.panels),
                   keep=result.keep, config=None if cfg is None else cfg.to_dict(), trainer=trainer)
