"""The shape of a reproduction: one published result, rerun at a scale this machine affords.

A result is one module with one ``Reproduction`` subclass (and one entry in
``engine.reproductions.RESULTS``). It declares what it is (``name``, ``title``, ``citation``, the
``published`` claim, the ``panels`` that show it in the window) and implements

    settings(quick)            -> dict   the scaled-down settings (``quick``: the test suite's <= 30 s run)
    run(settings, seed, ctx)   -> dict   train and measure; ``ctx`` reports progress and raises Cancelled
    verdict(measured, settings) -> Verdict  reproduced or not, the measured number in words, and why
    table(measured)            -> (header, rows)   the data behind the figure (CSV)
    figure(measured, settings) -> Figure  the paper-style figure's data (``engine.reproductions.figure``)
    differences(settings)      -> str    what differs from the paper's setup (the README says it)

``engine.reproductions.runner.reproduce`` drives it and packs the ``Outcome``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.reproductions.figure import Figure


class Cancelled(Exception):
    """The user cancelled a reproduction; nothing it computed is kept."""


@dataclass(frozen=True)
class Verdict:
    reproduced: bool
    measured: str  # the measured counterpart of the published claim, in words with numbers
    why: str = ""  # when not reproduced: why (and, when reproduced, any caveat worth a line)

    def __post_init__(self):
        object.__setattr__(self, "reproduced", bool(self.reproduced))  # a numpy bool would not go to JSON


class Context:
    """What a running reproduction reports to and asks of its caller.

    ``progress(fraction, text)`` is called now and then (fraction in [0, 1] of the whole run);
    ``cancel()`` returning True makes the next ``check`` raise ``Cancelled``. A reproduction splits
    its work into parts (``part(i, n)``) so that the fractions of consecutive trainings add up.
    """

    def __init__(self, progress=None, cancel=None):
        self._progress, self._cancel = progress, cancel
        self._lo, self._hi = 0.0, 1.0
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.trainers: dict = {}  # label -> the Trainer of each model trained (the window keeps one)

    def part(self, index: int, count: int) -> None:
        """The following ``report`` fractions are of part ``index`` (0-based) of ``count`` equal parts."""
        self._lo, self._hi = index / count, (index + 1) / count

    def report(self, fraction: float, text: str) -> None:
        self.check()
        if self._progress is not None:
            f = self._lo + (self._hi - self._lo) * min(max(float(fraction), 0.0), 1.0)
            self._progress(f, text)

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise Cancelled("cancelled")

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def cpu(self) -> float:
        """CPU seconds of this process since the start (the machine may be shared: wall time is not the cost)."""
        return time.process_time() - self.cpu_started


class Reproduction:
    name: str = ""
    title: str = ""
    citation: str = ""  # authors, year, title, venue / arXiv id, figure or table
    published: str = ""  # the claim as the paper states it, with its numbers
    panels: tuple[str, ...] = ()  # object names of the window's panels that show the kept model
    keep: str = ""  # label of the trained model the window keeps to explore (a key of ctx.trainers)
    minutes: float = 3.0  # about how long the full run takes on a 2-core machine

    def settings(self, quick: bool = False) -> dict:
        raise NotImplementedError

    def run(self, settings: dict, seed: int, ctx: Context) -> dict:
        raise NotImplementedError

    def verdict(self, measured: dict, settings: dict) -> Verdict:
        raise NotImplementedError

    def table(self, measured: dict) -> tuple[list[str], list[list]]:
        raise NotImplementedError

    def figure(self, measured: dict, settings: dict) -> Figure:
        raise NotImplementedError

    def differences(self, settings: dict) -> str:
        raise NotImplementedError

    def info(self) -> dict:
        """Plain metadata for the window's list and ``--list-results``."""
        return {"name": self.name, "title": self.title, "citation": self.citation,
                "published": self.published, "panels": list(self.panels), "minutes": self.minutes}


@dataclass
class Outcome:
    """Everything a finished reproduction produced. Plain data except ``trainer`` (engine side only:
    the trained model the window keeps; ``public()`` leaves it out for the pipe)."""

    name: str
    title: str
    citation: str
    published: str
    seed: int
    quick: bool
    settings: dict
    measured: dict
    verdict: Verdict
    header: list
    rows: list
    figure: Figure
    differences: str
    seconds: float
    cpu_seconds: float = 0.0
    panels: tuple = ()
    keep: str = ""
    config: dict | None = None  # LabConfig.to_dict() of the kept model
    trainer: object = field(default=None, repr=False)

    @property
    def line(self) -> str:
        """published: ... · measured: ... · reproduced | not reproduced (why)"""
        end = "reproduced" if self.verdict.reproduced else f"not reproduced ({self.verdict.why})"
        return f"published: {self.published} · measured: {self.verdict.measured} · {end}"

    def public(self) -> Outcome:
        """A copy without the trainer (what crosses to the window)."""
        return Outcome(**{**self.__dict__, "trainer": None})


def readme_text(outcome: Outcome, figure_name: str, csv_name: str) -> str:
    """README.md of an exported reproduction: the paper, the claim, the measured line, the settings
    and what differs from the paper."""
    settings = "\n".join(f"- `{k}`: {v}" for k, v in outcome.settings.items())
    scale = "the test suite's quick scale" if outcome.quick else "the full (scaled-down) run"
    return (f"# {outcome.title}\n\n"
            f"**Paper:** {outcome.citation}\n\n"
            f"**Result:** {outcome.line}\n\n"
            f"![{outcome.figure.title}]({figure_name}.png)\n\n"
            f"{outcome.figure.caption}\n\n"
            f"Figure: `{figure_name}.png` and `{figure_name}.svg`; its data: `{csv_name}`.\n\n"
            f"## Settings ({scale}, seed {outcome.seed}; {outcome.seconds:.0f} s on this machine, "
            f"{outcome.cpu_seconds:.0f} s of CPU)\n\n"
            f"{settings}\n\n"
            f"## What differs from the paper\n\n{outcome.differences}\n\n"
            f"Reproduce it: `rnnlab --headless --reproduce {outcome.name} --seed {outcome.seed} --export DIR"
            f"{' --quick' if outcome.quick else ''}`, or Help > Classic results in the window.\n")
