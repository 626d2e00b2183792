"""The overlap audit (scripts/shots/overlap_audit.py) catches what it claims to catch: planted overlaps of
widgets, plot texts, axis tick labels and plain scene text are reported, the same things apart are not
(negative controls). The walk over every Lecture preset under Xvfb is tests/app/test_projector_layout.py;
the fixes it led to are checked here where they can be checked offscreen (geometry, not the screen's size)."""
from __future__ import annotations

import pyqtgraph as pg
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QMainWindow,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from scripts.shots.overlap_audit import overlaps, scene_texts, text_overlaps


def shown(qtbot, widget, size=(500, 300)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_two_labels_on_top_of_each_other_are_found_and_apart_or_floating_they_are_not(qtbot):
    window = shown(qtbot, QWidget(objectName="auditWindow"))
    a, b = QLabel("the curves header", window, objectName="a"), QLabel("smooth 25", window, objectName="b")
    for label in (a, b):
        label.adjustSize()
        label.show()
    a.move(10, 10)
    b.move(10 + a.width() // 2, 14)  # over the right half of the header
    found = "\n".join(overlaps(window))
    assert "QLabel 'the curves header'" in found and "QLabel 'smooth 25'" in found, found
    b.move(20 + a.width(), 10)  # negative control: side by side
    assert overlaps(window) == []
    b.move(10 + a.width() // 2, 14)
    b.setProperty("floating", True)  # meant to float over its siblings
    assert overlaps(window) == []


def test_texts_in_a_plot_that_cover_each_other_are_found(qtbot):
    view = shown(qtbot, pg.PlotWidget(title="α over the tokens"))
    plot = view.getPlotItem()
    plot.setXRange(0, 10, padding=0)
    plot.setYRange(0, 1, padding=0)
    first, second = pg.TextItem("uniform 1/T"), pg.TextItem("0 (exact zero)")
    plot.addItem(first)
    plot.addItem(second)
    first.setPos(2, 0.5)
    second.setPos(2.3, 0.5)
    qtbot.wait(20)
    found = "\n".join(text_overlaps(view))
    assert "'uniform 1/T' and '0 (exact zero)'" in found or "'0 (exact zero)' and 'uniform 1/T'" in found, found
    second.setPos(7, 0.2)  # negative control: apart
    qtbot.wait(20)
    assert text_overlaps(view) == []
    second.setPos(20, 0.5)  # out of the plot's range: clipped by its view box, not drawn, not judged
    first.setPos(9.9, 0.5)
    qtbot.wait(20)
    assert "0 (exact zero)" not in [t for t, _r in scene_texts(view)]


def test_tick_labels_run_together_are_found_and_the_same_labels_with_room_are_not(qtbot):
    view = shown(qtbot, pg.PlotWidget(), size=(150, 200))
    words = ["good", "movie", "and", "really", "fun"]
    axis = view.getPlotItem().getAxis("bottom")
    axis.setTicks([[(float(i), w) for i, w in enumerate(words)], []])
    axis.setStyle(hideOverlappingLabels=False)
    view.getPlotItem().setXRange(-0.5, 4.5, padding=0)
    qtbot.wait(20)
    found = "\n".join(text_overlaps(view))
    assert "'good' and 'movie'" in found, found  # "goodmovie": five words in ~110 px
    view.resize(700, 200)  # negative control
    qtbot.wait(50)
    assert text_overlaps(view) == []
    staggered = [("\n" + w) if i % 2 else w for i, w in enumerate(words)]  # every other one a line lower
    view.resize(150, 200)
    axis.setTicks([[(float(i), w) for i, w in enumerate(staggered)], []])
    axis.setHeight(60)
    qtbot.wait(50)
    assert not [p for p in text_overlaps(view) if "'good' and 'movie'" in p]


def test_a_label_wider_than_its_box_is_found(qtbot):
    scene = QGraphicsScene()
    view = shown(qtbot, QGraphicsView(scene))
    box = scene.addRect(0, 0, 56, 34)
    word = scene.addSimpleText("square", QFont())
    word.setPos(28 - word.boundingRect().width() / 2, 10)
    qtbot.wait(20)
    assert text_overlaps(view) == []  # negative control: it fits
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * 1.75)  # presentation mode's font
    word.setFont(font)
    word.setPos(28 - word.boundingRect().width() / 2, 6)
    assert any("'square'" in p and "runs over the edges" in p for p in text_overlaps(view)), box
    node = scene.addEllipse(100, 0, 22, 22)  # the initial state's circle: h₀ as wide as it runs over its edge
    h0 = scene.addSimpleText("h₀", QFont())
    h0.setPos(111 - h0.boundingRect().width() / 2, 11 - h0.boundingRect().height() / 2)
    assert not any("'h₀'" in p for p in text_overlaps(view))  # negative control: it fits at 1x
    h0.setFont(font)
    h0.setPos(111 - h0.boundingRect().width() / 2, 11 - h0.boundingRect().height() / 2)
    assert any("'h₀'" in p and "runs over the edges" in p for p in text_overlaps(view)), node


def test_plain_scene_text_on_top_of_other_text_is_found(qtbot):
    scene = QGraphicsScene()
    view = shown(qtbot, QGraphicsView(scene))
    row = scene.addSimpleText("attention α_i", QFont())
    stage = scene.addSimpleText("attend", QFont())
    stage.setPos(row.boundingRect().width() - 10, 2)
    qtbot.wait(20)
    assert any("'attention α_i' and 'attend'" in p or "'attend' and 'attention α_i'" in p
               for p in text_overlaps(view))
    stage.setPos(row.boundingRect().width() + 10, 0)
    assert text_overlaps(view) == []


def test_a_tab_bar_left_behind_over_the_real_one_is_found_and_hidden(qtbot):
    """Qt 6.10 keeps showing the bar of a tab group whose docks were taken out and tabbed elsewhere
    (Reset layout at 1280x720: a stray "States hₜ | Gates" strip beside the real bar). Planted here as
    Qt leaves it: a bar of the main window whose tabs name two docks that are no longer one group."""
    import shiboken6

    from app.window.dock_layout import StaleTabBars

    window = QMainWindow(objectName="mainWindow")
    window.setCentralWidget(QLabel("network"))
    docks = [QDockWidget(name, window, objectName=name) for name in ("States", "Gates", "Gradients")]
    for dock in docks:
        dock.setWidget(QLabel(dock.objectName()))
        window.addDockWidget(Qt.RightDockWidgetArea, dock)
    for dock in docks[1:]:
        window.tabifyDockWidget(docks[0], dock)
    shown(qtbot, window, (900, 500))
    qtbot.wait(20)
    assert overlaps(window) == []  # negative control: Qt's own bar, every dock a tab
    real = next(b for b in window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly) if b.isVisible())
    window.removeDockWidget(docks[2])  # the group is now States | Gates ...
    window.addDockWidget(Qt.BottomDockWidgetArea, docks[2])
    docks[2].show()
    stale = QTabBar(window)  # ... and a bar left from when it was States | Gradients
    for k in (0, 2):
        stale.setTabData(stale.addTab(docks[k].objectName()), shiboken6.getCppPointer(docks[k])[0])
    stale.setGeometry(real.geometry().adjusted(-40, 0, 0, 0))
    stale.show()
    qtbot.wait(20)
    assert any("QTabBar 'States|Gradients'" in p for p in overlaps(window)), overlaps(window)
    guard = StaleTabBars(window)
    guard.sweep()
    assert not stale.isVisible() and real.isVisible()  # the real bar stays: its docks are one group
    assert overlaps(window) == []
    stale.show()  # Qt shows it again with a relayout: hidden again at once
    assert not stale.isVisible()


def test_attention_stage_labels_clear_the_row_names_at_presentation_scale(qtbot):
    from app.classroom.presentation import Presentation
    from engine import ModelConfig, build_model, make_task
    from engine.network.probe import probe
    from widgets.network.unrolled_view import UnrolledView

    task = make_task("sentiment")
    model = build_model(ModelConfig(hidden_size=6, embedding_dim=4, cell="gru"), task, seed=0)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(5))
    view = UnrolledView()
    shown(qtbot, view, (900, 420))
    view.set_trace(probe(model, x, y))
    qtbot.wait(20)
    assert text_overlaps(view.view) == []

    def under_stages():  # row names (partly) under the stages' box
        box = view.stage_back.sceneBoundingRect()
        return [t.text() for t in view.row_names if t.isVisible() and t.sceneBoundingRect().intersects(box)]

    assert under_stages() == []
    Presentation._scale_scene_text(view.scene, 1.75)  # as presentation mode enlarges the labels
    qtbot.wait(20)
    assert under_stages()  # negative control: the enlarged row names run under the stage labels ...
    assert any("runs over the edges" in p for p in text_overlaps(view.view))  # ... and tokens over their boxes
    view.relayout()  # what presentation mode calls next
    qtbot.wait(20)
    assert text_overlaps(view.view) == [] and under_stages() == []
    view.resize(420, 420)
    view.set_time(8)  # scrolled: the stages pinned at the left edge, no row name half under them
    qtbot.wait(20)
    assert text_overlaps(view.view) == [] and under_stages() == []
    shown_names = [t for t in view.row_names if t.isVisible()]
    left = view.view.mapToScene(view.view.viewport().rect()).boundingRect().left()
    assert all(t.sceneBoundingRect().left() >= left for t in shown_names)  # none cut at the view's edge


