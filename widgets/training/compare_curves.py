"""CompareCurves: the learning curves of two to four runs overlaid, loss on top and metric below.

One colour per run (legend by run label). The loss is on a log axis, as are error metrics (lower is
better, e.g. MSE); accuracy is linear. The runs see the same batches, so the gap between two curves
at a step is the difference the configuration makes, not batch luck. Optional EMA smoothing draws
the raw curves faintly behind the smoothed ones. Takes numpy histories only (``set_runs``).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSpinBox

from widgets.parts.base import LIGHT, SERIES_COLORS, Panel, apply_palette, history_arrays, same_arrays
from widgets.parts.panel_parts import make_legend
from widgets.parts.plot_items import LogAxis, integer_ticks, theme_plots
from widgets.parts.view_ranges import settle_y_range
from widgets.training.curve_math import RunningEma, finite_xy, seed_band, short

LEGEND_TEXT = "9pt"  # the legend is all that names the runs: larger than the single-run panels'


class CompareCurves(Panel):
    SMOOTH_TIP = ("Exponential moving average over this many steps, to see each run's trend through the "
                  "batch-to-batch noise (the raw curves stay faintly behind). 0 = off.")

    def __init__(self, parent=None):
        super().__init__("compareCurves", parent)
        self.labels: list[str] = []
        self.histories: list[dict] = []
        self.seed_histories: list[list[dict]] = []  # per run, per seed (compare over seeds), else []
        self.seeds: list[int] = []  # their seeds
        self.info: dict = {}
        self.metric_log = False
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.setSpacing(12)  # the header's text never runs into the smoothing control
        self.summary = QLabel("no training steps yet", objectName="compareCurvesSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setWordWrap(True)  # four runs' losses wrap at 1280x720 rather than being cut at "smooth"
        controls.addWidget(self.summary, 1)
        controls.addWidget(QLabel("smooth", toolTip=self.SMOOTH_TIP))
        self.smoothing = QSpinBox(objectName="compareCurvesSmoothing", toolTip=self.SMOOTH_TIP)
        self.smoothing.setRange(0, 1000)
        self.smoothing.setSingleStep(10)
        self.smoothing.setValue(10)
        self.smoothing.setSpecialValueText("off")
        self.smoothing.setSuffix(" steps")
        self.smoothing.valueChanged.connect(self._on_smoothing_changed)
        controls.addWidget(self.smoothing)
        self._layout.addLayout(controls)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("compareCurvesPlots")
        self.view.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.view.ci.layout.setSpacing(0)
        self._layout.addWidget(self.view, 1)
        self.loss_plot = self.view.addPlot(row=0, col=0, axisItems={"left": LogAxis("left")})
        self.metric_plot = self.view.addPlot(row=1, col=0, axisItems={"left": LogAxis("left")})
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.setLogMode(x=False, y=True)
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self.loss_plot.setLabel("left", "loss (log)")
        self.metric_plot.setLabel("bottom", "training step")
        integer_ticks(self.metric_plot.getAxis("bottom"))  # steps are whole numbers
        self.metric_plot.setLabel("left", "metric")
        fm = QFontMetricsF(self.view.font())  # both axes as wide (the plots aligned), room for "0.001" and the name
        for plot in (self.loss_plot, self.metric_plot):
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(round(fm.horizontalAdvance("0.0001") + fm.height() + 14))
            plot.getViewBox().disableAutoRange()
            plot.setMenuEnabled(False)
        self.loss_plot.setYRange(-3, 1, padding=0)
        self.metric_plot.setYRange(0, 1, padding=0)
        self.loss_plot.setXRange(0, 100, padding=0)
        self.legend = make_legend(self.loss_plot, columns=4)
        self.legend.opts["labelTextSize"] = LEGEND_TEXT
        self.curves: list[dict] = []  # per run: raw/smooth curves on both plots
        self.set_theme(False)

    # ---- controller-facing API ---------------------------------------------------------
    def set_task_info(self, info: dict) -> None:
        self.info = dict(info or {})
        self.metric_log = not self.info.get("higher_is_better", True)
        self.metric_plot.setLogMode(x=False, y=self.metric_log)
        name = self.info.get("metric", "metric")
        self.metric_plot.setLabel("left", name + (" (log)" if self.metric_log else ""),
                                  color=self.theme["foreground"])
        self._redraw()

    def set_runs(self, labels, histories, seeds: bool = False) -> None:
        """labels: one name per run; histories: per run a dict of equal-length 1-D arrays
        (step, loss, metric, ...; engine History.arrays())."""
        labels = [str(x) for x in labels]
        histories = [history_arrays(h) for h in histories]
        had_seeds = bool(self.seed_histories) and not seeds
        if not seeds:
            self.seed_histories = []
        if not had_seeds and labels == self.labels and len(histories) == len(self.histories) and all(
                same_arrays(a, b) for a, b in zip(histories, self.histories, strict=True)):
            return  # nothing new (a paused run's snapshots)
        if labels != self.labels:
            self._build(labels)
        self.histories = histories
        self._redraw()

    def set_seed_runs(self, labels, seed_histories, seeds) -> None:
        """Compare over seeds: per run, the histories of every seed (same steps), and the seeds' values. Each
        run's line is the mean of its seeds' (smoothed) curves and its band spans the lowest to the highest seed."""
        groups = [[history_arrays(h) for h in group] for group in seed_histories]
        self.seeds = [int(x) for x in seeds]
        if [str(x) for x in labels] == self.labels and len(groups) == len(self.seed_histories) and all(
                len(a) == len(b) and all(same_arrays(x, y) for x, y in zip(a, b, strict=True))
                for a, b in zip(groups, self.seed_histories, strict=True)):
            return
        self.seed_histories = groups
        self.histories = []  # set_runs draws them afresh
        self.set_runs(labels, [g[0] for g in groups], seeds=True)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        theme_plots(self.view, (self.loss_plot, self.metric_plot), th)
        self.legend.setLabelTextColor(th["foreground"])
        self.legend.setBrush(pg.mkBrush(th["background"] + "e0"))
        self.legend.setPen(pg.mkPen(th["muted"]))
        for _sample, label in self.legend.items:
            label.setText(label.text, color=th["foreground"])
        apply_palette(self, th)

    # ---- drawing -----------------------------------------------------------------------
    def _build(self, labels: list[str]) -> None:
        for run in self.curves:
            for key, plot in (("loss_raw", self.loss_plot), ("loss", self.loss_plot),
                              ("metric_raw", self.metric_plot), ("metric", self.metric_plot),
                              ("loss_band", self.loss_plot), ("metric_band", self.metric_plot)):
                plot.removeItem(run[key])
        self.legend.clear()
        self._band_key = None
        self.labels, self.curves = labels, []
        for i, label in enumerate(labels):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            faint = pg.mkColor(color)
            faint.setAlpha(70)
            run = {"ema_loss": RunningEma(), "ema_metric": RunningEma()}
            for key, plot, pen, name in (("loss_raw", self.loss_plot, pg.mkPen(faint, width=1), None),
                                         ("loss", self.loss_plot, pg.mkPen(color, width=2), label),
                                         ("metric_raw", self.metric_plot, pg.mkPen(faint, width=1), None),
                                         ("metric", self.metric_plot, pg.mkPen(color, width=2), None)):
                curve = pg.PlotDataItem(pen=pen, name=name)
                plot.addItem(curve)  # addItem applies the plot's downsampling settings: set ours after
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                run[key] = curve
            band = pg.mkColor(color)
            band.setAlpha(55)
            for key, plot in (("loss_band", self.loss_plot), ("metric_band", self.metric_plot)):
                lo, hi = pg.PlotDataItem(), pg.PlotDataItem()
                run[key] = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(band), pen=pg.mkPen(None))
                run[key].bounds = (lo, hi)  # the lowest and the highest seed
                run[key].setZValue(-5)
                plot.addItem(run[key])
            run["ema_seeds"] = []
            self.curves.append(run)
        self.set_theme(self.theme is LIGHT)

    def _series(self, h: dict):
        steps = h.get("step", np.zeros(0))
        return steps, h.get("loss", np.full(len(steps), np.nan)), h.get("metric", np.full(len(steps), np.nan))

    def _redraw(self) -> None:
        span = self.smoothing.value()
        smooth = span > 1
        losses, lines = [], []
        all_loss, all_metric, all_steps = [], [], []
        name = self.info.get("metric", "metric")
        n_seeds = 0
        for i, (run, h, label) in enumerate(zip(self.curves, self.histories, self.labels, strict=False)):
            seeds = self.seed_histories[i] if i < len(self.seed_histories) else []
            if seeds:  # the line is the seeds' mean, the band their range; no raw curve behind
                n_seeds = len(seeds)
                steps, (s_loss, lo_loss, hi_loss), (s_metric, lo_metric, hi_metric) = self._draw_band(run, seeds, span)
                run["loss_raw"].setData([], [])
                run["metric_raw"].setData([], [])
                all_loss += [lo_loss, hi_loss]
                all_metric += [lo_metric, hi_metric]
            else:
                steps, loss, metric = self._series(h)
                s_loss, s_metric = run["ema_loss"](steps, loss, span), run["ema_metric"](steps, metric, span)
                for key in ("loss_band", "metric_band"):
                    for bound in run[key].bounds:
                        bound.setData([], [])
                run["loss_raw"].setData(*finite_xy(steps, loss, True) if smooth else ([], []))
                run["metric_raw"].setData(*finite_xy(steps, metric, self.metric_log) if smooth else ([], []))
                all_loss.append(loss)
                all_metric.append(metric)
            run["loss"].setData(*finite_xy(steps, s_loss, True))
            run["metric"].setData(*finite_xy(steps, s_metric, self.metric_log))
            all_steps.append(steps)
            ok = np.flatnonzero(np.isfinite(s_loss) & np.isfinite(s_metric))
            if ok.size:
                losses.append(f"{label} {short(s_loss[ok[-1]])}")
                lines.append(f"{label}: loss {short(s_loss[ok[-1]])}, {name} {short(s_metric[ok[-1]])}")
        self._show_band_key(n_seeds, span if smooth else 0)
        head = f"mean loss of {n_seeds} seeds  " if n_seeds else "loss  "
        self.summary.setText(head + "  ·  ".join(losses) if losses else "no training steps yet")
        self.summary.setToolTip(("Latest step" + (f", smoothed over {span} steps" if smooth else "")
                                 + (f"; each line is the mean of {n_seeds} seeds, its band spans the lowest to the "
                                    "highest seed" if n_seeds else "") + ":\n" + "\n".join(lines)) if lines else "")
        self._update_ranges(all_steps, all_loss, all_metric)

    def _show_band_key(self, n_seeds: int, span: int = 0) -> None:
        """A legend entry that says what the lines and bands are (compare over seeds), and that they are drawn
        from each seed's smoothed curve when they are (an exported figure has no smoothing box beside it)."""
        text = f"line: mean of {n_seeds} seeds, band: lowest to highest" if n_seeds else ""
        if text and span:
            text += f"<br>(each seed smoothed over {span} steps)"  # (a second line: the legend is one row)
        key = getattr(self, "_band_key", None)
        if key is not None and key.name() != text:
            self.legend.removeItem(key)
            key = None
        if key is None and text:
            key = pg.BarGraphItem(x=[0], height=[1], width=1, brush=pg.mkBrush(self.theme["muted"] + "70"),
                                  pen=pg.mkPen(None), name=text)
            self.legend.addItem(key, text)
            for _sample, label in self.legend.items:
                label.setText(label.text, color=self.theme["foreground"])
        self._band_key = key

    def _draw_band(self, run: dict, seeds: list[dict], span: int):
        """Draw the run's bands (lowest..highest seed of the smoothed curves): steps, then (mean, lowest,
        highest) of the loss and of the metric."""
        while len(run["ema_seeds"]) < len(seeds):
            run["ema_seeds"].append((RunningEma(), RunningEma()))
        n = min(len(h.get("step", ())) for h in seeds)
        steps = np.asarray(seeds[0]["step"][len(seeds[0]["step"]) - n:], np.float64)
        out = []
        for k, (key, log) in enumerate((("loss", True), ("metric", self.metric_log))):
            curves = [run["ema_seeds"][j][k](h["step"][len(h["step"]) - n:], h[key][len(h[key]) - n:], span)
                      for j, h in enumerate(seeds)]
            mean, lo, hi = seed_band(curves) if n else (np.zeros(0),) * 3
            lo_item, hi_item = run[f"{key}_band"].bounds
            ok = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) if log else True)
            lo_item.setData(steps[ok], np.log10(lo[ok]) if log else lo[ok])  # (a fill's bounds are in view units)
            hi_item.setData(steps[ok], np.log10(hi[ok]) if log else hi[ok])
            out.append((mean, lo, hi))
        return steps, out[0], out[1]

    def _update_ranges(self, steps, loss, metric) -> None:
        for plot, values, log in ((self.loss_plot, loss, True), (self.metric_plot, metric, self.metric_log)):
            v = np.concatenate(values) if values else np.zeros(0)
            v = v[np.isfinite(v) & ((v > 0) if log else True)]
            if not v.size:  # nothing yet: 0.001 .. 10 on a log axis, 0 .. 1 on a linear one
                plot.setYRange(*((-3, 1) if log else (0, 1)), padding=0)
                continue
            v = np.log10(v) if log else v
            lo, hi = float(v.min()), float(v.max())
            pad = max(0.08 * (hi - lo), 0.05 if log else 0.02)
            legend_room = 0.25 * (hi - lo) if plot is self.loss_plot else 0.0  # the legend sits top right
            if not log and lo >= 0.0 and hi <= 1.0:  # a fraction (accuracy): the axis stays in 0..1
                settle_y_range(plot, max(lo - pad, 0.0), min(hi + pad, 1.0), keep_lo=True)
                plot.setYRange(max(plot.viewRange()[1][0], 0.0), min(plot.viewRange()[1][1], 1.02), padding=0)
                continue
            settle_y_range(plot, lo - pad, hi + pad + legend_room)
        s = np.concatenate(steps) if steps else np.zeros(0)
        s = s[np.isfinite(s)]
        if s.size:
            self.loss_plot.setXRange(s.min(), max(s.max(), s.min() + 1), padding=0.02)

    # ---- handlers ----------------------------------------------------------------------
    def _on_smoothing_changed(self, _value: int) -> None:
        self._redraw()

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        """step, then the raw loss of each run (of each seed of each run, compared over seeds), then its metric:
        one row per step."""
        name = self.info.get("metric", "metric")
        if self.seed_histories:
            columns = [(f"{x} seed {seed}", h) for x, group in zip(self.labels, self.seed_histories, strict=False)
                       for seed, h in zip(self.seeds, group, strict=False)]
        else:
            columns = list(zip(self.labels, self.histories, strict=False))
        header = ["step"] + [f"loss {x}" for x, _ in columns] + [f"{name} {x}" for x, _ in columns]
        series = [self._series(h) for _, h in columns]
        n = max((len(s[0]) for s in series), default=0)
        rows = []
        for i in range(n):
            step = next((s[0][i] for s in series if i < len(s[0]) and math.isfinite(s[0][i])), float("nan"))
            rows.append([int(step) if math.isfinite(step) else step]
                        + [float(s[1][i]) if i < len(s[1]) else "" for s in series]
                        + [float(s[2][i]) if i < len(s[2]) else "" for s in series])
        return header, rows

    def export_item(self):
        return self.view.scene()
