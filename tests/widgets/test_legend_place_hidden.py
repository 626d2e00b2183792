"""Issue 25 (redraw): a legend behind a tab is not placed (its plot's points sampled every second for nobody);
it finds its corner once its tab is shown. Control: the same legend in view moves at once."""
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QTabWidget

from widgets.parts.legend_place import CORNERS
from widgets.parts.panel_parts import make_legend


def test_a_legend_behind_a_tab_waits_until_it_is_shown(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    view = pg.PlotWidget()
    plot = view.getPlotItem()
    legend = make_legend(plot)
    x = np.linspace(0, 1, 50)
    plot.plot(x, 0.1 + 0.85 * x, name="rising")  # ends in the top-right corner, where the legend starts
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    tabs.addTab(QLabel("in front"), "front")
    tabs.addTab(view, "plot")
    tabs.resize(500, 320)
    tabs.show()
    qtbot.waitExposed(tabs)
    qtbot.wait(60)
    legend.placer.corner = CORNERS[0]
    legend.setOffset(CORNERS[0])
    legend.placer.place()
    assert legend.placer.corner == CORNERS[0]  # behind its tab: left alone
    tabs.setCurrentIndex(1)
    qtbot.wait(60)  # (its plot laid out at its size)
    legend.placer.place()
    assert legend.placer.corner == (2, 2)  # in view: the top left, where the curve starts low