def test_help_button_keeps_its_panels_right_margin_from_the_start(qtbot):
    from app.classroom.help_ui import HelpButton

    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addWidget(QLabel("a row of controls"))
    button = HelpButton(panel, "panelHelpButton", "How to read it", layout)
    assert layout.contentsMargins().right() == 2 + button.width() + 2  # (it was applied only on a font change)
    assert button.sizeHint() == button.size()  # a tab widget's corner places it by its size hint


def test_a_status_message_cut_at_the_status_fields_is_found_and_the_history_bar_gives_it_their_room(qtbot):
    """Presentation mode's status fields at 1280x720 left a message "Ar…": the history bar's value fields
    step aside while a message needs their room, and come back after it. Controls: Qt's bar cuts it mid-word,
    and the history bar with fields that are not value fields (it cannot move them) ends it in "…"; both
    are found."""
    from PySide6.QtWidgets import QStatusBar

    from app.window.status_history import HistoryStatusBar
    from scripts.shots.layout_audit import audit
    from widgets.chrome.status_field import StatusField

    message = "Architecture changed: rebuilt the model with fresh weights (seed 0)."
    for bar_class, field, cut in ((QStatusBar, StatusField, True), (HistoryStatusBar, QLabel, True),
                                  (HistoryStatusBar, StatusField, False)):
        window = QMainWindow()
        window.setStatusBar(bar_class(window))
        bar = window.statusBar()
        fields = [field(name, "", ()) if field is StatusField else QLabel(name)
                  for name in ("loss 0.2054", "token acc. 0.8250", "0 steps/s")]
        for f in fields:
            if field is StatusField:
                f.setText(f.objectName())
            bar.addPermanentWidget(f)
        shown(qtbot, window, (560, 200))
        assert all(f.isVisible() for f in fields)
        bar.showMessage(message)
        qtbot.wait(20)
        found = [p for p in audit(window) if "message" in p]
        assert bool(found) == cut, (bar_class, field, found)
        assert bar.currentMessage() == message  # kept whole (History, tests)
        if not cut:
            assert not any(f.isVisible() for f in fields) and bar.button.isVisible()  # History stays
            bar.showMessage("Saved.")
            qtbot.wait(20)
            assert all(f.isVisible() for f in fields) and not [p for p in audit(window) if "message" in p]
            bar.showMessage(message, 50)
            qtbot.wait(20)
            assert not any(f.isVisible() for f in fields)
            fields[0].hide()  # hidden by its owner meanwhile: it stays hidden
            qtbot.waitUntil(lambda b=bar: not b.currentMessage(), timeout=2000)
            assert not fields[0].isVisible() and all(f.isVisible() for f in fields[1:])  # back when it goes


