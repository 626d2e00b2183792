"""The set of display panels and how a snapshot is handed to them (shared by window and CLI)."""
from __future__ import annotations

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

PANEL_CLASSES = (SequenceStrip, UnrolledView, HiddenHeatmap, GatesPanel, AttentionPanel, GradientPanel,
                 CurvesPanel, VanishingPanel, CounterfactualPanel, EquationsPanel, GateStatsPanel)

# panel objectName -> (key in Snapshot.analysis, the panel's method that takes it)
ANALYSIS_FEEDS = {"vanishingPanel": ("spectrum", "set_analysis"), "gateStatsPanel": ("gate_stats", "set_stats"),
                  "counterfactualPanel": ("counterfactual", "set_result")}


def make_panels() -> dict:
    """{objectName: panel} for every display panel."""
    panels = {}
    for cls in PANEL_CLASSES:
        panel = cls()
        panels[panel.objectName()] = panel
    return panels


def apply_snapshot(panels: dict, snap, time: int, task_changed: bool = True) -> int:
    """Hand a snapshot to every panel; returns the (clamped) time cursor."""
    trace = snap.trace
    if task_changed:
        for panel in panels.values():
            panel.set_task_info(snap.task_info)
    gradient = panels.get("gradientPanel")
    if gradient is not None:
        train = snap.config["train"]
        gradient.set_clip(train["clip"], train["max_norm"])
    equations = panels.get("equationsPanel")
    if equations is not None:
        equations.set_config(snap.config)
    time = max(0, min(int(time), trace.hidden.shape[2] - 1))
    for panel in panels.values():
        panel.set_trace(trace)
        panel.set_history(snap.history)
        panel.set_time(time)
    for name, (key, method) in ANALYSIS_FEEDS.items():
        if name in panels and key in snap.analysis:
            getattr(panels[name], method)(snap.analysis[key])
    return time


def wanted_analyses(visible: set[str]) -> set[str]:
    """The analyses to compute for the panels that are visible."""
    return {key for name, (key, _) in ANALYSIS_FEEDS.items() if name in visible}
