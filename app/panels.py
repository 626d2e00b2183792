"""The set of display panels and how a snapshot is handed to them (shared by window and CLI)."""
from __future__ import annotations

from .panel_registry import PANELS, analysis_feeds


def make_panels() -> dict:
    """{objectName: panel} for every display panel."""
    panels = {}
    for spec in PANELS:
        panel = spec.cls()
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
    for name, (key, method) in analysis_feeds().items():
        if name in panels and key in snap.analysis:
            getattr(panels[name], method)(snap.analysis[key])
    return time


def wanted_analyses(visible: set[str]) -> set[str]:
    """The analyses to compute for the panels that are visible."""
    return {key for name, (key, _) in analysis_feeds().items() if name in visible}
