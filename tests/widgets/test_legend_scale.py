"""Every panel's legends are drawn at the scale of the rest of their plot. pyqtgraph's LegendItem ignores its
view's transformations (it keeps its pixel size when a view zooms), so wherever a scene is drawn larger it
stayed at 1x: on presentation mode's stage (the view scales its scene 1.75x) a legend's 7 pt names could not
be read from the back of a room, its row above the plot left a gap and it sat off its anchor; in a PNG export
at 2x it came out half-size next to 2x titles and axes. The check is Qt's own answer to where an item is
drawn, ``deviceTransform``, under a 2x view; the control is a legend made the pyqtgraph way."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QTransform

from app.panels.feed import apply_snapshot
from app.panels.registry import PANELS
from engine import ModelConfig
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from widgets.parts.legend_place import add_legend

TWICE = QTransform.fromScale(2.0, 2.0)


def drawn_scale(item) -> float:
    return item.deviceTransform(TWICE).m11()


def test_every_panels_legends_grow_with_their_view(qtbot):
    cfg = LabConfig.for_task("tagging", seq_len=8)
    model = ModelConfig(**{**cfg.model.to_dict(), "cell": "lstm", "num_layers": 2, "bidirectional": True})
    session = LabSession(LabConfig(cfg.task, cfg.task_params, model, cfg.train))
    for _ in range(3):
        session.step()
    snap = session.request_full_snapshot()
    legends = {}
    for spec in PANELS:
        panel = spec.cls()
        qtbot.addWidget(panel)
        panel.resize(700, 500)
        panel.show()
        apply_snapshot({spec.name: panel}, snap, 2)
        for view in panel.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                if isinstance(item, pg.LegendItem):
                    legends[f"{spec.name} legend {len(legends)}"] = drawn_scale(item)
        panel.close()
    assert len(legends) >= 6, legends  # (gradients, gate statistics, counterfactual, state space, ...)
    assert all(abs(scale - 2.0) < 1e-9 for scale in legends.values()), legends


def test_a_legend_made_the_pyqtgraph_way_stays_at_1x_and_add_legend_scales_it(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plain = widget.getPlotItem().addLegend()
    assert drawn_scale(plain) == 1.0  # the control: what every legend did before
    assert drawn_scale(add_legend(pg.PlotWidget().getPlotItem())) == 2.0