def test_a_legend_goes_to_the_corner_where_it_hides_the_least_and_the_audit_notes_one_on_a_curve(qtbot):
    import numpy as np

    from scripts.shots.covered_data import covered_data
    from widgets.parts.legend_place import CORNERS
    from widgets.parts.panel_parts import make_legend

    view = shown(qtbot, pg.PlotWidget(), size=(500, 320))
    plot = view.getPlotItem()
    legend = make_legend(plot)
    x = np.linspace(0, 1, 50)
    plot.plot(x, 0.1 + 0.85 * x, name="rising")  # a curve ending in the top-right corner
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    qtbot.wait(50)
    legend.placer.corner = CORNERS[0]
    legend.setOffset(CORNERS[0])  # top right, where the defaults put it: on the curve
    qtbot.wait(20)
    assert any("legend rising lies on rising" in p for p in covered_data(view))  # found
    legend.placer.place()
    qtbot.wait(20)
    assert legend.placer.corner == (2, 2) and covered_data(view) == []  # top left: the curve starts low
    legend.placer.place()  # negative control: no better corner, no wandering
    assert legend.placer.corner == (2, 2)


@pytest.mark.parametrize("decades", [20, 40])  # (pyqtgraph steps 5 decades, then 10: 1, 10⁻¹⁰, 10⁻²⁰ ...)
def test_a_short_log_axis_over_many_decades_labels_only_what_fits(qtbot, decades):
    import numpy as np

    from widgets.parts.plot_items import LogAxis

    def short_plot(axis):
        view = shown(qtbot, pg.PlotWidget(axisItems={"left": axis} if axis else {}), size=(300, 55))
        plot = view.getPlotItem()
        plot.setLogMode(y=True)
        plot.plot(np.arange(1, 40), 10.0 ** -np.linspace(0, decades, 39))  # |dh_T/dh_t| falling
        plot.setYRange(-decades - 1, 0.5, padding=0)
        qtbot.wait(50)
        return view

    plain = short_plot(None)  # negative control: pyqtgraph's five decades run into each other on ~30 px
    assert any("overlap" in p for p in text_overlaps(plain)), text_overlaps(plain)
    thinned = short_plot(LogAxis("left"))
    labels = [t for t, _r in scene_texts(thinned) if t.startswith("10")]
    assert text_overlaps(thinned) == [] and len(labels) >= 2  # still a scale to read


def test_log_axis_thinning_keeps_every_kth_decade_from_the_top(qtbot):
    from PySide6.QtGui import QFontMetricsF

    from widgets.parts.plot_items import LogAxis

    axis = LogAxis("left")
    line = QFontMetricsF(axis.font()).height()
    levels = [(10.0, [-20.0, -10.0, 0.0]), (None, [])]  # pyqtgraph's decades of |dh_T/dh_t| on a short plot
    spacing, kept = axis._thinned(levels, 2.2 * 1.5 * line)[0]  # room for two labels
    assert sorted(kept) == [-20.0, 0.0] and spacing == 20.0  # 1 and 10⁻²⁰ (every decade index was even)
    assert axis._thinned(levels, 10 * 1.5 * line) == levels  # negative control: room for all three
