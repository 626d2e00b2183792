"""The set of display panels and how a snapshot is handed to them (shared by window and CLI)."""
from __future__ import annotations

from app.panels.panel_set import PanelSet
from app.panels.registry import PANELS, SPECS, analysis_feeds


def make_panels() -> dict:
    """{objectName: panel} for every display panel."""
    panels = {}
    for spec in PANELS:
        panel = spec.cls()
        panels[panel.objectName()] = panel
    return panels


def make_panel_set(eager) -> PanelSet:
    """The window's panels: those named in ``eager`` built now, the others when first needed."""
    return PanelSet([spec.name for spec in PANELS], lambda name: SPECS[name].cls(), eager)


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
    curves = panels.get("curvesPanel")
    if curves is not None:
        curves.set_viewed_step(snap.timeline.get("viewing") if snap.timeline else None)
        curves.set_evals(snap.evals)
    equations = panels.get("equationsPanel")
    if equations is not None:
        equations.set_config(snap.config)
    time = max(0, min(int(time), trace.hidden.shape[2] - 1))
    for panel in panels.values():
        panel.set_trace(trace)
        panel.set_history(snap.history)
        panel.set_time(time)
    model = model_key(snap)
    for name, (key, method) in analysis_feeds().items():
        panel = panels.get(name)
        if panel is None:
            continue
        if key in snap.analysis:
            getattr(panel, method)(snap.analysis[key])
            panel.setProperty("analysisModel", model)
        elif panel.property("analysisModel") not in (None, model):
            # its last analysis belongs to another model: show none (it says so) rather than a stale one
            getattr(panel, method)(None)
            panel.setProperty("analysisModel", None)
    return time


def model_key(snap) -> str:
    """Identifies the model and example a snapshot's analyses belong to (a rebuild, a reset or another
    example changes it; training steps do not)."""
    c = snap.config
    return repr((c["task"], sorted(c["task_params"].items()), sorted(c["model"].items()), c["train"]["seed"],
                 c["train"]["optimizer"], snap.example_source, getattr(snap.trace, "tokens", None)))


def wanted_analyses(visible: set[str]) -> set[str]:
    """The analyses to compute for the panels that are visible."""
    return {key for name, (key, _) in analysis_feeds().items() if name in visible}
