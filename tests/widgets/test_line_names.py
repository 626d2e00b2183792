"""A reference line's name lies where it covers the least data: "baseline 0.167" is not written over a loss that
hovers at its baseline, and "max-norm 1" is named in the legend, not over the clipped steps on the line."""
from __future__ import annotations

import math

import numpy as np

from engine.tasks import make_task
from scripts.shots.covered_data import covered_data
from tests.widgets.test_widgets_a import shown
from widgets.gradients.gradient_panel import GradientPanel
from widgets.parts.line_label_place import put
from widgets.training.curves_panel import CurvesPanel


def history(loss, clipped=None):
    n = len(loss)
    clipped = np.zeros(n) if clipped is None else np.asarray(clipped, float)
    return {"step": np.arange(1, n + 1, dtype=float), "loss": np.asarray(loss, float),
            "metric": np.asarray(loss, float), "grad_norm": np.where(clipped > 0, 3.0, 0.5),
            "grad_norm_clipped": np.where(clipped > 0, 1.0, 0.5), "clipped": clipped}


def names_on_data(panel) -> list[str]:
    return [c for c in covered_data(panel.view) if c.startswith("text")]


def test_the_baseline_name_moves_off_a_loss_that_hovers_at_the_baseline(qtbot):
    """The adding task's loss sits at its baseline (1/6) for the first 120 steps, then falls far below: a
    name at the line's left end lay on it. Control: the old fixed spot (left end, under the line in the
    plot's top half) covers the curve in the same plot."""
    panel = shown(qtbot, CurvesPanel, (520, 300))
    panel.set_task_info(make_task("adding").info())
    rng = np.random.default_rng(0)
    loss = np.concatenate([1 / 6 * (1 + 0.03 * rng.standard_normal(120)), np.full(80, 0.02)])
    panel.set_history(history(loss))
    qtbot.wait(120)  # (the names are placed a moment after the range settles)
    panel.line_names.place()
    assert panel.baseline_line.label.isVisible()
    assert names_on_data(panel) == []
    label = panel.baseline_line.label
    assert label.textItem.toPlainText() == "baseline 0.167"
    box = panel.metric_plot.getViewBox()  # the name is inside the plot, not cut at its edge
    assert box.mapRectToScene(box.boundingRect()).contains(label.mapRectToScene(label.boundingRect()))
    put(label, (0.02, 0))  # control: where it was
    assert any("baseline 0.167" in c for c in names_on_data(panel))


def test_a_name_stays_where_it_is_unless_another_spot_is_clearly_better(qtbot):
    panel = shown(qtbot, CurvesPanel, (520, 300))
    panel.set_task_info(make_task("adding").info())
    panel.set_history(history(np.full(200, 0.02)))  # far from both lines: every spot is free
    qtbot.wait(120)
    panel.line_names.place()
    spot = panel.line_names.spots[id(panel.baseline_line)]
    for _ in range(3):
        panel.line_names.place()
        assert panel.line_names.spots[id(panel.baseline_line)] == spot


def test_max_norm_is_named_in_the_legend_not_over_the_clipped_steps(qtbot):
    """Clipped steps are drawn on the max-norm line (their norm after clipping is max-norm), so a name on the
    line covered them. Control: the plot's texts and the legend's names."""
    panel = shown(qtbot, GradientPanel, (640, 300))
    panel.set_clip(True, 1.0)
    panel.set_history(history(np.ones(60), clipped=np.arange(60) % 3 == 0))
    qtbot.wait(150)
    assert [lab.text for _s, lab in panel.step_legend.items][-1] == "max-norm 1"
    assert panel.max_norm_line.isVisible() and panel.max_norm_line.value() == math.log10(1.0)
    assert not any("max-norm" in c for c in covered_data(panel.view))
    assert getattr(panel.max_norm_line, "label", None) is None


def test_two_names_in_a_short_plot_share_it_without_covering_the_curve(qtbot):
    """Part-of-speech tagging at 1920x1080: the accuracy plot is ~90 px high, the curve runs between the baseline
    (0.88) and the pass line (0.97) near the top. Placed one after the other, the baseline's name took the room
    under the pass line and the pass name lay on 872 points of the curve; placed together (and a name's box
    margin allowed past the plot's edge, its letters not), neither covers it. Control: the spot the one-by-one
    rule chose."""
    panel = shown(qtbot, CurvesPanel, (390, 300))
    panel.set_task_info(make_task("tagging").info())
    steps = np.arange(1, 751, dtype=float)
    noise = 0.01 * np.random.default_rng(0).standard_normal(len(steps))
    panel.set_history({"step": steps, "loss": 0.15 + 1.5 * np.exp(-steps / 30) + 2 * noise,
                       "metric": 0.92 - 0.42 * np.exp(-steps / 30) + noise})
    qtbot.wait(120)
    panel.line_names.place()
    assert names_on_data(panel) == []
    box = panel.metric_plot.getViewBox()
    area = box.mapRectToScene(box.boundingRect())
    for line in (panel.baseline_line, panel.threshold_line):
        assert area.contains(panel.line_names.rects(line.label)[1])  # every letter in the plot
    put(panel.threshold_line.label, (0.98, 0))
    assert any("pass ≥ 0.97" in c for c in names_on_data(panel))
