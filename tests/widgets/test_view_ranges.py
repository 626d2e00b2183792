"""Live plots keep still: a y range holds data that swing back and forth, and a growing run's step
axis moves in steps. Every move re-renders an axis, which costs the training thread time (the GUI
holds Python's lock while drawing), and a jittering axis is hard to read."""
import math

import numpy as np
import pyqtgraph as pg

from widgets.parts.view_ranges import run_range, settle_step_range, settle_y_range, steady_range, thin_marks


def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    item = widget.getPlotItem()
    item.getViewBox().disableAutoRange()
    item.widget = widget  # (keeps the widget, and with it the plot, alive)
    return item


def test_a_y_range_holds_data_that_swing_and_always_contains_them(qtbot):
    item = plot(qtbot)
    swings = [(-4.2, -1.1), (-5.3, -2.0), (-4.0, -0.9), (-5.1, -1.8)] * 5  # log10 norms, up and down
    ranges = []
    for lo, hi in swings:
        settle_y_range(item, lo, hi, slack=1.0)
        cur = item.getViewBox().viewRange()[1]
        assert cur[0] <= lo and hi <= cur[1]
        ranges.append(tuple(cur))
    assert len(set(ranges[2:])) == 1  # after the first swings, one range holds them all
    settle_y_range(item, -12.0, -11.5, slack=1.0)  # data far away: the range follows them
    cur = item.getViewBox().viewRange()[1]
    assert cur[0] <= -12.0 and -11.5 <= cur[1] and cur[1] - cur[0] < 3


def test_steady_ranges_land_on_ticks_and_keep_a_bar_chart_at_zero():
    lo, hi = steady_range(0.13, 0.87)
    assert lo < 0.13 and hi > 0.87
    assert math.isclose(lo / 0.1, round(lo / 0.1)) and math.isclose(hi / 0.1, round(hi / 0.1))
    assert steady_range(0.0, 0.42, slack=0.3, keep_lo=True)[0] == 0.0


def test_a_growing_run_moves_the_step_axis_in_steps_with_its_newest_step_in_view(qtbot):
    item = plot(qtbot)
    moves = 0
    for last in range(40, 4001, 40):  # 100 snapshots, 40 steps apart
        steps = np.arange(1, last + 1, dtype=float)
        moves += settle_step_range(item, steps)
        lo, hi = run_range(steps)
        # at most ~25% empty on the right (past the first 100 steps)
        assert lo <= 1 and last <= hi <= max(last + 0.3 * (last - 1) + 10, 100)
    assert moves <= 25  # not at every snapshot: 13 times per decade of steps
    assert not settle_step_range(item, np.arange(1, 4001, dtype=float))  # unchanged: nothing to do


def test_a_young_run_fills_a_still_axis_of_its_first_hundred_steps(qtbot):
    item = plot(qtbot)
    moves = [settle_step_range(item, np.arange(1, last + 1, dtype=float)) for last in range(3, 100, 3)]
    assert moves[0] and not any(moves[1:])  # set once, then still while the run grows to 99 steps
    assert run_range(np.arange(1, 4, dtype=float)) == (0.0, 100.0)
    assert run_range(np.arange(1, 131, dtype=float)) == (0.0, 150.0)  # past it: grown as before
    assert run_range(np.arange(5001, 5004, dtype=float))[0] == 5000.0  # (a history that starts later)


def test_thinned_marks_keep_each_bins_lowest_and_highest_in_order():
    rng = np.random.default_rng(0)
    x = np.sort(rng.choice(np.arange(1, 20_001), size=6000, replace=False)).astype(float)
    y = rng.lognormal(size=6000)
    tx, ty = thin_marks(x, y, bins=100)
    assert 100 <= len(tx) <= 200 and np.all(np.diff(tx) > 0)  # at most two a bin, still in order
    assert y.max() in ty and y.min() in ty
    b = np.minimum(((x - x[0]) / (x[-1] - x[0]) * 100).astype(int), 99)
    for k in (0, 37, 99):  # per bin: exactly its extremes
        assert set(ty[np.isin(tx, x[b == k])]) == {y[b == k].min(), y[b == k].max()}
    sx, sy = thin_marks(x[:150], y[:150], bins=100)  # few marks: all kept
    assert np.array_equal(sx, x[:150]) and np.array_equal(sy, y[:150])


def test_non_finite_data_leave_the_range_as_it_is(qtbot):
    item = plot(qtbot)
    settle_y_range(item, 0.0, 1.0)
    before = item.getViewBox().viewRange()[1]
    assert not settle_y_range(item, float("nan"), 1.0) and not settle_y_range(item, 0.0, float("inf"))
    assert item.getViewBox().viewRange()[1] == before


def test_a_narrow_step_axis_spaces_its_labels_apart(qtbot):
    from widgets.parts.plot_items import SparseAxis

    axis = SparseAxis("bottom")
    spacing = axis.tickSpacing(95.0, 145.0, 60)[0][0]  # 50 steps over 60 px
    assert spacing / 50 * 60 >= SparseAxis.MIN_PX  # pyqtgraph alone: every 20 steps, 24 px apart
    assert axis.tickSpacing(0.0, 5000.0, 800)[0][0] == pg.AxisItem("bottom").tickSpacing(0.0, 5000.0, 800)[0][0]


def test_a_narrow_step_axis_drawn_larger_keeps_its_labels_apart(qtbot):
    """On the stage a view is scaled: the axis is 60 units long (its labels' units) but 105 device pixels. Its
    labels stay MIN_PX of its own units apart. Control: spacing by device pixels gave every 20 steps (24 units)."""
    from PySide6.QtCore import QRectF

    from widgets.parts.plot_items import SparseAxis

    axis = SparseAxis("bottom")
    axis.setGeometry(QRectF(0, 0, 60, 30))
    spacing = axis.tickSpacing(95.0, 145.0, 105)[0][0]  # 50 steps over 60 units, drawn 1.75x
    assert spacing / 50 * 60 >= SparseAxis.MIN_PX
    upright = SparseAxis("left")  # a vertical one measures its height (its width is its labels' room)
    upright.setGeometry(QRectF(0, 0, 13, 160))
    spacing = upright.tickSpacing(0.0, 10000.0, 160)[0][0]
    assert SparseAxis.MIN_PX <= spacing / 10000 * 160 <= 3 * SparseAxis.MIN_PX


def test_no_decade_label_is_wider_than_0_001(qtbot):
    """pyqtgraph writes 10⁻⁴ as "0.0001" (powers start at 10⁻⁵); in the curves' fixed 52 px axis it ran into the
    title "loss" (the projector walk at 1920x1080, attention preset). Every decade the log axes write, 10⁻³⁰ to
    10³⁰, is now at most as wide as "0.001", which fits. Control: pyqtgraph's own labels."""
    from PySide6.QtGui import QFont, QFontMetricsF

    from widgets.parts.plot_items import LogAxis

    fm = QFontMetricsF(QFont())
    decades = [float(e) for e in range(-30, 31)]
    ours = LogAxis("left").logTickStrings(decades, 1.0, 1.0)
    assert "10⁻⁴" in ours and max(fm.horizontalAdvance(t) for t in ours) <= fm.horizontalAdvance("0.001")
    theirs = pg.AxisItem("left").logTickStrings(decades, 1.0, 1.0)
    assert max(fm.horizontalAdvance(t) for t in theirs) > fm.horizontalAdvance("0.001")
