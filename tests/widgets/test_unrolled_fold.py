"""The unrolled network folds into the deck's single cell with its loop arrow and unrolls again."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QVariantAnimation

from tests.widgets.test_widgets_a import shown, trace_for
from widgets.network.unrolled_fold import DURATION_MS
from widgets.network.unrolled_scene import DX
from widgets.network.unrolled_view import UnrolledView


def pixels(item) -> np.ndarray:
    """The strip's RGB bytes (without the rows' padding to 4 bytes, which Qt leaves uninitialised: compared,
    it failed at random after other tests)."""
    image = item.pixmap().toImage().convertToFormat(item.pixmap().toImage().Format.Format_RGB888)
    raw = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1)
    return raw[:, : 3 * image.width()].copy().ravel()


def boxes(view):
    return {k: (item.sceneBoundingRect().center().x(), item.opacity()) for k, item in view.cell_items.items()}


@pytest.mark.parametrize("bidirectional", [False, True])
def test_fold_gathers_every_column_into_one_cell_with_its_loop(qtbot, bidirectional):
    view = shown(qtbot, UnrolledView, (700, 400))
    trace = trace_for(head="per_step", T=8, bidirectional=bidirectional)
    view.set_trace(trace)
    view.set_time(5)
    before = boxes(view)
    assert not view.folded() and not any(item.isVisible() for item in view.fold._loops)
    view.set_folded(True, animate=False)
    assert view.folded() and view.fold_button.isChecked()
    for (_layer, _d, t), (x, opacity) in boxes(view).items():
        assert x == pytest.approx(0.0, abs=1e-6)  # every column moved onto the first
        assert opacity == pytest.approx(1.0 if t == 0 else 0.0)  # only the one cell stays
    D = 2 if bidirectional else 1
    loops = [item for item in view.fold._loops if item.isVisible() and hasattr(item, "path")]
    assert len(loops) == D  # one loop per chain: forward on the right, backward on the left
    sides = sorted(np.sign(item.sceneBoundingRect().center().x()) for item in loops)
    assert sides == ([-1.0, 1.0] if bidirectional else [1.0])
    # the one cell shows the step at the cursor: its state, its token and its output
    for d in range(D):
        assert np.array_equal(pixels(view.cell_strips[(0, d, 0)]), pixels(view.cell_strips[(0, d, 5)]))
    assert view.input_texts[0].text() == trace.tokens[5]
    assert view.output_texts[0].text() == trace.predictions[5][:8]
    assert view.fold._loops[-1].text() == "t = 6 of 8"
    view.set_time(2)  # scrubbing time runs the folded cell
    assert np.array_equal(pixels(view.cell_strips[(0, 0, 0)]), pixels(view.cell_strips[(0, 0, 2)]))
    assert view.input_texts[0].text() == trace.tokens[2]
    view.set_folded(False, animate=False)
    after = boxes(view)  # unrolled again: every box back in its column, opaque
    assert all(after[k][0] == pytest.approx(before[k][0]) and after[k][1] == before[k][1] for k in before)
    assert not any(item.isVisible() for item in view.fold._loops)
    assert view.cell_texts[(0, 0, 0)].text() == "h₁" if not bidirectional else "h→₁"


def test_negative_control_columns_differ_before_folding(qtbot):
    """The strip comparison above can fail: the first column and step 5 differ when unfolded."""
    view = shown(qtbot, UnrolledView, (700, 400))
    trace = trace_for(head="per_step", T=8)
    view.set_trace(trace)
    view._colour_all()
    assert not np.allclose(trace.hidden[0, 0, 0], trace.hidden[0, 0, 5])
    assert not np.array_equal(pixels(view.cell_strips[(0, 0, 0)]), pixels(view.cell_strips[(0, 0, 5)]))


def test_fold_is_animated_toggled_by_key_u_and_survives_a_new_shape(qtbot):
    view = shown(qtbot, UnrolledView, (700, 400))
    view.set_trace(trace_for(head="final", T=9))
    view.fold_button.toggle()  # what the U key and the Fold button do
    assert view.fold._anim.state() == QVariantAnimation.State.Running  # animated, not a jump
    view.fold._anim.pause()  # halfway through (by the animation's clock, not the machine's)
    view.fold._anim.setCurrentTime(DURATION_MS // 2)
    assert 0.0 < view.fold.progress < 1.0  # on its way: the columns glide together
    xs = [x for (_l, _d, t), (x, _o) in boxes(view).items() if t == 8]
    assert 0.0 < xs[0] < 8 * DX
    view.fold._anim.resume()
    qtbot.waitUntil(lambda: view.fold.progress == 1.0, timeout=3000)
    view.set_trace(trace_for(head="final", T=5))  # another shape: folded again at once
    assert view.folded() and all(x == pytest.approx(0.0) for x, _o in boxes(view).values())
    view.fold_button.toggle()
    qtbot.waitUntil(lambda: view.fold.progress == 0.0 and not view.fold._home, timeout=3000)
    assert sorted(round(x / DX) for (_l, _d, t), (x, _o) in boxes(view).items()) == [0, 1, 2, 3, 4]
