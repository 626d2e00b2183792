"""The window's event loop while each long analysis runs (issue 25, "never frozen"): a 10 ms timer's
lateness from the click that starts the work to its result drawn (goal: p99 <= 50 ms).

Each analysis is started as a user starts it, in a real window with its engine process (adding,
T = 100, H = 128): the fixed-point search (Find fixed points), the pattern search (Find matches), the
attribution (another method chosen), a counterfactual (Apply) and Export all (frames off). The
training is paused, so the lag is the window's own: what it does while the engine computes, and
drawing the answer.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui.py --lag [NAME]   (part 6 of benchmarks/gui.py;
NAME: only the analyses whose name starts with it, e.g. ``--lag export`` or ``--lag "fixed points"``)
"""
from __future__ import annotations

import tempfile
import time

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

TICK_MS = 10


def lag_while(start, done, timeout: float = 300.0) -> tuple[list[float], float, bool]:
    """Lateness samples (ms) of a 10 ms timer from ``start()`` (run by the event loop) until ``done()``
    holds; also the seconds it took and whether it finished."""
    lags, clock, loop = [], QElapsedTimer(), QEventLoop()
    began = time.perf_counter()
    finished = []

    def tick():
        lags.append(max(0.0, clock.restart() - TICK_MS))
        if done() or time.perf_counter() - began > timeout:
            finished.append(done())
            loop.quit()

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    QTimer.singleShot(0, start)
    loop.exec()
    timer.stop()
    return lags, time.perf_counter() - began, bool(finished and finished[0])


def wait_for(app, condition, timeout: float = 120.0) -> bool:
    end = time.perf_counter() + timeout
    while not condition() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)
    return condition()


def cases(window):
    """(name, panel to show first, ready(), start(), done()) for each long analysis."""
    p = window.panels
    shown = []
    window.controller.snapshot_shown.connect(shown.append)

    def fixed_points():
        panel = p["stateSpacePanel"]
        return (lambda: panel.payload is not None, panel.find_button.click, lambda: not panel._searching)

    def pattern_search():
        panel = p["patternSearchPanel"]

        def start():  # over the whole data set (one example's search answers in a few ms: nothing to measure)
            panel.result = None
            panel.scope_combo.setCurrentIndex(panel.scope_combo.findData("data set"))
            panel.threshold_spin.setValue(0.02)  # units to match in a young network (else an instant "nothing")
            panel.search_button.click()
        return (lambda: panel.trace is not None and panel.search_button.isEnabled(), start,
                lambda: panel.result is not None and panel.search_button.isEnabled())

    def attribution():
        panel = p["attributionPanel"]
        combo = panel.method_combo
        state = {}

        def start():
            state["method"] = combo.itemData((combo.currentIndex() + 1) % combo.count())
            combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())

        def done():
            return bool(shown) and (shown[-1].analysis.get("attribution") or {}).get("method") == state.get("method")
        return (lambda: panel.payload is not None, start, done)

    def counterfactual():
        panel = p["counterfactualPanel"]
        mark = []

        def start():
            shown.clear()
            mark.append(1)
            panel.apply_button.click()

        def done():
            return bool(mark) and any(s.analysis.get("counterfactual") is not None for s in shown)
        return (lambda: panel.apply_button.isEnabled(), start, done)

    def export_all():
        folder = tempfile.mkdtemp(prefix="rnnlab-lag-")
        box = []
        window.files.sweep_export.setChecked(False)
        return (lambda: True, lambda: box.append(window.files.export_all(folder)), lambda: bool(box))

    return (("fixed points", "stateSpacePanel", fixed_points), ("pattern search", "patternSearchPanel", pattern_search),
            ("attribution", "attributionPanel", attribution), ("counterfactual", "counterfactualPanel", counterfactual),
            ("export all", "curvesPanel", export_all))


def lag_during_analyses(app, config, only: str | None = None) -> None:
    """Print p50 / p99 / max of the event loop's lag while each long analysis runs (``only``: the ones whose
    name starts with it, e.g. "export")."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    from app.window.main_window import MainWindow

    collector = GarbageCollector(interval=1.0)  # noqa: F841 (Python's cyclic GC from the event loop, as run_gui has it)
    window = MainWindow(config, remember=False)
    window.resize(1600, 1000)
    window.show()
    if not wait_for(app, lambda: window.controller.shown is not None):
        print("lag during analyses: the engine did not start")
        return
    for name, panel, make in cases(window):
        if only and not name.startswith(only):
            continue
        window.show_panel(panel)
        ready, start, done = make()
        if not wait_for(app, ready):
            print(f"event-loop lag, {name}: not measured (the panel never got its input)")
            continue
        wait_for(app, lambda: False, 0.5)  # settle
        lags, seconds, finished = lag_while(start, done)
        lags = np.array(lags or [0.0])
        print(f"event-loop lag while {name} runs ({seconds:.1f} s{'' if finished else ', NOT FINISHED'}): "
              f"p50 {np.percentile(lags, 50):.1f} ms, p99 {np.percentile(lags, 99):.1f} ms, "
              f"max {lags.max():.0f} ms   goal: p99 <= 50 ms")
    window.controller.dirty_since_save = False
    window.close()
