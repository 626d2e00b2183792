"""The words of a finished reproduction: README.md of its export (torch-free: the window writes it)."""
from __future__ import annotations

from engine.reproductions.base import Outcome


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
            f"Reproduce it: `rnnlab --headless --reproduce {outcome.name} --seed {outcome.seed} --export DIR`"
            f"{' --quick' if outcome.quick else ''}, or Help > Classic results in the window.\n")
