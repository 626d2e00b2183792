"""FastImageItem colours exactly like pyqtgraph's ImageItem (it only takes a faster path there)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

from widgets.gates.gate_bars import bar_lut, bar_rows
from widgets.parts.base import diverging_cmap, sequential_cmap
from widgets.parts.plot_items import FastImageItem


def pixels(item) -> np.ndarray:
    """The rendered image as (h, w) premultiplied 0xAARRGGBB values."""
    item.render()
    image = item.qimage.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    h, w = image.height(), image.width()
    data = np.frombuffer(image.constBits(), dtype=np.uint32, count=h * image.bytesPerLine() // 4)
    return data.reshape(h, image.bytesPerLine() // 4)[:, :w].copy()


def pair(image, **kwargs):
    fast, plain = FastImageItem(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    for item in (fast, plain):
        item.setImage(image, **kwargs)
    result = pixels(fast), pixels(plain)
    assert getattr(fast, "_argb", None) is not None  # (the fast path drew it, not pyqtgraph's)
    return result


@pytest.mark.parametrize("cmap, levels", [(diverging_cmap(), (-1.0, 1.0)), (sequential_cmap(), (0.0, 1.0))])
def test_heatmap_colours_equal_pyqtgraph_including_out_of_range_values(qtbot, cmap, levels):
    rng = np.random.default_rng(0)
    values = rng.uniform(-1.5, 1.5, size=(37, 51)).astype(np.float32)  # some beyond the levels
    values[0, :3] = [levels[0], levels[1], (levels[0] + levels[1]) / 2]
    fast, plain = pair(values, lut=cmap.getLookupTable(nPts=256), levels=levels, autoLevels=False)
    assert fast.shape == (37, 51)
    np.testing.assert_array_equal(fast, plain)
    assert len(np.unique(fast)) > 50  # really colour-mapped, not one flat colour


def test_nan_is_transparent_like_pyqtgraph(qtbot):
    values = np.linspace(-1, 1, 40, dtype=np.float32).reshape(5, 8)
    values[2, 3] = np.nan
    fast, plain = pair(values, lut=diverging_cmap().getLookupTable(nPts=256), levels=(-1, 1),
                       autoLevels=False)
    assert fast[2, 3] >> 24 == 0  # transparent
    np.testing.assert_array_equal(fast, plain)


def test_gate_bars_with_a_transparent_background_entry(qtbot):
    values = np.array([-0.9, -0.2, 0.0, 0.3, 1.0, 0.55])
    image = bar_rows(values, np.array([-1.0, 1.0]))
    fast, plain = pair(image, lut=bar_lut(diverging_cmap()), levels=(0, 255), autoLevels=False)
    np.testing.assert_array_equal(fast, plain)
    assert (fast >> 24 == 0).any() and (fast >> 24 == 255).any()  # background and bars


def test_gate_heatmaps_are_stacked_top_down_each_in_its_own_colour_map(qtbot):
    from tests.widgets.test_widgets_a import trace_for
    from widgets.gates.gates_panel import GatesPanel
    from widgets.parts.plot_items import argb_table, colorize

    panel = GatesPanel()
    qtbot.addWidget(panel)
    trace = trace_for("lstm", T=7)
    panel.set_trace(trace)
    H = trace.hidden_size
    argb = panel.heat_image.argb
    for row in panel.rows:  # row u of gate g sits at image row base + u; the first gate on top
        cmap = diverging_cmap() if row["levels"][0] < 0 else sequential_cmap()
        block = argb[row["base"]:row["base"] + H]
        expected = colorize(trace.gates[row["name"]][0, 0].T, argb_table(cmap.getLookupTable(nPts=256)),
                            *row["levels"])
        np.testing.assert_array_equal(block, expected)
    bases = [row["base"] for row in panel.rows]
    assert bases == sorted(bases, reverse=True) and (argb[bases[-2] - 1] >> 24 == 0).all()  # a gap row
    panel.set_time(3)  # the bars: unit u of the forget gate at t = 3, as long as its value
    forget = panel.rows[panel.gate_names().index("forget")]
    sub = panel.bar_subrows()
    bars = panel.bars_image.argb.reshape(-1, sub, panel.bars_image.argb.shape[1])[forget["base"]:][:H, 0]
    lengths = (bars >> 24 == 255).sum(axis=1) / bars.shape[1] * 2.0  # the x range is -1..1
    np.testing.assert_allclose(lengths, trace.gates["forget"][0, 0, 3], atol=2.0 / bars.shape[1])


@pytest.mark.parametrize("height, subrows", [(700, 5), (150, 1)])
def test_gate_bars_have_gaps_only_where_a_unit_is_tall_enough_to_show_one(qtbot, height, subrows):
    from tests.widgets.test_widgets_a import trace_for
    from widgets.gates.gates_panel import GatesPanel

    panel = GatesPanel()
    qtbot.addWidget(panel)
    panel.resize(600, height)
    panel.show()
    qtbot.waitExposed(panel)
    trace = trace_for("lstm", T=7)
    panel.set_trace(trace)
    panel.set_time(3)
    lo, hi = panel.bars_plot.getViewBox().viewRange()[1]
    px = panel.bars_plot.getViewBox().height() / (hi - lo)  # pixels a unit is tall
    assert panel.bar_subrows() == subrows and (px >= 3) == (subrows > 1)
    argb, H = panel.bars_image.argb, trace.hidden_size
    units = len(panel.rows) * (H + panel._gap) - panel._gap
    assert argb.shape[0] == units * subrows  # 4 rows of bar and 1 of gap per unit, or 1 row of bar
    forget = panel.rows[panel.gate_names().index("forget")]
    bars = argb.reshape(units, subrows, -1)[forget["base"]:forget["base"] + H, 0]
    lengths = (bars >> 24 == 255).sum(axis=1) / bars.shape[1] * 2.0
    np.testing.assert_allclose(lengths, trace.gates["forget"][0, 0, 3], atol=2.0 / bars.shape[1])
    if subrows > 1:
        assert not (argb.reshape(units, subrows, -1)[:, -1] >> 24).any()  # the gap rows are empty


def test_gate_bars_span_from_zero_to_each_value_in_its_colour(qtbot):
    """The bars' pixels, against a plain loop over units and columns: a bar covers the columns whose
    centre lies between 0 and the value, in the value's colour (NaN: no bar); outside the levels clipped."""
    from widgets.gates.gate_bars import _COLUMN_X, bar_argb, bar_parts

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.uniform(-1.3, 1.3, 60), [np.nan, 0.0, -1.0, 1.0, 0.004, -0.004]])
    table = np.arange(256, dtype=np.uint32) * 7 + 1  # every entry distinct and non-zero
    for lo, hi in ((-1.0, 1.0), (0.0, 1.0)):
        got = bar_argb(*bar_parts(values, np.array([lo, hi])), table)
        want = np.zeros((len(values), len(_COLUMN_X)), np.uint32)
        for u, v in enumerate(values):
            if np.isnan(v):
                continue
            colour = table[1 + int(np.rint((min(max(v, lo), hi) - lo) / (hi - lo) * 254))]
            for c, x in enumerate(_COLUMN_X):
                if min(0.0, v) <= x < max(0.0, v):
                    want[u, c] = colour
        np.testing.assert_array_equal(got, want)
        assert (got[:, :len(_COLUMN_X) // 2] != 0).any() and (got[:, len(_COLUMN_X) // 2:] != 0).any()


def test_lut_index_maps_levels_to_the_table_ends_and_nan_to_the_first():
    """Indices into a colour table: lo -> 0, hi -> n - 1, linear between (rounded), clipped outside, NaN and
    -inf -> 0, +inf -> n - 1; the caller's array is left as it was."""
    from widgets.parts.base import lut_index

    values = np.array([-1.0, 1.0, 0.0, 0.5, -7.0, 9.0, np.nan, np.inf, -np.inf, 1 / 255])
    kept = values.copy()
    got = lut_index(values, -1.0, 1.0)
    want = [0, 255, 128, 191, 0, 255, 0, 255, 0, 128]  # round(127.5) = 128 (half to even), 0.5 -> 191.25
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(values, kept)
    assert got.dtype == np.intp
    np.testing.assert_array_equal(lut_index(np.arange(5), 0, 4, n=5), np.arange(5))
