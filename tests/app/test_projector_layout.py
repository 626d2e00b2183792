"""Issue 25, "nothing cut": every Lecture preset in normal and presentation mode on a real X server
(Xvfb) at 1280x720 and 1920x1080 (with a previous run's ghost on the curves, fed: scripts/shots/ghost.py),
every visible tab bar, label, button, combo box and status field
checked by scripts/shots/layout_audit.py and everything drawn on top of something else by
scripts/shots/overlap_audit.py (neither names a panel: panels added later are covered too); at both sizes
every built-in lesson in both modes (each step that changes the stage, with no tab left in front that does
not apply: scripts/shots/lessons.py); at 1280x720 also the compare window, a lesson, slides and the dialogs
a lecturer opens (scripts/shots/dialogs.py).

The walk runs in a child process on its own Xvfb display: the offscreen platform's screen is larger
than a projector, so only a real X server says what a lecturer sees."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from scripts.shots.layout_audit import audit

ROOT = Path(__file__).resolve().parents[2]


def start_xvfb(size: str):
    """(process, display) of a new Xvfb on a free display (Xvfb picks it: -displayfd)."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        pytest.fail("Xvfb did not start")
    return proc, f":{number}"


SIZES = {}  # display -> its size


def x_display_size(display: str) -> str:
    return SIZES[display]


@pytest.fixture(params=["1280x720", "1920x1080"])
def x_display(request):
    if shutil.which("Xvfb") is None:
        print("Xvfb is not installed: the projector layout walk needs a real X server; skipped")
        pytest.skip("Xvfb is not installed (the layout walk needs a real X server)")
    proc, display = start_xvfb(request.param)
    SIZES[display] = request.param
    yield display
    proc.terminate()
    proc.wait(5)


@pytest.mark.slow
def test_every_preset_in_both_modes_shows_every_text_in_full_and_nothing_on_top_of_anything(x_display):
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    env.pop("RNNLAB_SETTINGS_DIR", None)  # the walk makes its own (fresh: presentation off, no saved layout)
    # every lesson's steps in both modes (scripts/shots/lessons.py: on the stage, or side by side in a dock), and at
    # 1280x720 also the compare window, a lesson, slides and the dialogs a lecturer opens (scripts/shots/dialogs.py)
    projector = x_display_size(x_display) == "1280x720"
    extra = ["--lessons", "--lesson-modes", "presentation,normal"] + (["--dialogs"] if projector else [])
    # (--ghost: a previous run's label on the curves)
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "walkthrough.py"), "projector", "--ghost", *extra],
                         env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = res.stdout.splitlines()
    from app.lecture.slides import load_slides
    from app.lessons.files import builtin_lessons
    from scripts.shots.dialogs import SLIDES, slides_to_check
    from scripts.shots.lessons import steps_to_check

    lesson_steps = sum(len(steps_to_check(lesson)) for lesson in builtin_lessons())
    views = 19 + 2 * lesson_steps + (12 - len(SLIDES) + len(slides_to_check(load_slides())) if projector else 0)
    assert lines and lines[-1].startswith(f"checked {views} views"), res.stdout[-2000:] + res.stderr[-2000:]
    width, height = (int(v) for v in lines[0].split()[3].split("x"))  # "window WxH minimum WxH screen WxH"
    assert width <= 1200 and height <= 660, lines[0]  # the window's minimum size
    problems = [line for line in lines if line.startswith("PROBLEM")]
    assert not problems, "\n".join(problems)


