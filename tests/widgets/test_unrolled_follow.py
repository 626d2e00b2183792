"""Issue 25: the unrolled network follows the time cursor without cutting its row names (output y,
layer 1 h_t, input x_t) at the start, and without a jump while Play t runs."""
from PySide6.QtCore import QPointF

from tests.widgets.test_widgets_a import shown, trace_for
from widgets.network.unrolled_scene import DX, follow_x
from widgets.network.unrolled_view import UnrolledView


def visible_scene(view):
    return view.view.mapToScene(view.view.viewport().rect()).boundingRect()


def row_names(view):
    return [t for t in view.text_items if t.isVisible() and t.sceneBoundingRect().right() <= 0]


def test_row_names_stay_in_view_at_the_start_and_step_t_is_always_in_view(qtbot):
    view = shown(qtbot, UnrolledView, (250, 320))
    view.set_trace(trace_for(head="per_step", T=12))
    view.reset_zoom()
    names = row_names(view)
    assert names, "the row names are drawn left of step 1"
    view.set_time(0)
    left = min(t.sceneBoundingRect().left() for t in names)
    assert visible_scene(view).left() <= left + 1  # every row name whole
    # negative control: centred on step 1 as before, a view this narrow cut the row names
    view.view.centerOn(QPointF(0.0, view.view_center().y()))
    assert visible_scene(view).left() > left + 1
    centres = []
    for t in range(12):
        view.set_time(t)
        seen = visible_scene(view)
        assert seen.left() - 1 <= t * DX <= seen.right() + 1, t  # step t's column in view
        centres.append(view.view_center().x())
    steps = [b - a for a, b in zip(centres, centres[1:], strict=False)]
    assert all(-1 <= s <= 2 * DX + 1 for s in steps), steps  # forward only, never a jump


def test_follow_x_centres_the_column_once_the_start_is_behind():
    width, left = 300.0, -200.0
    assert follow_x(0.0, width, left) == left + width / 2  # the start: the scene's left edge in view
    far = 5000.0
    assert follow_x(far, width, left) == far  # later: centred
    assert follow_x(0.0, 1000.0, left) == 0.0  # a wide view: centred (Qt stops at the scene's edge)


def test_a_new_snapshot_at_the_same_step_leaves_the_users_scrolling_alone(qtbot):
    """While training, every snapshot hands the same t again: the view moved by the user stays where it is
    (it jumped back to step t at every snapshot); moving t, or a resize, brings step t into view again."""
    view = shown(qtbot, UnrolledView, (250, 320))
    view.set_trace(trace_for(head="per_step", T=30, seed=0))
    view.reset_zoom()
    view.set_time(15)
    centred = view.view_center().x()
    bar = view.view.horizontalScrollBar()
    bar.setValue(bar.value() + 3 * int(DX * view.zoom()))  # the user drags the network along
    scrolled = view.view_center().x()
    assert scrolled > centred + DX
    view.set_trace(trace_for(head="per_step", T=30, seed=1))  # the next snapshot: same shape, same t
    view.set_time(15)
    assert abs(view.view_center().x() - scrolled) < 1
    view.set_time(16)  # control: a new step is brought into view
    seen = visible_scene(view)
    assert seen.left() <= 16 * DX <= seen.right() and abs(view.view_center().x() - scrolled) > 1
