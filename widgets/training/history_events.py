"""Events on a training history's step axis: where a run diverged, and what the user changed
(configuration, reset, lecture preset). One labelled vertical line per event, on every plot given;
shared by the learning curves and the gradient-norm history.

Divergence comes from the history itself (the step the trainer skipped as non-finite); the other
events are told by the window (``add``), which knows what it applied and at which step.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from widgets.parts.base import DARK
from widgets.parts.line_label_place import line_names

MAX_LABELS = 6  # the newest events keep their labels; older ones are lines only (no pile of text)
FEW_POINTS = 40  # histories this short draw a dot per step: a 2-step run is visible


def short(v: float) -> str:
    return f"{v:.3g}" if v == 0 or 1e-2 <= abs(v) < 1e4 else f"{v:.1e}"


def divergences(history: dict) -> list[tuple[float, str, str]]:
    """[(step, label, "diverged")] for every step the trainer skipped as non-finite."""
    steps = np.asarray(history.get("step", ()), dtype=np.float64)
    skipped = np.asarray(history.get("skipped", np.zeros(len(steps))), dtype=np.float64)
    loss = np.asarray(history.get("loss", np.full(len(steps), np.nan)), dtype=np.float64)
    grad = np.asarray(history.get("grad_norm", np.full(len(steps), np.nan)), dtype=np.float64)
    out = []
    for i in np.flatnonzero(skipped > 0.5):
        what = f"loss {short(loss[i])}" if math.isfinite(loss[i]) else "loss not finite"
        what += f", ‖∂L/∂θ‖ {short(grad[i])}" if math.isfinite(grad[i]) else ", ‖∂L/∂θ‖ not finite"
        out.append((float(steps[i]), f"diverged at step {int(steps[i])} ({what})", "diverged"))
    return out


def last_divergence(history: dict) -> tuple[float, str, str] | None:
    """The divergence event if the run's last step diverged (the run is stopped there), else None."""
    events = divergences(history)
    steps = history.get("step", ())
    return events[-1] if events and len(steps) and events[-1][0] == float(steps[-1]) else None


class EventLines:
    """Labelled vertical lines at history events on one or more plots sharing a step axis; the
    labels are drawn on the first plot only."""

    def __init__(self, plots, short_labels: bool = False):
        self.plots = list(plots)
        self.short_labels = short_labels  # "diverged at step N" only (a narrow plot)
        self.label_on = 0  # index of the plot that carries the labels
        self.lines: list = []
        self.events: list = []
        self.theme = DARK

    def set_events(self, events, steps=()) -> None:
        """events: [(step, label, kind)]; steps: the history's steps (a label on the right half of
        the axis is written to the left of its line, so it stays inside the plot)."""
        events = sorted(events)
        if (events, self.label_on) == (self.events, getattr(self, "_on", None)):
            return  # (not rebuilt as the run grows: the plot's line_names placer keeps each name where it fits)
        self.events, self._on = events, self.label_on
        steps = np.asarray(steps, dtype=np.float64)  # (10,000 steps long: numpy, not a loop)
        steps = steps[np.isfinite(steps)]
        ends = [e[0] for e in events] + ([float(steps.min()), float(steps.max())] if steps.size else [])
        mid = (min(ends) + max(ends)) / 2 if ends else 0.0  # (the names' first side; placed after)
        for plot, line in self.lines:
            plot.removeItem(line)
        self.lines = []
        labelled = {id(e) for e in events[-MAX_LABELS:]}
        for k, event in enumerate(events):
            step, text, _kind = event
            for p, plot in enumerate(self.plots):
                if self.short_labels:
                    text = text.split(" (")[0]
                label = text if (p == self.label_on and id(event) in labelled) else None
                # staggered heights: events close together do not write over each other
                side = (1, 0) if step > mid else (0, 0)
                opts = {"position": 0.93 - 0.14 * (k % 5), "anchors": [side, side]}
                line = pg.InfiniteLine(pos=step, angle=90, movable=False, label=label, labelOpts=opts)
                line.setZValue(8)
                plot.addItem(line, ignoreBounds=True)
                self.lines.append((plot, line))
        for plot in self.plots:  # each name then where it hides the least (the staggered heights: its start)
            line_names(plot).set_lines("events", [line for p, line in self.lines
                                                  if p is plot and getattr(line, "label", None) is not None])
        self._style()

    def set_theme(self, theme: dict) -> None:
        self.theme = theme
        self._style()

    def labels(self) -> list[str]:
        """The texts drawn (for tests and the export)."""
        return [line.label.format for _plot, line in self.lines if getattr(line, "label", None) is not None]

    def _style(self) -> None:
        th = self.theme
        kinds = {id(line): kind for (_p, line), (_s, _t, kind) in
                 zip(self.lines, [e for e in self.events for _ in self.plots], strict=True)}
        for _plot, line in self.lines:
            color = th["bad"] if kinds[id(line)] == "diverged" else th["muted"]
            style = Qt.PenStyle.SolidLine if kinds[id(line)] == "diverged" else Qt.PenStyle.DotLine
            line.setPen(pg.mkPen(color, width=1.5, style=style))
            if getattr(line, "label", None) is not None:
                line.label.setColor(color)
                line.label.fill = pg.mkBrush(th["background"] + "d0")
                line.label.update()


def dots_for_short_runs(curves, n: int) -> None:
    """A dot per point while a history is short (one or two points draw no line)."""
    few = n <= FEW_POINTS
    for curve in curves:
        if (curve.opts.get("symbol") is not None) != few:
            pen = curve.opts.get("pen")
            color = pg.mkPen(pen).color() if pen is not None else pg.mkColor("w")
            curve.setSymbol("o" if few else None)
            curve.setSymbolSize(4)
            curve.setSymbolPen(None)
            curve.setSymbolBrush(color)