# ---- the audit itself (offscreen: it must catch what it claims to catch) --------------------------
def test_audit_finds_a_cut_label_button_combo_and_elided_tab_and_passes_roomy_ones(qtbot):
    window = QWidget()
    window.setObjectName("auditWindow")
    row = QVBoxLayout(window)
    label, button, combo = QLabel("a label with a long text"), QPushButton("A long button text"), QComboBox()
    combo.addItem("a combo item with a long text")
    tabs = QTabWidget()
    for k in range(4):
        tabs.addTab(QWidget(), f"tab number {k}")
    tabs.tabBar().setUsesScrollButtons(False)
    tabs.tabBar().setElideMode(Qt.ElideRight)  # (without elision the tabs would run out of view: also found)
    for w in (label, button, combo, tabs):
        row.addWidget(w)
    qtbot.addWidget(window)
    window.resize(700, 400)
    window.show()
    qtbot.waitExposed(window)
    assert audit(window) == []  # negative control: room for everything
    for w in (label, button, combo):
        w.setFixedWidth(40)
    tabs.setFixedWidth(200)
    qtbot.wait(20)
    found = "\n".join(audit(window))
    for what in ("QLabel 'a label", "QPushButton 'A long", "QComboBox 'a combo", "elided"):
        assert what in found, found


def test_audit_sees_a_status_field_too_narrow_for_its_largest_value(qtbot):
    from widgets.chrome.status_field import StatusField

    window = QWidget()
    row = QHBoxLayout(window)
    field = StatusField("status_loss", "loss", ("loss 0.00000",))
    field.setText("loss 1")
    row.addWidget(field)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert audit(window) == []
    font = field.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    field.setFont(font)  # presentation mode: the field grows with its font
    qtbot.wait(20)
    assert audit(window) == [] and field.width() >= field.fontMetrics().horizontalAdvance("loss 0.00000")
    field.setFixedWidth(30)
    assert "status_loss" in "\n".join(audit(window))


def plots_in_a_row(width_each: float):
    """A pyqtgraph layout of three plots side by side, each at least ``width_each`` scene units wide."""
    import pyqtgraph as pg

    view = pg.GraphicsLayoutWidget()
    for col in range(3):
        view.addPlot(row=0, col=col).setMinimumWidth(width_each)
    return view


def test_audit_sees_plots_wider_than_their_slot_and_the_presentation_scaler_fits_them(qtbot):
    from PySide6.QtGui import QFont

    from app.classroom.view_scaler import ViewScaler

    window = QWidget()
    row = QHBoxLayout(window)
    view = plots_in_a_row(140)  # 420 units of plots
    row.addWidget(view)
    qtbot.addWidget(window)
    window.resize(660, 300)
    window.show()
    qtbot.waitExposed(window)
    assert audit(window) == []  # negative control: at 1x they fit
    view.range = QRectF(0, 0, view.width() / 1.75, view.height() / 1.75)  # 1.75x as presentation mode drew
    view.autoPixelRange = False  # it before the scaler fitted (3 x 140 units need 735 px)
    view.setRange(view.range, padding=0, disableAutoPixel=False)
    qtbot.waitUntil(lambda: any("plots drawn" in p for p in audit(window)), timeout=2000)  # the third runs off
    scaler = ViewScaler(view, QFont())
    scaler.set_scale(1.75)  # the scaler: as much larger as the plots fit
    qtbot.waitUntil(lambda: audit(window) == [], timeout=2000)
    assert 1.0 < scaler.drawn < 1.75
    assert scaler.drawn == pytest.approx(view.width() / 450, rel=0.08)  # (3 x 140 units and the spacing)


