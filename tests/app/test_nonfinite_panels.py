"""A model whose numbers overflowed (a diverged run, a ReLU network past float32) hands the panels NaN and inf:
every registered panel takes them without an exception and paints without a warning, and says what it
could not draw. Found by the random-action test: the state space drew a scatter of NaN points, whose paint
raised numpy's "All-NaN slice" warning inside Qt's paint, and the test process crashed in PySide6's handling
of it (a segfault, now and then, under load)."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from app.panels.feed import apply_snapshot
from app.panels.registry import PANELS
from engine.lab.config import LabConfig
from engine.lab.session import LabSession

DATA = {"inputs", "targets", "labels", "feature_values", "input_values", "positions"}  # the task's, not the model's


def poison(value, how: str):
    """``value`` with the model's float numbers overflowed: all NaN, all +inf, or every other one NaN/-inf."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        if how == "some":
            out = value.copy()
            flat = out.reshape(-1)
            flat[::2] = np.nan
            flat[1::4] = -np.inf
            return out
        return np.full(value.shape, np.nan if how == "nan" else np.inf, value.dtype)
    if isinstance(value, dict):
        return {k: v if k in DATA else poison(v, how) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (dict, np.ndarray)) for v in value):
        return type(value)(poison(v, how) for v in value)
    return value


def overflowed_snapshot(task: str, how: str):
    session = LabSession(LabConfig.for_task(task, seq_len=7))
    session.step()
    snap = session.request_full_snapshot()
    tr = snap.trace
    fields = {f.name: poison(getattr(tr, f.name), how) for f in dataclasses.fields(tr)
              if f.name not in DATA and isinstance(getattr(tr, f.name), (np.ndarray, dict))}
    trace = dataclasses.replace(tr, loss=float("nan"), **fields)
    return dataclasses.replace(snap, trace=trace, analysis=poison(snap.analysis, how))


def problems_painting(qtbot, widget, feed) -> list[str]:
    """Exceptions and warnings (numpy's, pyqtgraph's "Ignored exception" from a paint) while ``feed()``
    hands data over and ``widget`` paints."""
    found = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            feed()
            QApplication.processEvents()
            widget.grab()
        except Exception as e:  # noqa: BLE001 (reported, with the panel's name)
            found.append(f"{type(e).__name__}: {e}")
    return found + [str(w.message).splitlines()[-1][:200] for w in caught]


def test_the_check_sees_a_paint_that_fails_on_nan(qtbot):
    """Negative control: a plain pyqtgraph scatter of NaN points (what the state space drew)."""
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    scatter = pg.ScatterPlotItem()
    plot.addItem(scatter)
    found = problems_painting(qtbot, plot, lambda: scatter.setData([np.nan, np.nan], [np.nan, np.nan]))
    assert any("All-NaN" in p for p in found), found


@pytest.mark.parametrize("how", ["nan", "inf", "some"])
@pytest.mark.parametrize("task", ["adding", "parity", "tagging"])
def test_every_panel_takes_overflowed_numbers_without_an_error_and_paints_cleanly(qtbot, task, how):
    snap = overflowed_snapshot(task, how)
    problems = []
    for spec in PANELS:
        panel = spec.cls()
        qtbot.addWidget(panel)
        panel.resize(600, 400)
        panel.show()
        found = problems_painting(qtbot, panel, lambda p=panel: apply_snapshot({p.objectName(): p}, snap, 0))
        problems += [f"{spec.name}: {p}" for p in found]
        if spec.name == "stateSpacePanel" and how != "some":  # nothing finite to draw: it says why
            assert panel.empty.shown() and "not finite" in panel.empty.text, panel.empty.text
        if spec.name == "bpttPanel" and panel.shown:
            assert "overflowed" in panel.readout.text(), panel.readout.text()
        panel.close()
    assert not problems, "\n".join(problems)
