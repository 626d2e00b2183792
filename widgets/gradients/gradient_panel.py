"""GradientPanel: vanishing and exploding gradients, in one example and over training.

Left/top plot: ||dL/dh_t|| against the input position t for the probed example (trace.grad_norm,
(L, D, T)), one curve per layer and direction on a log axis. A steady fall away from the loss is
the lecture's vanishing gradient; a rise is an exploding one.
Right/bottom plot: the global gradient norm of every training step before and after clipping,
with the max-norm threshold and the clipped steps marked. x shows the whole history (the story of
the run); y follows the last ``WINDOW`` steps, so one early spike does not flatten today's curve.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

from widgets.explain.hover import HoverTip, step_locator
from widgets.explain.readout import explain_grad_norm
from widgets.parts.base import SERIES_COLORS, Panel, history_arrays, same_arrays
from widgets.parts.empty_state import EmptyState
from widgets.parts.item_cache import CACHE
from widgets.parts.panel_parts import log_range, log_safe, make_legend, series_name
from widgets.parts.plot_items import apply_plot_theme, count_from_one, grid_axes, integer_ticks
from widgets.parts.view_ranges import (
    downsample_to_pixels,
    history_curve,
    settle_step_range,
    settle_views,
    settle_y_range,
    thin_marks,
)
from widgets.parts.zero_floor import ZeroFloor, zero_steps
from widgets.training.history_events import EventLines, divergences, dots_for_short_runs


class StillSample(ItemSample):
    """The max-norm line's legend sample: a click does not hide it (pyqtgraph's samples hide their curve, and
    the key is no curve: its sample would show a crossed eye while the line stays drawn)."""

    def mouseClickEvent(self, event):  # noqa: N802 (pyqtgraph override)
        event.accept()


class GradientPanel(Panel):
    WINDOW = 500  # training steps whose values set the y range of the history plot
    TIME_TIP = ("How strongly the loss depends on the hidden state h_t, for every t of this example: "
                "||dL/dh_t|| on a log axis. Backpropagation through time multiplies by the same "
                "recurrent weights at every step, so this usually shrinks (vanishing gradient) or "
                "grows (exploding gradient) geometrically with the distance from the loss. Gated "
                "cells (GRU, LSTM) keep it flatter. Exact zeros are drawn at the bottom of the axis.")
    STEP_TIP = ("The global gradient norm ||dL/dθ|| of every training batch, before and after "
                "clipping. With clipping on, a gradient longer than max-norm is scaled down to it "
                "(the lecture's cure for exploding gradients); clipped steps are marked with x. "
                "Steps with a non-finite loss or gradient were skipped and are not drawn. The y "
                "axis follows the last 500 steps; press the A button to see everything.")

    def __init__(self, parent=None):
        super().__init__("gradientPanel", parent)
        self.history: dict = {}
        self._got_history = False  # set_history was called (self.history is what it drew)
        self._shown_T = None  # sequence length the time plot's x range was set for
        self.clip_enabled = False
        self.max_norm = 1.0
        self._keys: list[tuple[int, int]] = []
        self.time_curves: dict[tuple[int, int], pg.PlotDataItem] = {}
        self._horizontal: bool | None = None
        self._marks_drawn: dict = {}  # the clipped marks' (x, y) as last drawn

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("gradientPlots")
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.view.ci.layout.setSpacing(4)
        self._layout.addWidget(self.view)

        # (a) ||dL/dh_t|| over t, one curve per layer/direction
        self.time_plot = pg.PlotItem(axisItems=grid_axes("left"))
        self.time_plot.setLogMode(x=False, y=True)
        self.time_plot.setLabel("bottom", "time step t")
        count_from_one(self.time_plot.getAxis("bottom"))
        self.time_plot.setMouseEnabled(x=True, y=True)
        self.time_legend = make_legend(self.time_plot)
        self.zero_floor = ZeroFloor(self.time_plot)  # ‖dL/dh_t‖ exactly 0 (float32 underflow): "0", not 1e-25
        self.time_cursor = pg.InfiniteLine(angle=90, movable=False)
        self.time_cursor.setZValue(10)
        self.time_plot.addItem(self.time_cursor, ignoreBounds=True)
        self.time_cursor.setVisible(False)
        self.time_plot.setToolTip(self.TIME_TIP)
        self.hover = HoverTip(self, self.view, step_locator(self.time_plot, self.view, lambda: (
            0 if self.trace is None else self.trace.seq_len)), lambda t, _i: [("h", 0, 0, t - 1, None)])

        # (b) global gradient norm over training steps
        self.step_plot = pg.PlotItem(axisItems=grid_axes("left"))
        self.step_plot.setLogMode(x=False, y=True)
        self.step_plot.setLabel("bottom", "training step")
        integer_ticks(self.step_plot.getAxis("bottom"))  # steps are whole numbers
        self.step_legend = make_legend(self.step_plot)
        self.before_curve = history_curve(self.step_plot, pg.mkPen(SERIES_COLORS[0], width=1), "before clip")
        self.after_curve = history_curve(self.step_plot, pg.mkPen(SERIES_COLORS[1], width=1), "after clip")
        self.event_lines = EventLines((self.step_plot,), short_labels=True)  # where the run diverged
        self.clipped_marks = pg.PlotDataItem(pen=None, symbol="x", symbolSize=7, name="clipped")
        self.step_plot.addItem(self.clipped_marks)
        self.clipped_marks.scatter.setCacheMode(CACHE)  # (a pixmap: they change only when a step is clipped)
        self.max_norm_line = pg.InfiniteLine(angle=0, movable=False)  # named in the legend, not on the line:
        self.max_norm_key = pg.PlotDataItem()  # clipped steps sit on it (a legend sample only, not plotted)
        self.max_norm_line.setZValue(5)
        self.step_plot.addItem(self.max_norm_line, ignoreBounds=True)
        self.max_norm_line.setVisible(False)
        self.step_plot.getViewBox().disableAutoRange()
        self.step_plot.setToolTip(self.STEP_TIP)
        for plot in (self.time_plot, self.step_plot):  # labels may widen the axis, never narrow it:
            plot.getAxis("left").setStyle(autoReduceTextSpace=False)  # no re-layout as the range moves
            for name in ("left", "bottom", "right", "top"):  # (SI prefixes would only re-render the
                plot.getAxis(name).enableAutoSIPrefix(False)  # labels at every range change)

        self.time_empty = EmptyState(self, "‖dL/dhₜ‖ at every step t appears with the first example",
                                     self.time_plot, hide=(self.time_legend,))
        self.step_empty = EmptyState(self, "the gradient norm of every training step\nappears after the first step",
                                     self.step_plot, hide=(self.step_legend, self.max_norm_line))
        self._arrange(horizontal=True)
        self.set_theme(False)
        self._update_titles()

    # ---- layout ------------------------------------------------------------------------
    def _make_curve(self, plot, color, name=None, dashed=False) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(pen=self._pen(color, dashed), name=name)
        plot.addItem(curve)
        downsample_to_pixels(curve)
        return curve

    @staticmethod
    def _pen(color, dashed=False):
        return pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)

    def _arrange(self, horizontal: bool) -> None:
        """Side by side when the panel is wide, stacked when it is tall."""
        if horizontal == self._horizontal:
            return
        self._horizontal = horizontal
        ci = self.view.ci
        for item in (self.time_plot, self.step_plot):
            if item in ci.items:
                ci.removeItem(item)
        ci.addItem(self.time_plot, row=0, col=0)
        ci.addItem(self.step_plot, row=0 if horizontal else 1, col=1 if horizontal else 0)
        grid = ci.layout
        for i in range(2):  # equal shares, whatever the titles' and legends' widths
            grid.setColumnStretchFactor(i, 1 if horizontal or i == 0 else 0)
            grid.setRowStretchFactor(i, 1 if not horizontal or i == 0 else 0)
            grid.setColumnPreferredWidth(i, 10)

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        size = event.size()
        self._arrange(size.width() >= 1.4 * size.height())

    # ---- controller-facing API ---------------------------------------------------------
    def set_trace(self, trace) -> None:
        if trace is self.trace and trace is not None:  # the same snapshot again
            return
        super().set_trace(trace)
        self.time_empty.set_empty(trace is None)
        if trace is None:
            self._rebuild_time_curves([])
            self.time_cursor.setVisible(False)
            self._shown_T = None
            return
        g = np.asarray(trace.grad_norm, dtype=np.float64)  # (L, D, T)
        L, D, T = g.shape
        keys = [(layer, d) for layer in range(L) for d in range(D)]
        if keys != self._keys:
            self._rebuild_time_curves(keys)
        y = log_safe(g)
        t = np.arange(T, dtype=np.float64)
        for (layer, d), curve in self.time_curves.items():
            curve.setData(t, y[layer, d])
        zeros = zero_steps(g)  # exact zeros sit on log_safe's floor: say that it means 0
        self.zero_floor.show(zeros, float(y.min()) if len(zeros) else 1.0)
        moved = self._shown_T != T
        if moved:
            self._shown_T = T
            self.time_plot.setXRange(0, max(T - 1, 1), padding=0.02)
        moved |= settle_y_range(self.time_plot, *log_range(y), slack=1.0)  # steady while norms swing
        self.time_cursor.setVisible(True)
        self.set_time(self.time)
        if moved:
            settle_views(self.view)

    def set_time(self, t: int) -> None:
        super().set_time(t)
        if self.trace is not None:
            self.time = self.clamp_time(t)
            self.time_cursor.setPos(self.time)

    def explain(self, t: int, index: int = 0, layer: int = 0, direction: int = 0) -> str:
        """‖dL/dh_t‖ of one chain (default layer 1 forward; index ignored), t 1-based: the tooltip."""
        return explain_grad_norm(self.trace, int(t), layer, direction) if self.trace is not None else ""

    def set_history(self, history: dict) -> None:
        new = history_arrays(history)
        if self._got_history and same_arrays(new, self.history):
            return  # nothing new (the controller hands the history over with every snapshot)
        self._got_history, self.history = True, new
        steps = self.history.get("step", np.zeros(0))
        before = self.history.get("grad_norm", np.full(len(steps), np.nan))
        after = self.history.get("grad_norm_clipped", np.full(len(steps), np.nan))
        clipped = self.history.get("clipped", np.zeros(len(steps)))
        for curve, values in ((self.before_curve, before), (self.after_curve, after)):
            ok = np.isfinite(values) & (values > 0) & np.isfinite(steps)  # skipped steps are dropped
            curve.setData(steps[ok], values[ok])
        marked = (clipped > 0.5) & np.isfinite(before) & (before > 0) & np.isfinite(steps)
        bins = max(100, int(self.step_plot.getViewBox().width()) // 2)  # a mark is ~7 px wide
        marks = thin_marks(steps[marked], before[marked], bins)
        if not same_arrays(dict(enumerate(marks)), self._marks_drawn):  # (a run clips a step now and then)
            self._marks_drawn = dict(enumerate(marks))
            self.clipped_marks.setData(*marks)
        dots_for_short_runs((self.before_curve, self.after_curve), len(steps))
        self.event_lines.set_events(divergences(self.history), steps)
        drawn = np.isfinite(before) & (before > 0) & np.isfinite(steps)
        self.step_empty.set_empty(not drawn.any())
        self._sync_clip_legend()
        self._update_step_range()

    def _sync_clip_legend(self) -> None:
        """"after clip" and "clipped" are in the legend only while clipping is on or this run clipped
        a step: a legend entry for a switched-off feature would name something the plot cannot show. The
        max-norm line is named there while it is drawn: a name on the line covered the clipped steps."""
        clipped = self.history.get("clipped", np.zeros(0))
        want = self.clip_enabled or bool(np.nansum(clipped) > 0)
        legend = self.step_legend
        entries = {sample.item: label.text for sample, label in legend.items}
        threshold = f"max-norm {self.max_norm:g}"
        for item, name, on in ((self.after_curve, "after clip", want), (self.clipped_marks, "clipped", want),
                               (self.max_norm_key, threshold, self._threshold_shown())):
            if item in entries and (not on or entries[item] != name):
                legend.removeItem(item)
            if on and entries.get(item) != name:
                legend.addItem(StillSample(item) if item is self.max_norm_key else item, name)

    def _threshold_shown(self) -> bool:
        return self.clip_enabled and self.max_norm > 0

    def set_clip(self, enabled: bool, max_norm: float) -> None:
        """Show the max-norm threshold (a horizontal line) while clipping is on."""
        if (bool(enabled), float(max_norm)) == (self.clip_enabled, self.max_norm):
            return  # unchanged (the controller hands it over with every snapshot)
        self.clip_enabled = bool(enabled)
        self.max_norm = float(max_norm)
        if self.max_norm > 0 and math.isfinite(self.max_norm):
            self.max_norm_line.setPos(math.log10(self.max_norm))  # the axis is in log10 units
        self.max_norm_line.setVisible(self._threshold_shown())
        self._sync_clip_legend()
        self._update_step_range()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        self.view.setBackground(th["background"])
        self.zero_floor.set_theme(th)
        for plot, legend in ((self.time_plot, self.time_legend), (self.step_plot, self.step_legend)):
            apply_plot_theme(plot, th)
            plot.showGrid(x=False, y=True, alpha=th["grid"] / 255)  # y: read a norm off the log axis
            legend.setLabelTextColor(th["foreground"])
            legend.setBrush(pg.mkBrush(th["background"] + "e0"))
            legend.setPen(pg.mkPen(th["muted"]))
        self.time_cursor.setPen(pg.mkPen(th["accent"], width=1.5))
        threshold_pen = pg.mkPen(th["bad"], width=1.5, style=Qt.PenStyle.DashLine)
        self.max_norm_line.setPen(threshold_pen)
        self.max_norm_key.setPen(threshold_pen)
        self.event_lines.set_theme(th)
        self.clipped_marks.setSymbolPen(pg.mkPen(th["bad"], width=1.5))
        self.clipped_marks.setSymbolBrush(None)
        self._update_titles()
        # legends cache their label colours: rebuild the entries
        self._relabel_legends()

    # ---- drawing helpers ---------------------------------------------------------------
    def _rebuild_time_curves(self, keys) -> None:
        for curve in self.time_curves.values():
            self.time_plot.removeItem(curve)
        self.time_legend.clear()
        self.time_curves = {}
        self._keys = list(keys)
        for i, (layer, d) in enumerate(self._keys):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            self.time_curves[(layer, d)] = self._make_curve(
                self.time_plot, color, series_name(layer, d), dashed=bool(d))
        self.time_legend.placer.set_shown(len(self._keys) > 1)  # one chain's name ("layer 1 →") tells nothing

    def _relabel_legends(self) -> None:
        for legend in (self.time_legend, self.step_legend):
            for _sample, label in legend.items:
                label.setText(label.text, color=self.theme["foreground"])

    def _update_step_range(self) -> None:
        """y follows the last WINDOW steps (and the max-norm line); x shows the whole history."""
        n = self.WINDOW
        recent = [self.history.get(k, np.zeros(0))[-n:] for k in ("grad_norm", "grad_norm_clipped")]
        vals = np.concatenate(recent) if recent else np.zeros(0)
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if self.clip_enabled and self.max_norm > 0:
            vals = np.append(vals, self.max_norm)
        if vals.size == 0:
            return
        moved = settle_y_range(self.step_plot, *log_range(vals))
        if settle_step_range(self.step_plot, self.history.get("step", np.zeros(0))) or moved:
            settle_views(self.view)

    def _update_titles(self) -> None:
        color = self.theme["foreground"]
        self.time_plot.setTitle("‖∂L/∂h_t‖ in this example", color=color, size="9pt")
        self.step_plot.setTitle("‖∂L/∂θ‖ per training step", color=color, size="9pt")
        for plot in (self.time_plot, self.step_plot):
            plot.layout.setRowFixedHeight(0, 18)

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        if self.trace is None:
            return ["t", "token"], []
        g = np.asarray(self.trace.grad_norm, dtype=np.float64)
        L, D, T = g.shape
        header = ["t", "token"] + [f"grad norm {series_name(layer, d)}"
                                   for layer in range(L) for d in range(D)]
        tokens = list(self.trace.tokens)
        rows = [[t, tokens[t] if t < len(tokens) else ""] + [float(g[layer, d, t])
                                                             for layer in range(L) for d in range(D)]
                for t in range(T)]
        return header, rows

    def history_table(self) -> tuple[list[str], list[list]]:
        """The training-step series: step, norm before and after clipping, clipped, skipped."""
        keys = ["step", "grad_norm", "grad_norm_clipped", "clipped", "skipped"]
        n = len(self.history.get("step", ()))
        cols = [self.history.get(k, np.full(n, np.nan)) for k in keys]
        rows = [[int(cols[0][i]) if np.isfinite(cols[0][i]) else cols[0][i],
                 float(cols[1][i]), float(cols[2][i]), bool(cols[3][i] > 0.5), bool(cols[4][i] > 0.5)]
                for i in range(n)]
        return keys, rows

    def export_item(self):
        return self.view.scene()
