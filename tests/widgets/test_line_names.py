"""A reference line's name lies where it covers the least data: "baseline 0.167" is not written over a loss that
hovers at its baseline, and "max-norm 1" is named in the legend, not over the clipped steps on the line."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.tasks import make_task
from scripts.shots.covered_data import _covering, covered_data
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
    """One point comes under the name: it stays (another spot would be better by one point only, no wandering);
    three: it moves. Control: the spot it stayed at did cover the point."""
    panel = shown(qtbot, CurvesPanel, (520, 300))
    panel.set_task_info(make_task("adding").info())
    panel.set_history(history(np.full(200, 0.02)))  # far from both lines: every spot is free
    qtbot.wait(120)
    placer, label = panel.line_names, panel.baseline_line.label
    placer.place()
    spot = placer.spots[id(panel.baseline_line)]
    box = panel.metric_plot.getViewBox()
    at = box.mapSceneToView(placer.rects(label)[0].center())  # (view coordinates: log10 on this axis)
    dots = pg.ScatterPlotItem(x=[at.x()], y=[at.y()])
    panel.metric_plot.addItem(dots)
    placer.place()
    assert placer.spots[id(panel.baseline_line)] == spot
    assert any("baseline" in c and "ScatterPlotItem (1 of" in c for c in names_on_data(panel))
    dots.setData(x=[at.x()] * 3, y=[at.y()] * 3)
    placer.place()
    assert placer.spots[id(panel.baseline_line)] != spot
    assert names_on_data(panel) == []


def test_names_are_not_measured_again_while_nothing_changes(qtbot):
    """Measuring moves each name through every spot: with nothing new it is not done (the plot would repaint
    every second while idle). Control: new data are looked at."""
    panel = shown(qtbot, CurvesPanel, (520, 300))
    panel.set_task_info(make_task("adding").info())
    panel.set_history(history(np.full(200, 0.02)))
    qtbot.wait(120)
    placer = panel.line_names
    placer.place()
    moves = []
    label = panel.baseline_line.label
    original = label.setPosition
    label.setPosition = lambda p: (moves.append(p), original(p))
    placer.place()
    assert moves == []
    panel.set_history(history(np.concatenate([np.full(200, 0.02), np.full(50, 0.03)])))
    qtbot.wait(120)
    placer.place()
    assert moves


def test_max_norm_is_named_in_the_legend_not_over_the_clipped_steps(qtbot):
    """Clipped steps are drawn on the max-norm line (their norm after clipping is max-norm), so a name on the
    line covered them. Control: the plot's texts and the legend's names."""
    panel = shown(qtbot, GradientPanel, (640, 300))
    panel.set_clip(True, 1.0)
    panel.set_history(history(np.ones(60), clipped=np.arange(60) % 3 == 0))
    qtbot.wait(150)
    assert [lab.text for _s, lab in panel.step_legend.items][-1] == "max-norm 1"
    assert panel.max_norm_line.isVisible() and panel.max_norm_line.value() == math.log10(1.0)
    assert not [name for name, _item in _covering(panel.step_plot) if name.startswith("text") and "max-norm" in name]
    assert getattr(panel.max_norm_line, "label", None) is None


def test_the_max_norm_entry_comes_back_as_a_name_above_a_narrow_plot_and_ignores_clicks(qtbot):
    """Above a narrow plot the legend is names alone; clipping switched off and on again added the max-norm
    entry with its sample into their row (wider than the plot, never laid out again). Its sample is no curve:
    a click must not mark it hidden while the line stays drawn."""
    panel = shown(qtbot, GradientPanel, (400, 220))
    panel.set_clip(True, 0.3)
    panel.set_history(history(np.ones(60), clipped=np.arange(60) % 3 == 0))
    qtbot.wait(150)
    legend = panel.step_legend
    legend.placer.place()
    assert legend.placer.outside and not any(s.isVisible() for s, _lab in legend.items)  # names alone
    panel.set_clip(False, 0.3)
    qtbot.wait(150)
    legend.placer.place()  # the names without max-norm, alone above the plot
    assert not any(s.isVisible() for s, _lab in legend.items)
    panel.set_clip(True, 0.3)
    qtbot.wait(150)
    legend.placer.place()
    assert [lab.text for _s, lab in legend.items][-1] == "max-norm 0.3"
    assert not any(s.isVisible() for s, _lab in legend.items)  # control: the entry's sample had stayed drawn
    assert legend.boundingRect().width() <= panel.step_plot.width()
    sample = next(s for s, lab in legend.items if lab.text == "max-norm 0.3")

    class Click:
        def button(self):
            return Qt.MouseButton.LeftButton

        def accept(self):
            pass

    sample.mouseClickEvent(Click())
    assert sample.item.isVisible() and panel.max_norm_line.isVisible()


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


def test_an_events_name_is_not_written_over_the_start_of_the_loss(qtbot):
    """A preset's event sits at step 0, where the loss starts high: its name at the top of its line (the old
    place) lay on the first steps of the curve; now it goes where the plot is empty (lower down). Control: the
    old place covers the curve."""
    panel = shown(qtbot, CurvesPanel, (520, 300))
    panel.set_task_info(make_task("adding").info())
    steps = np.arange(0, 200, dtype=float)
    loss = 0.02 + 28.0 * np.exp(-steps / 40)  # (from the top of its plot)
    panel.add_event(0, "preset: Vanishing gradients")
    panel.set_history({"step": steps, "loss": loss, "metric": loss})
    qtbot.wait(150)
    placer = panel.line_names
    placer.place()
    event = next(line for line in placer.groups["events"] if "preset" in line.label.textItem.toPlainText())
    assert names_on_data(panel) == []
    box = panel.metric_plot.getViewBox()
    assert box.mapRectToScene(box.boundingRect()).contains(placer.rects(event.label)[1])
    spot, where = placer.spots[id(event)], placer.rects(event.label)[0]
    steps, loss = np.append(steps, 200.0), np.append(loss, loss[-1])  # the next snapshot: the name stays put
    panel.set_history({"step": steps, "loss": loss, "metric": loss})  # (the event's line was made afresh for
    assert placer.rects(event.label)[0] == where  # every snapshot, at the old place, for 50 ms to a second)
    panel.add_event(150, "learning rate 0.005")  # another event: the first one's name keeps its spot at once
    panel.set_history({"step": steps, "loss": loss, "metric": loss})
    event = next(line for line in placer.groups["events"] if "preset" in line.label.textItem.toPlainText())
    assert placer.spots[id(event)] == spot and placer.rects(event.label)[0] == where
    put(event.label, (0.93, 0))  # control: where EventLines put it
    assert any("preset: Vanishing" in c for c in names_on_data(panel))

