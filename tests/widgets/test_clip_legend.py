"""A legend names only what the plot can show: no "after clip" / "clipped" while clipping is off."""
from __future__ import annotations

import numpy as np

from widgets.gradients.gradient_panel import GradientPanel


def names(panel) -> list[str]:
    return [label.text for _sample, label in panel.step_legend.items]


def history(clipped):
    n = len(clipped)
    return {"step": np.arange(1, n + 1, dtype=float), "grad_norm": np.full(n, 2.0),
            "grad_norm_clipped": np.where(np.asarray(clipped) > 0, 1.0, 2.0), "clipped": np.asarray(clipped, float),
            "loss": np.ones(n), "metric": np.ones(n)}


def test_clipping_legend_follows_the_clipping_setting(qtbot):
    panel = GradientPanel()
    qtbot.addWidget(panel)
    panel.set_clip(True, 1.0)
    panel.set_history(history([0, 1, 1]))
    assert {"before clip", "after clip", "clipped"} <= set(names(panel))
    fresh = GradientPanel()  # clipping off from the start: only the raw norm
    qtbot.addWidget(fresh)
    fresh.set_clip(False, 1.0)
    fresh.set_history(history([0, 0, 0]))
    assert names(fresh) == ["before clip"]
    fresh.set_clip(True, 1.0)  # switched on: the entries come back
    assert {"after clip", "clipped"} <= set(names(fresh))
    panel.set_clip(False, 1.0)  # off, but this run clipped steps: they are still drawn and named
    assert "clipped" in names(panel)
