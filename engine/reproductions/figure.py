"""Figure data of a reproduction: plain numpy in small frozen dataclasses, no drawing.

The engine fills them; the app (``app.results.figure_view``) draws them with pyqtgraph and exports
PNG and SVG. A figure is a row of plots; a plot holds series (lines, markers or bars), horizontal
reference lines (the paper's baseline, a threshold) and axis labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KINDS = ("line", "scatter", "bar")
SYMBOLS = ("o", "x", "s", "t", "d", "+")  # pyqtgraph symbol names


@dataclass(frozen=True)
class Series:
    name: str  # the legend entry
    x: np.ndarray  # (N,)
    y: np.ndarray  # (N,)
    kind: str = "line"  # line, scatter or bar
    color: int = 0  # index into the app's series colours
    symbol: str = "o"  # scatter marker
    filled: bool = True  # scatter: a filled marker (stable point) or an outline (saddle)
    size: float = 8.0  # scatter marker size in px
    width: float = 2.0  # line width in px
    faint: bool = False  # drawn thin and translucent (many trajectories behind the main data)
    labels: tuple[str, ...] = ()  # scatter: a text beside each point (empty: none)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.symbol not in SYMBOLS:
            raise ValueError(f"symbol must be one of {', '.join(SYMBOLS)}; got {self.symbol!r}")
        x, y = np.asarray(self.x, dtype=np.float64), np.asarray(self.y, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"series {self.name!r}: x and y must be 1-D of one length; got {x.shape}, {y.shape}")
        if self.labels and len(self.labels) != len(x):
            raise ValueError(f"series {self.name!r}: {len(self.labels)} labels for {len(x)} points")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)


@dataclass(frozen=True)
class RefLine:
    y: float  # where the horizontal line is
    label: str  # what it is ("baseline 0.167: always answer 1")
    below: bool = False  # the label under the line (where the data run just above it)


@dataclass(frozen=True)
class Plot:
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...] = ()
    ref_lines: tuple[RefLine, ...] = ()
    log_y: bool = False
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    equal_aspect: bool = False  # state-space projections: one unit is as long on both axes
    x_ticks: tuple[tuple[float, str], ...] = ()  # labelled categories (bar charts)
    legend: str = "top-left"  # where the legend sits: top-left, top-right, bottom-left, bottom-right, or none


@dataclass(frozen=True)
class Figure:
    title: str
    plots: tuple[Plot, ...] = field(default_factory=tuple)
    caption: str = ""  # one or two sentences under the figure in the README
