"""Every display panel declared in one place (as Orange widgets declare themselves with class
attributes and napari plugins with a manifest). The window (docks, tabs, View menu), export, the
export board, the GIF sweep and the engine's analysis requests all read this table: adding a panel
is one widget file in ``widgets/`` plus one ``PanelSpec`` here.
"""
from __future__ import annotations

from dataclasses import dataclass

from widgets.attention_panel import AttentionPanel
from widgets.counterfactual_panel import CounterfactualPanel
from widgets.curves_panel import CurvesPanel
from widgets.equations_panel import EquationsPanel
from widgets.gate_stats_panel import GateStatsPanel
from widgets.gates_panel import GatesPanel
from widgets.gradient_panel import GradientPanel
from widgets.hidden_heatmap import HiddenHeatmap
from widgets.sequence_strip import SequenceStrip
from widgets.unrolled_view import UnrolledView
from widgets.vanishing_panel import VanishingPanel

CENTER = "center"  # the central column (lecture note, sequence strip, unrolled network)


@dataclass(frozen=True)
class PanelSpec:
    name: str  # the panel's objectName, also the stem of its exported files
    cls: type  # the widget class (takes no arguments)
    title: str  # tab / menu / export title
    dock: str  # objectName of the dock it lives in (several panels in one dock become tabs), or CENTER
    analysis: str | None = None  # key of engine.live_analyses.ANALYSES it needs (computed while visible)
    feed: str | None = None  # the panel's method that takes that analysis payload
    sweep: bool = False  # drawn in the GIF time sweep
    board: tuple[int, int, int, int] = (0, 0, 1, 1)  # (row, column, row span, column span) on the export board
    help: str = ""  # one paragraph: what it shows and how to read it


# (dock objectName, dock title, area) in the order they are created; area: "right" or "bottom"
DOCKS = (("heatmapDock", "Hidden states hₜ", "right"),
         ("gatesDock", "Gates", "right"),
         ("gradientDock", "Gradients", "bottom"),
         ("curvesDock", "Training curves", "bottom"),
         ("attentionDock", "Attention and counterfactuals", "bottom"))

PANELS = (
    PanelSpec("sequenceStrip", SequenceStrip, "Sequence", CENTER, board=(0, 0, 1, 2),
              help="The displayed example: input tokens, targets and the model's predictions at each t."),
    PanelSpec("unrolledView", UnrolledView, "Unrolled network", CENTER, sweep=True, board=(1, 0, 1, 2),
              help="The network unrolled over time: one column per step, coloured by the hidden state."),
    PanelSpec("hiddenHeatmap", HiddenHeatmap, "Hidden states", "heatmapDock", sweep=True, board=(2, 0, 1, 1),
              help="h_t for every unit (rows) and step (columns), in [-1, 1]."),
    PanelSpec("gatesPanel", GatesPanel, "Gates", "gatesDock", sweep=True, board=(2, 1, 1, 1),
              help="Gate activations of the LSTM/GRU over time, in [0, 1]."),
    PanelSpec("gateStatsPanel", GateStatsPanel, "Gate statistics", "gatesDock", analysis="gate_stats",
              feed="set_stats", board=(6, 0, 1, 2),
              help="How often each gate is saturated (near 0 or 1) over the example."),
    PanelSpec("equationsPanel", EquationsPanel, "Equations", "gatesDock", board=(5, 1, 1, 1),
              help="The cell's equations with the numbers of the step at the cursor."),
    PanelSpec("gradientPanel", GradientPanel, "dL/dhₜ", "gradientDock", sweep=True, board=(3, 0, 1, 1),
              help="||dL/dh_t|| per step on a log axis: how much of the gradient reaches each step."),
    PanelSpec("vanishingPanel", VanishingPanel, "Why gradients vanish", "gradientDock", analysis="spectrum",
              feed="set_analysis", board=(4, 1, 1, 1),
              help="The spectral radius of the recurrent Jacobian and the products of step Jacobians."),
    PanelSpec("curvesPanel", CurvesPanel, "Training curves", "curvesDock", board=(3, 1, 1, 1),
              help="Loss, the task's metric and the gradient norm over training steps."),
    PanelSpec("attentionPanel", AttentionPanel, "Attention αᵢ", "attentionDock", sweep=True, board=(4, 0, 1, 1),
              help="The attention weights alpha_i over the input positions (attention head only)."),
    PanelSpec("counterfactualPanel", CounterfactualPanel, "Counterfactual input", "attentionDock",
              analysis="counterfactual", feed="set_result", board=(5, 0, 1, 1),
              help="Replace one input and see how the output and every later hidden state change."),
)

SPECS = {spec.name: spec for spec in PANELS}


def dock_panels(dock: str) -> tuple[str, ...]:
    """Names of the panels in a dock, in tab order."""
    return tuple(spec.name for spec in PANELS if spec.dock == dock)


def sweep_panels() -> tuple[str, ...]:
    return tuple(spec.name for spec in PANELS if spec.sweep)


def analysis_feeds() -> dict[str, tuple[str, str]]:
    """{panel name: (analysis key, feed method)} of the panels that show an engine analysis."""
    return {spec.name: (spec.analysis, spec.feed) for spec in PANELS if spec.analysis}
