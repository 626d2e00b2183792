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


def test_one_chains_gradient_plot_has_no_legend_and_gives_its_row_back(qtbot):
    """A legend of one entry ("layer 1 →", the only chain there is) tells nothing its title does not, and on a
    small plot it covered a third of it or took a row above it. Two chains (bidirectional) keep their legend;
    going back to one gives the title row its own height again. Control: the two-chain legend."""
    from tests.widgets.test_widgets_a import shown, trace_for

    panel = shown(qtbot, GradientPanel, (360, 170))  # small: the two-name legend goes above the plot
    title_row = panel.time_plot.layout.rowMaximumHeight(0)
    panel.set_trace(trace_for("gru", bidirectional=True))
    qtbot.wait(150)  # (the placer settles)
    legend = panel.time_legend
    assert legend.isVisible() and [lab.text for _s, lab in legend.items] == ["layer 1 →", "layer 1 ←"]
    panel.set_trace(trace_for("gru"))
    qtbot.wait(150)
    assert not legend.isVisible() and len(legend.items) == 1
    assert panel.time_plot.layout.rowMaximumHeight(0) == title_row  # (the row above, if it was taken, given back)
