"""CurvesPanel: the learning curves, loss on top and the task's metric below (alone if it is the loss), by step.

The metric plot carries the task's two reference lines: the baseline (what a model that learned
nothing scores) and the pass threshold. Error metrics (lower is better, e.g. MSE) and the loss are
drawn on log axes, where a loss falling from 0.7 to 0.001 stays visible; accuracy is linear.
Optional EMA smoothing draws the raw curve faintly behind the smoothed one.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSpinBox

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, history_arrays, same_arrays
from widgets.parts.empty_state import EmptyState
from widgets.parts.layout_fence import LayoutFence
from widgets.parts.line_label_place import place_line_labels
from widgets.parts.plot_items import grid_axes, integer_ticks, theme_plots
from widgets.parts.view_ranges import (
    downsample_to_pixels,
    history_curve,
    settle_step_range,
    settle_views,
    settle_y_range,
)
from widgets.training.curve_math import RunningEma, finite_xy, loss_drawn_as_metric, short_name, summary_text
from widgets.training.ghost_run import GhostRun
from widgets.training.held_out_tip import dots_sentences, with_evals
from widgets.training.history_events import EventLines, divergences, dots_for_short_runs

DEFAULT_RANGES = {"loss": (-3, 1), "metric": (0, 1), "step": (0, 100)}  # until there is data (loss: 0.001..10)


class CurvesPanel(Panel):
    LOSS_TIP = ("The training loss of every batch (cross-entropy for classification, mean squared "
                "error for regression), on a log axis. Each step of gradient descent tries to push "
                "it down; noise comes from every batch being a fresh random sample.")
    METRIC_TIP = ("The task's metric on every training batch. The grey dashed line is the baseline: "
                  "what a simple rule scores without the network (hover the line for this task's rule). "
                  "The green dashed line is the pass threshold.")
    SMOOTH_TIP = ("Exponential moving average over this many steps, to see the trend through the "
                  "batch-to-batch noise (the raw curve stays visible behind it). 0 = off.")

    def __init__(self, parent=None):
        super().__init__("curvesPanel", parent)
        self.history: dict = {}
        self._got_history = False  # set_history was called (self.history is what it drew)
        self._loss_ema, self._metric_ema = RunningEma(), RunningEma()
        self._summary_color = None
        self.info: dict = {}
        self.evals: list[tuple[float, float, float]] = []  # (step, loss, metric)
        self._drawn_evals: list | None = None  # the evaluations the dots show
        self.metric_log = False

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.setSpacing(12)  # the header's text never runs into the smoothing control
        self.summary = QLabel("no training steps yet", objectName="curvesSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setWordWrap(True)  # wraps in a narrow dock rather than running off
        controls.addWidget(LayoutFence(self.summary), 1)  # (new figures: no new layout of the window)
        smooth_label = QLabel("smooth")
        smooth_label.setToolTip(self.SMOOTH_TIP)
        controls.addWidget(smooth_label)
        self.smoothing = QSpinBox()
        self.smoothing.setObjectName("curvesSmoothing")
        self.smoothing.setRange(0, 1000)
        self.smoothing.setSingleStep(10)
        self.smoothing.setValue(0)
        self.smoothing.setSpecialValueText("off")
        self.smoothing.setSuffix(" steps")
        self.smoothing.setToolTip(self.SMOOTH_TIP)
        self.smoothing.setAccessibleName("Smoothing of the learning curves")
        self.smoothing.valueChanged.connect(self._on_smoothing_changed)
        controls.addWidget(self.smoothing)
        self._layout.addLayout(controls)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("curvesPlots")
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.view.ci.layout.setSpacing(0)
        self._layout.addWidget(self.view, 1)

        self.loss_plot = self.view.addPlot(row=0, col=0, axisItems=grid_axes("left"))
        self.metric_plot = self.view.addPlot(row=1, col=0, axisItems=grid_axes("left"))
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.setLogMode(x=False, y=True)
        self.loss_plot.hideAxis("bottom")  # the plot below labels the shared step axis
        self.loss_plot.setLabel("left", "loss")
        self.metric_plot.setLabel("bottom", "training step")
        integer_ticks(self.metric_plot.getAxis("bottom"))  # steps are whole numbers: no "100.5"
        self.loss_plot.setToolTip(self.LOSS_TIP)
        self.metric_plot.setToolTip(self.METRIC_TIP)
        for plot in (self.loss_plot, self.metric_plot):
            for name in ("left", "bottom", "right", "top"):  # no "(x0.001)" on a loss axis, and no
                plot.getAxis(name).enableAutoSIPrefix(False)  # label re-render at every range change
            plot.getAxis("left").setWidth(52)  # the two plots' x axes line up
            plot.getViewBox().disableAutoRange()

        self.loss_raw = history_curve(self.loss_plot)
        self.loss_smooth = self._make_curve(self.loss_plot)
        self.metric_raw = history_curve(self.metric_plot)
        self.metric_smooth = self._make_curve(self.metric_plot)
        self.loss_eval = pg.PlotDataItem(pen=None, symbol="o", symbolSize=7)
        self.metric_eval = pg.PlotDataItem(pen=None, symbol="o", symbolSize=7)
        self.loss_plot.addItem(self.loss_eval)
        self.metric_plot.addItem(self.metric_eval)

        opts = {"position": 0.02, "anchors": [(0, 0), (0, 1)]}  # each name then where it covers the least
        self.baseline_line = pg.InfiniteLine(angle=0, movable=False, label="baseline", labelOpts=opts)
        self.threshold_line = pg.InfiniteLine(angle=0, movable=False, label="pass",
                                              labelOpts=dict(opts, position=0.5))
        for line in (self.baseline_line, self.threshold_line):
            line.setZValue(5)
            line.setVisible(False)
            self.metric_plot.addItem(line, ignoreBounds=True)
        self.line_names = place_line_labels(self.metric_plot, (self.baseline_line, self.threshold_line))
        # the training step the other panels show when the timeline views a checkpoint
        self.viewed_lines = [pg.InfiniteLine(angle=90, movable=False) for _ in range(2)]
        self.viewed_lines[1].label = pg.InfLineLabel(self.viewed_lines[1], text="viewing", position=0.9,
                                                     anchors=[(0, 0), (0, 0)])
        for line, plot in zip(self.viewed_lines, (self.loss_plot, self.metric_plot), strict=True):
            line.setZValue(6)
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
        self.viewed_step: int | None = None

        self.metric_plot.setLabel("left", "metric")
        self.user_events: list[tuple[float, str, str]] = []  # (step, label, kind) told by the window
        self.event_lines = EventLines((self.loss_plot, self.metric_plot))
        self.ghost = GhostRun(self.loss_plot, self.metric_plot)
        self.ghost.cleared.connect(self._on_ghost_cleared)
        self._layout.insertWidget(self._layout.indexOf(controls) + 1, self.ghost)  # its own row: it wraps
        self._old_run: np.ndarray | None = None  # the replaced run's losses: its late snapshots are ignored
        self._default_ranges()
        self.empty = EmptyState(self, "loss and the task's metric appear after the first training step",
                                self.metric_plot, quiet=(self.loss_plot,),
                                hide=(self.baseline_line, self.threshold_line))
        self.set_theme(False)

    def _default_ranges(self) -> None:
        self.loss_plot.setYRange(*DEFAULT_RANGES["loss"], padding=0)
        self.metric_plot.setYRange(*DEFAULT_RANGES["metric"], padding=0)
        self.loss_plot.setXRange(*DEFAULT_RANGES["step"], padding=0)
        self.loss_plot._run_range = None  # (settle_step_range sets it afresh)

    @staticmethod
    def _make_curve(plot) -> pg.PlotDataItem:
        curve = pg.PlotDataItem()
        plot.addItem(curve)
        downsample_to_pixels(curve)
        return curve

    # ---- controller-facing API ---------------------------------------------------------
    def set_task_info(self, info: dict) -> None:
        if (info or {}).get("metric") != self.info.get("metric"):
            self.ghost.clear()  # another task's run is no comparison
        self.info = dict(info or {})
        metric = self.info.get("metric", "metric")
        self.metric_log = not self.info.get("higher_is_better", True)  # error metrics: log axis
        self.ghost.set_metric_log(self.metric_log)
        self._drawn_evals = None  # (redrawn for the axis' log mode)
        self.metric_plot.setLogMode(x=False, y=self.metric_log)
        self.metric_plot.setLabel("left", short_name(metric), color=self.theme["foreground"])
        self.metric_plot.getAxis("left").setToolTip(f"{metric}{' (log axis)' if self.metric_log else ''}")
        better = "≥" if self.info.get("higher_is_better", True) else "≤"
        for line, key, text in ((self.baseline_line, "baseline", "baseline"),
                                (self.threshold_line, "pass_threshold", f"pass {better}")):
            value = self.info.get(key)
            ok = value is not None and math.isfinite(value) and (value > 0 or not self.metric_log)
            line.setVisible(bool(ok))
            if ok:
                line.setPos(math.log10(value) if self.metric_log else value)
                line.label.setFormat(f"{text} {value:.3g}")  # no {value}: on a log axis it is log10
                line.label.setText(f"{text} {value:.3g}")
        self.baseline_line.setToolTip(self.info.get("baseline_note", ""))
        self._redraw()

    def start_run(self, ghost_label: str | None = None, keep_ghost: bool = False, replaced: bool = True) -> None:
        """A new model replaces the one the curves show (a preset, another architecture, a reset, an
        opened session): its events, evaluations, ranges and colours go. With ``ghost_label`` a
        replaced run that trained stays as a dashed ghost (the first half of a contrast); an earlier
        ghost stays only with ``keep_ghost``. ``replaced``: the history drawn now is the old run's,
        so its snapshots still on their way are not drawn (an opened session brings its own)."""
        steps, loss, metric = self._series()
        if ghost_label and np.isfinite(steps).any() and np.nanmax(steps) > 0:
            self.ghost.set_run(ghost_label, steps, loss, metric)
        elif not keep_ghost:
            self.ghost.clear()
        self._old_run = np.asarray(loss, dtype=np.float64).copy() if replaced and len(steps) else None
        self.user_events, self.evals = [], []
        if replaced:
            self.history, self._got_history = {}, False
        self._loss_ema, self._metric_ema = RunningEma(), RunningEma()
        self._default_ranges()
        self._redraw()

    def _continues_old_run(self, new: dict) -> bool:
        old = self._old_run
        if old is None:
            return False
        loss = np.asarray(new.get("loss", ()), dtype=np.float64)
        if len(loss) >= len(old) > 0 and np.array_equal(loss[:len(old)], old, equal_nan=True):
            return True  # a snapshot of the replaced run sent before the new model was built
        self._old_run = None
        return False

    def _on_ghost_cleared(self) -> None:
        self._update_ranges()

    def set_history(self, history: dict) -> None:
        new = history_arrays(history)
        if self._got_history and same_arrays(new, self.history):
            return  # nothing new (the controller hands the history over with every snapshot)
        if self._continues_old_run(new):
            return
        self._got_history, self.history = True, new
        steps = self.history.get("step", np.zeros(0))
        last = float(np.nanmax(steps)) if steps.size and np.isfinite(steps).any() else 0.0
        if any(s > last for s, _, _ in self.evals):  # the run was reset: its evaluations are stale
            self.evals = [e for e in self.evals if e[0] <= last]
        if any(e[0] > last for e in self.user_events):  # (and so are the events of the old run)
            self.user_events = [e for e in self.user_events if e[0] <= last]
        self._redraw()

    def add_event(self, step: float, label: str, kind: str = "change") -> None:
        """Mark a step on the curves: a configuration change, a reset, a lecture preset."""
        self.user_events = [e for e in self.user_events if e[0] != float(step) or e[2] != kind]
        self.user_events.append((float(step), label, kind))
        self._redraw()

    def set_viewed_step(self, step: int | None) -> None:
        """Mark the training step the panels show (a checkpoint of the timeline); None: the present."""
        if step == self.viewed_step:
            return
        self.viewed_step = step
        for line in self.viewed_lines:
            line.setVisible(step is not None)
            if step is not None:
                line.setValue(float(step))
        if step is not None:
            self.viewed_lines[1].label.setText(f"viewing step {step}")

    def set_evals(self, evals: dict | None) -> None:
        """The run's held-out evaluations (Snapshot.evals): a large dot on both plots each; the tooltips say
        on what data and how often (a loss dot only where the loss is defined)."""
        evals = evals or {}
        rows = list(zip(*(np.asarray(evals.get(k, ()), dtype=np.float64).tolist() for k in ("step", "loss", "metric")),
                        strict=True))
        metric_dots, loss_dots = dots_sentences(evals, self.info.get("metric", "metric"))
        for plot, tip in ((self.metric_plot, self.METRIC_TIP + metric_dots),
                          (self.loss_plot, self.LOSS_TIP + loss_dots)):
            if plot.toolTip() != tip:
                plot.setToolTip(tip)
        if rows != self.evals:
            self.evals = rows
            self._draw_evals()
            self._update_ranges()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        theme_plots(self.view, (self.loss_plot, self.metric_plot), th)
        self.event_lines.set_theme(th)
        for line, color in ((self.baseline_line, th["muted"]), (self.threshold_line, th["good"])):
            line.setPen(pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))
            line.label.setColor(color)
            line.label.fill = pg.mkBrush(th["background"] + "c8")  # readable over the curves
            line.label.update()
        for line in self.viewed_lines:
            line.setPen(pg.mkPen(th["accent"], width=2))
        self.viewed_lines[1].label.setColor(th["accent"])
        self.viewed_lines[1].label.fill = pg.mkBrush(th["background"] + "d8")  # readable over the curves
        for item in (self.loss_eval, self.metric_eval):
            item.setSymbolBrush(th["accent"])
            item.setSymbolPen(pg.mkPen(th["background"], width=1))
        apply_palette(self, th)
        self.ghost.set_theme(th)
        self._style_curves()
        self._redraw()  # the summary's colours

    # ---- handlers ----------------------------------------------------------------------
    def _on_smoothing_changed(self, value: int) -> None:
        self._style_curves()
        self._redraw()

    # ---- drawing -----------------------------------------------------------------------
    def _style_curves(self) -> None:
        smoothing = self.smoothing.value() > 1
        for raw, smooth, color in ((self.loss_raw, self.loss_smooth, SERIES_COLORS[0]),
                                   (self.metric_raw, self.metric_smooth, SERIES_COLORS[1])):
            faint = pg.mkColor(color)
            faint.setAlpha(90 if smoothing else 255)
            raw.setPen(pg.mkPen(faint, width=1))  # (see history_curve)
            smooth.setPen(pg.mkPen(color, width=2))
            smooth.setVisible(smoothing)

    def _series(self):
        steps = self.history.get("step", np.zeros(0))
        loss = self.history.get("loss", np.full(len(steps), np.nan))
        metric = self.history.get("metric", np.full(len(steps), np.nan))
        return steps, loss, metric

    def _show_loss_plot(self, as_metric: str | None) -> None:
        show = as_metric is None  # (the metric is the loss, in the same or other units: it is drawn once)
        metric, axis = self.info.get("metric", "metric"), self.metric_plot.getAxis("left")
        name = short_name(metric) if show else as_metric
        tip = metric + (" (log axis)" if self.metric_log else "") + ("" if show else ": the loss, in these units")
        if self.loss_plot.isVisible() == show and (axis.labelText, axis.toolTip()) == (name, tip):
            return
        self.loss_plot.setVisible(show)
        self.loss_plot.setMaximumHeight(1e6 if show else 0)  # (a hidden item keeps its room otherwise)
        self.event_lines.label_on = 0 if show else 1
        self.metric_plot.setLabel("left", name, color=self.theme["foreground"])
        axis.setToolTip(tip)

    def _redraw(self) -> None:
        steps, loss, metric = self._series()
        self.empty.set_empty(not len(steps) and self.ghost.run is None)
        self._show_loss_plot(loss_drawn_as_metric(loss, metric, self.info.get("metric", "metric")))
        span = self.smoothing.value()
        if span > 1:  # once per update, and only over the steps that are new since the last one
            s_loss, s_metric = self._loss_ema(steps, loss, span), self._metric_ema(steps, metric, span)
        else:
            s_loss, s_metric = loss, metric
        for raw, smooth, values, smoothed, log in (
                (self.loss_raw, self.loss_smooth, loss, s_loss, True),
                (self.metric_raw, self.metric_smooth, metric, s_metric, self.metric_log)):
            if raw is not self.loss_raw or self.loss_plot.isVisible():  # (regression: loss = metric, drawn once)
                raw.setData(*finite_xy(steps, values, log))
            if span > 1:
                smooth.setData(*finite_xy(steps, smoothed, log))
            elif smooth.xData is not None and len(smooth.xData):
                smooth.setData([], [])
        dots_for_short_runs((self.loss_raw, self.metric_raw), len(steps))
        self.event_lines.set_events(self.user_events + divergences(self.history), steps)
        self._draw_evals()
        self._update_ranges()
        self._update_summary(steps, s_loss, s_metric, span)

    def _draw_evals(self) -> None:
        if self._drawn_evals == self.evals:
            return  # (unchanged: setData costs as much as for a new curve)
        self._drawn_evals = list(self.evals)
        e = np.array(self.evals, dtype=np.float64).reshape(-1, 3)
        self.loss_eval.setData(*finite_xy(e[:, 0], e[:, 1], True))
        self.metric_eval.setData(*finite_xy(e[:, 0], e[:, 2], self.metric_log))

    def _update_ranges(self) -> None:
        """y covers the data, the evaluations and the reference lines; x the whole history."""
        _, loss, metric = self._series()
        g_steps, g_loss, g_metric = self.ghost.arrays()  # the ghost stays in view beside the run
        loss, metric = np.concatenate([loss, g_loss]), np.concatenate([metric, g_metric])
        e = np.array(self.evals, dtype=np.float64).reshape(-1, 3)
        refs = [self.info.get(k) for k in ("baseline", "pass_threshold")]
        refs = np.array([r for r in refs if r is not None], dtype=np.float64)
        moved = False
        for plot, values, log in ((self.loss_plot, np.concatenate([loss, e[:, 1]]), True),
                                  (self.metric_plot, np.concatenate([metric, e[:, 2], refs]),
                                   self.metric_log)):
            ok = np.isfinite(values) & ((values > 0) if log else True)
            if not ok.any():
                continue
            v = np.log10(values[ok]) if log else values[ok]
            lo, hi = float(v.min()), float(v.max())
            pad = max(0.08 * (hi - lo), 0.05 if log else 0.02)
            moved |= settle_y_range(plot, lo - pad, hi + pad, slack=0.25)
        steps = self._series()[0]
        steps = np.concatenate([steps[np.isfinite(steps)], e[:, 0], g_steps[np.isfinite(g_steps)]])
        if settle_step_range(self.loss_plot, steps) or moved:  # x: the whole run (the metric plot
            settle_views(self.view)  # is linked)

    def _update_summary(self, steps, sl, sm, span) -> None:
        """The latest step's (smoothed, when smoothing is on) loss and metric, and pass/not."""
        text, tip, color_key = summary_text(self.history, steps, sl, sm, span, self.info,
                                            len(sl) > 0 and np.array_equal(sl, sm, equal_nan=True))
        self.summary.setText(text)
        self.summary.setToolTip(tip)
        color = self.theme[color_key]
        if color != self._summary_color:  # by palette, not a style sheet: a style-sheeted label keeps the
            self._summary_color = color  # font it was polished with (tiny in presentation mode)
            palette = self.summary.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
            self.summary.setPalette(palette)

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        steps, loss, metric = self._series()
        name = self.info.get("metric", "metric")
        rows = [[int(s) if math.isfinite(s) else s, float(lo), float(m)]
                for s, lo, m in zip(steps.tolist(), loss.tolist(), metric.tolist(), strict=True)]
        return with_evals(["step", "loss", name], rows, self.evals, name)

    def export_item(self):
        return self.view.scene()
