"""The registry of classic results: adding one is one module plus one entry in ``RESULTS``."""
from __future__ import annotations

from engine.reproductions.base import Reproduction
from engine.reproductions.counting_anbn import CountingAnbn
from engine.reproductions.flipflop import FlipFlop
from engine.reproductions.gate_saturation import GateSaturation
from engine.reproductions.gradient_decay import GradientDecay
from engine.reproductions.irnn_adding import IrnnAdding
from engine.reproductions.line_attractor import LineAttractor
from engine.reproductions.nonlinear_parity import NonlinearParity
from engine.reproductions.temporal_order import TemporalOrder

# the order of Help > Classic results and --list-results: the lecture's order
RESULTS: dict[str, type[Reproduction]] = {cls.name: cls for cls in (
    NonlinearParity, GradientDecay, IrnnAdding, TemporalOrder, GateSaturation, FlipFlop, LineAttractor,
    CountingAnbn,
)}


def list_results() -> list[str]:
    return list(RESULTS)


def get_result(name: str) -> Reproduction:
    if name not in RESULTS:
        raise ValueError(f"unknown result {name!r}; choose from {', '.join(RESULTS)}")
    return RESULTS[name]()


def catalog() -> list[dict]:
    """Plain metadata of every result, in menu order (what the window lists)."""
    return [cls().info() for cls in RESULTS.values()]