def test_bottom_docks_share_fairly_each_keeping_its_need():
    from app.window.sizing import fair_shares

    assert fair_shares([440, 200, 200], 1282) == [440, 421, 421]  # the wide one keeps its need only
    assert fair_shares([300, 200, 100], 1200) == [400, 400, 400]  # all fit an equal share
    assert fair_shares([500, 450, 10], 1000) == [500, 450, 50]
    assert fair_shares([500, 500], 800) == [500, 500]  # too little room: the needs (Qt squeezes)
    # negative control: the old rule (needs plus an equal part of the rest) left the wide one widest
    needs, total = [440, 200, 200], 1282
    old = [n + (total - sum(needs)) // 3 for n in needs]
    assert max(old) == old[0] and old[1] < 421


def stacked_plots(qtbot, size, names=("loss (nats)", "accuracy")):
    """A pyqtgraph layout of one plot per name (left axis named so; "" none), stacked, alone in a shown window."""
    import pyqtgraph as pg

    view = pg.GraphicsLayoutWidget()
    plots = [view.addPlot(row=row, col=0) for row in range(len(names))]
    for plot, name in zip(plots, names, strict=True):
        if name:
            plot.setLabel("left", name)
    window = QWidget()
    QHBoxLayout(window).addWidget(view)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return view, plots, window


def test_presentation_scaler_keeps_stacked_plots_names_within_their_axes(qtbot):
    from PySide6.QtGui import QFont

    from app.classroom.view_scaler import ViewScaler, vertical_axes

    view, _plots, window = stacked_plots(qtbot, (600, 320))

    def names_fit():
        return all(a.label.boundingRect().width() <= a.geometry().height() for a in vertical_axes(view.ci))

    assert names_fit()  # at 1x the two names fit their axes
    view.range = QRectF(0, 0, view.width() / 2.5, view.height() / 2.5)  # 2.5x without fitting
    view.autoPixelRange = False
    view.setRange(view.range, padding=0, disableAutoPixel=False)
    qtbot.waitUntil(lambda: not names_fit(), timeout=2000)  # negative control: the names run over each other
    scaler = ViewScaler(view, QFont())
    scaler.set_scale(2.5)
    qtbot.waitUntil(lambda: scaler.drawn > 1.0 and not scaler._settle.isActive(), timeout=3000)
    assert names_fit() and scaler.drawn < 2.5  # drawn smaller than asked (but larger), names within their axes


def test_presentation_scaler_draws_at_the_scale_it_reports_after_a_resize_and_the_same_across_and_down(qtbot):
    """A view first too small for more than 1x, then given room (the language model's curves on the stage):
    the scaler reported 1.75x while pyqtgraph's resize drew it at 1x (its auto pixel range was left on), so
    the plot stayed small. Also fitInView's 2 px margins made the scale 1.39 across and 1.36 down (stretched
    text); now both are the reported scale. Control: the first, small size, at 1x."""
    from PySide6.QtGui import QFont

    from app.classroom.view_scaler import ViewScaler

    view, plots, window = stacked_plots(qtbot, (600, 60), ("",))
    plots[0].setMinimumHeight(120)  # (at 60 px high: 1x)
    qtbot.wait(20)
    scaler = ViewScaler(view, QFont())
    scaler.set_scale(1.75)
    qtbot.waitUntil(lambda: not scaler._settle.isActive(), timeout=3000)
    assert scaler.drawn == 1.0 and view.transform().m22() == 1.0  # the control: no room for more
    window.resize(600, 400)
    qtbot.waitUntil(lambda: scaler.drawn > 1.0 and not scaler._settle.isActive(), timeout=3000)
    qtbot.wait(50)
    assert scaler.drawn == 1.75  # room for all of it
    t = view.transform()
    assert t.m11() == pytest.approx(scaler.drawn, rel=1e-3) and t.m22() == pytest.approx(scaler.drawn, rel=1e-3)


def test_presentation_scaler_never_settles_above_the_scale_its_plots_fit(qtbot):
    """Two stacked named plots at 2.5x, then one hidden: the fit swings as the axes are measured at each new
    scale (1.43, 1.67, 1.55, ...), and the scaler stopped after its rounds at 1.67 with the plots fitting 1.55
    (cut). It now grows only a few times in a row but always shrinks where the plots would be cut."""
    from PySide6.QtGui import QFont

    from app.classroom.view_scaler import ViewScaler

    view, plots, window = stacked_plots(qtbot, (600, 320))
    scaler = ViewScaler(view, QFont())
    scaler.set_scale(2.5)

    def settled():
        return not scaler._settle.isActive() and not scaler._changed.isActive()

    qtbot.waitUntil(lambda: scaler.drawn > 1.0 and settled(), timeout=3000)
    steps = [lambda size=size: window.resize(*size) for size in ((600, 300), (600, 260), (600, 220), (640, 220))]
    for step in steps + [lambda: plots[1].hide(), lambda: plots[1].show()]:
        step()
        qtbot.wait(300)
        qtbot.waitUntil(settled, timeout=3000)
        assert scaler.drawn <= scaler.fitting(view.size()) * 1.001  # not above what fits: nothing cut
        assert not [p for p in audit(window) if "plots drawn" in p]
