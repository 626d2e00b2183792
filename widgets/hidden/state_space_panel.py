"""StateSpacePanel: hidden-state trajectories in their top principal components, with fixed points.

Draws the ``state_space`` payload of engine.analysis.hidden_live (numpy only):
  proj (L, D, B, T, k)  every reference example's path h_1..h_T in the PCA of that layer/direction
  example (L, D, T, k)  the displayed example in the same axes; ratio (L, D, k) explained variance
  labels (B,) class index or value (None for per-step tasks); label_names
  fixed: the last fixed-point search projected into the same axes (or None); fp_status; x_choices
Paths are coloured by the example's label (a class colour, or a colour scale for a value) or by time;
the displayed example is the thick line and the time cursor the dot on it. Fixed points: stable
filled, unstable (saddles) hollow with a short line along their most unstable direction, slow points
small diamonds. The search runs in the engine on demand ("Find fixed points"), in slices, with a
progress bar; training goes on meanwhile.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from widgets.hidden.fixed_point_settings import X_TIP_REAL, X_TIP_TOKENS, FixedPointSettings
from widgets.hidden.fixed_point_table import TABLE_HEADER, fill_table, fixed_point_files, plane, point_rows
from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, brush_lut, lut_index, mix_colors, set_combo_items
from widgets.parts.empty_state import EmptyState
from widgets.parts.finite import finite_path, finite_points
from widgets.parts.panel_parts import SelectorRow, add_legend
from widgets.parts.plot_items import apply_plot_theme

COLOR_BY = ("colour: label", "colour: time")
EMPTY = "every example's path h₁ … h_T in the top two principal components\nappears with the first example"
OVERFLOWED = "no path to draw: the projected states are not finite\n(overflow). Reset, or lower the learning rate"
NEXT_SLICE_MS = 150  # pause between slices of the search: training gets at least half the time


class StateSpacePanel(Panel):

    def __init__(self, parent=None):
        super().__init__("stateSpacePanel", parent)
        self.payload: dict | None = None
        self._requester = None
        self._searching = False
        top = QHBoxLayout()
        top.setSpacing(4)
        self.selectors = SelectorRow("stateSpace")
        self.selectors.changed.connect(self._on_selection_changed)
        top.addWidget(self.selectors)
        self.color_combo = QComboBox(objectName="stateSpaceColorCombo")
        self.color_combo.addItems(COLOR_BY)
        self.color_combo.setToolTip("Colour each example's path by its label (the answer it should give) "
                                    "or every state by its time step t (dark early, light late).")
        self.color_combo.currentIndexChanged.connect(self._on_color_changed)
        top.addWidget(self.color_combo)
        self.variance = QLabel("", objectName="stateSpaceVarianceLabel")
        self.variance.setToolTip("Share of the states' variance along each principal component (PCA of "
                                 "the reference examples' states; refitted only when the model changes "
                                 "enough that the old axes no longer hold the states).")
        top.addWidget(self.variance, 1)
        self._layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.plot = pg.PlotWidget(objectName="stateSpacePlot")
        self.plot.setMinimumSize(220, 160)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("bottom", "PC1")
        item.setLabel("left", "PC2")
        for axis in ("left", "bottom"):
            item.getAxis(axis).enableAutoSIPrefix(False)  # PC values as they are, no "(x0.001)"
        self.paths: list[pg.PlotDataItem] = []
        self.time_dots = pg.ScatterPlotItem(size=4, pen=None)
        self.example_line = pg.PlotDataItem()
        self.cursor = pg.ScatterPlotItem(size=12)
        self.saddle_dirs = pg.PlotDataItem(connect="pairs")
        self.fp_items = {kind: pg.ScatterPlotItem() for kind in ("slow", "unknown", "saddle", "stable")}
        for it in (self.time_dots, self.example_line, self.saddle_dirs, *self.fp_items.values(), self.cursor):
            item.addItem(it)
        self.legend = add_legend(item, offset=(2, 2), labelTextSize="7pt", verSpacing=-8)
        split.addWidget(self.plot)

        side = QWidget()
        col = QVBoxLayout(side)
        col.setContentsMargins(2, 0, 0, 0)
        col.setSpacing(3)
        row = QHBoxLayout()
        row.addWidget(QLabel("x* ="))
        self.x_combo = QComboBox(objectName="fixedPointInputCombo")
        self.x_combo.setToolTip(X_TIP_TOKENS)
        row.addWidget(self.x_combo, 1)
        row.addWidget(QLabel("period"))
        self.period_spin = QSpinBox(objectName="fixedPointPeriodSpin")
        self.period_spin.setRange(1, 4)
        self.period_spin.setToolTip("Search points that return after this many steps of x* (2: a network "
                                    "that flips its state at every x* keeps its memory in a 2-cycle).")
        row.addWidget(self.period_spin)
        col.addLayout(row)
        buttons = QHBoxLayout()
        self.find_button = QPushButton("Find fixed points", objectName="findFixedPointsButton")
        self.find_button.setToolTip("Minimise q(h) = ½‖F(h, x*) − h‖² (Sussillo & Barak 2013) from states of real "
                                    "trajectories, the same run forward under x*, and states beyond the data; "
                                    "in the engine, in short slices while training goes on. Press again to cancel.")
        self.find_button.clicked.connect(self._on_find_clicked)
        buttons.addWidget(self.find_button, 1)
        self.settings_button = QToolButton(objectName="fixedPointSettingsButton", text="Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setToolTip("Starts, time budget, forward run and tolerances of the search")
        buttons.addWidget(self.settings_button)
        col.addLayout(buttons)
        self.settings = FixedPointSettings()
        self.settings.setVisible(False)
        self.settings_button.toggled.connect(self.settings.setVisible)
        col.addWidget(self.settings)
        self.progress = QProgressBar(objectName="fixedPointProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        col.addWidget(self.progress)
        self.status = QLabel("", objectName="fixedPointStatus")
        self.status.setWordWrap(True)
        col.addWidget(self.status)
        self.table = QTableWidget(0, len(TABLE_HEADER), objectName="fixedPointTable")
        self.table.setHorizontalHeaderLabels(TABLE_HEADER)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("q = ½‖F(h*) − h*‖² (0 at a true fixed point); |λ| of the step Jacobian "
                              "dF/dh there: all below 1 = stable (an attractor), otherwise a saddle.")
        col.addWidget(self.table, 1)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        header = self.table.horizontalHeader()  # the table's columns in full beside the plot
        side.setMinimumWidth(max(230, header.length() + self.table.verticalScrollBar().sizeHint().width() + 8))
        self._layout.addWidget(split, 1)
        self.empty = EmptyState(self, EMPTY, self.plot)
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_requester(self, request) -> None:
        """``request(kind, on_done=, on_error=, refresh=, **args)`` runs LabSession.request_<kind>."""
        self._requester = request

    def set_state_space(self, payload: dict | None) -> None:
        self.payload = payload
        finite = payload is None or bool(np.isfinite(payload["proj"]).any())
        self.empty.set_text(EMPTY if finite else OVERFLOWED)
        self.empty.set_empty(payload is None or not finite)
        if payload is None:
            return
        L, D = payload["proj"].shape[:2]
        self.selectors.update_shape(L, D)
        choices = payload["x_choices"]
        if [self.x_combo.itemText(i) for i in range(self.x_combo.count())] != choices:
            real = payload.get("x_dim", 0) > 0
            self.x_combo.setEditable(real)  # real inputs: type a vector x*
            set_combo_items(self.x_combo, choices)
            self.x_combo.setCurrentText(payload["x_default_choice"])
            self.x_combo.setToolTip(X_TIP_REAL.format(n=payload["x_dim"]) if real else X_TIP_TOKENS)
        can = payload["can_search"] and self._requester is not None
        self.find_button.setEnabled(can)
        if not payload["can_search"]:
            self.status.setText("Fixed points need a left-to-right model: a bidirectional one has no single "
                                "state to iterate.")
        elif not self._searching:
            st = payload["fp_status"]
            fixed = payload["fixed"]
            text = st["text"] or "Press the button to search."
            if fixed:
                text = fixed["summary"] + f" — at step {fixed['step']}."
                slow = ~fixed["fixed"]
                if len(fixed["q"]) == 0:
                    text += (" Try another x* (for real inputs type numbers, e.g. 0.5, 1), period 2, more "
                             "starts or a longer budget (Settings).")
                elif (fixed["fixed"] & fixed["stable"]).any():
                    pass
                elif slow.sum() >= 3 and abs(float(np.median(fixed["top_abs"][slow])) - 1) < 0.05:
                    text += (" The slow points have |λ| ≈ 1: along them the state barely moves - an "
                             "approximate line attractor that holds a running value.")
                else:
                    text += (" No attractor under this x*: the state keeps moving (a cycle?). Try period 2, "
                             "or another x*.")
            self.status.setText(text)
        self._draw()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        self._draw_cursor()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        apply_plot_theme(self.plot, self.theme)
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=self.theme["grid"] / 255)
        self.legend.setLabelTextColor(self.theme["foreground"])
        self._draw()

    # ---- drawing -------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._draw()

    def _on_color_changed(self, _index: int) -> None:
        self._draw()

    def _draw(self) -> None:
        p = self.payload
        item = self.plot.getPlotItem()
        for path in self.paths:
            item.removeItem(path)
        self.paths = []
        self.legend.clear()
        if p is None:
            return
        layer, d = self.selectors.selection()
        layer, d = min(layer, p["proj"].shape[0] - 1), min(d, p["proj"].shape[1] - 1)
        proj = p["proj"][layer, d]  # (B, T, k)
        B, T = proj.shape[:2]
        ratio = p["ratio"][layer, d]
        pad = ("", "\u2007")  # a figure space: "9%" as wide as "10%" (no new layout when a share loses a digit)
        text = "  ".join(f"PC{i + 1} {pad[int(r < 0.095)]}{100 * r:.0f}%" for i, r in enumerate(ratio))
        if "fitted_at" in p:
            text += f"  (axes fitted at step {int(p['fitted_at'][layer, d])})"
        self.variance.setText(text)
        th = self.theme
        by_time = self.color_combo.currentIndex() == 1 or p["labels"] is None
        if by_time:
            muted = mix_colors(th["background"], th["muted"], 0.6)
            self._add_paths(proj, [True] * B, muted, "")
            lut = brush_lut(pg.colormap.get("viridis"))
            idx = lut_index(np.tile(np.arange(T), B), 0, max(T - 1, 1))
            x, y, brushes = finite_points(*plane(proj), [lut[i] for i in idx])
            self.time_dots.setData(x, y, brush=list(brushes))
        else:
            self.time_dots.setData([], [])
            labels, names = p["labels"], p["label_names"]
            if names is not None:
                for c, name in enumerate(names):
                    mask = labels == c
                    if mask.any():
                        self._add_paths(proj, mask, SERIES_COLORS[c % len(SERIES_COLORS)], f"target {name}")
            else:  # regression: low values blue, high values orange, in thirds
                cuts = np.quantile(labels, [1 / 3, 2 / 3])
                bins = np.digitize(labels, cuts)
                for k, (col, name) in enumerate(zip(("#4dabf7", "#adb5bd", "#ff922b"),
                                                    ("low target", "middle", "high target"), strict=True)):
                    if (bins == k).any():
                        self._add_paths(proj, bins == k, col, name)
        ex = p["example"][layer, d]
        x, y, joined = finite_path(*plane(ex), np.ones(len(ex), bool))
        self.example_line.setData(x, y, connect=joined, pen=pg.mkPen(th["foreground"], width=3))
        self.legend.addItem(self.example_line, "displayed example")
        self._draw_fixed(layer, d)
        self._draw_cursor()

    def _add_paths(self, proj, mask, color, name) -> None:
        sel = proj[np.asarray(mask)]  # (n, T, k)
        n, T = sel.shape[:2]
        connect = np.ones(n * T, dtype=bool)
        connect[T - 1::T] = False  # no line from one example's end to the next one's start
        x, y, connect = finite_path(*plane(sel), connect)
        path = pg.PlotDataItem(x, y, connect=connect, pen=pg.mkPen(color, width=1))
        self.plot.getPlotItem().addItem(path)
        path.setZValue(-1)
        self.paths.append(path)
        if name:
            self.legend.addItem(path, name)

    def _draw_cursor(self) -> None:
        p = self.payload
        if p is None:
            self.cursor.setData([], [])
            return
        layer, d = self.selectors.selection()
        ex = p["example"][min(layer, p["example"].shape[0] - 1), min(d, p["example"].shape[1] - 1)]
        t = int(np.clip(self.time, 0, len(ex) - 1))
        self.cursor.setData(*finite_points(*plane(ex[t:t + 1])), brush=pg.mkBrush(self.theme["accent"]),
                            pen=pg.mkPen(self.theme["foreground"]))

    def _draw_fixed(self, layer: int, d: int) -> None:
        fx = None if self.payload is None else self.payload["fixed"]
        th = self.theme
        if fx is None or d != 0 or layer >= len(fx["layers"]):
            for it in self.fp_items.values():
                it.setData([], [])
            self.saddle_dirs.setData([], [])
            self._fill_table(None, layer)
            return
        pts, arrow = fx["layers"][layer]["points"], fx["layers"][layer]["arrow"]
        stable, fixed = fx["stable"], fx["fixed"]
        known = np.isfinite(fx["top_abs"])
        kinds = {"stable": fixed & stable, "saddle": fixed & ~stable & known, "unknown": fixed & ~known,
                 "slow": ~fixed}
        ink = th["foreground"]
        style = {"stable": dict(symbol="o", size=13, brush=pg.mkBrush(ink), pen=pg.mkPen(th["background"], width=1.5)),
                 "saddle": dict(symbol="o", size=13, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(ink, width=2)),
                 "unknown": dict(symbol="s", size=10, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen(ink, width=1)),
                 "slow": dict(symbol="d", size=7, brush=pg.mkBrush(mix_colors(th["background"], ink, 0.7)),
                              pen=None)}
        for kind, mask in kinds.items():
            self.fp_items[kind].setData(*plane(pts[mask]), **style[kind])
            if mask.any():
                self.legend.addItem(self.fp_items[kind], {"stable": "stable fixed point", "saddle": "saddle",
                                                         "unknown": "fixed, stability not computed",
                                                         "slow": "slow point"}[kind])
        sad = kinds["saddle"]
        seg = np.stack([pts[sad] - arrow[sad], pts[sad] + arrow[sad]], axis=1).reshape(-1, pts.shape[1])
        self.saddle_dirs.setData(*plane(seg), pen=pg.mkPen(ink, width=2))
        self._fill_table(fx, layer)

    def _fill_table(self, fx, layer: int) -> None:
        fill_table(self.table, point_rows(fx, layer))

    # ---- the search ----------------------------------------------------------------------
    def _on_find_clicked(self) -> None:
        if self._requester is None or self.payload is None:
            return
        if self._searching:  # the button is Cancel while a search runs
            self._requester("fixed_points_cancel", on_done=self._on_progress, on_error=self._on_search_failed)
            return
        self._set_searching(True)
        self.progress.setValue(0)
        self.status.setText("starting the search…")
        self._requester("fixed_points", on_done=self._on_progress, on_error=self._on_search_failed,
                        x_const=self.x_combo.currentText(), period=self.period_spin.value(),
                        **self.settings.values())

    def _set_searching(self, on: bool) -> None:
        self._searching = on
        self.find_button.setText("Cancel search" if on else "Find fixed points")
        self.settings.setEnabled(not on)

    def _on_progress(self, status: dict) -> None:
        self.progress.setValue(int(100 * status["fraction"]))
        self.status.setText(status["text"])
        if status["state"] == "running" and self._requester is not None:
            if self._searching:
                QTimer.singleShot(NEXT_SLICE_MS, self._next_slice)
        else:
            ended_here = self._searching and status["state"] == "done"
            self._set_searching(False)
            if ended_here and self._requester is not None:  # one snapshot brings the points found
                self._requester("fixed_points_step", on_done=lambda _status: None, on_error=self._on_search_failed)

    def _next_slice(self) -> None:
        if self._searching:  # no snapshot per slice (the window would redraw every panel for a progress bar)
            self._requester("fixed_points_step", on_done=self._on_progress, on_error=self._on_search_failed,
                            refresh=False)

    def _on_search_failed(self, message: str) -> None:
        self._set_searching(False)
        self.progress.setValue(0)
        self.status.setText(message)

    # ---- export --------------------------------------------------------------------------
    def data_table(self):
        p = self.payload
        header = ["series", "t", "PC1", "PC2", "PC3", "label or kind", "q", "top |lambda|"]
        if p is None:
            return header, []
        layer, d = self.selectors.selection()
        proj = p["proj"][layer, d]
        k = proj.shape[-1]
        fitted = f"axes fitted at step {int(p['fitted_at'][layer, d])}" if "fitted_at" in p else ""
        rows = [["explained variance of the states shown (fraction)", "", *[float(v) for v in p["ratio"][layer, d]],
                 *[""] * (3 - k), fitted, "", ""]]
        for b in range(proj.shape[0]):
            label = "" if p["labels"] is None else (p["label_names"][int(p["labels"][b])] if p["label_names"]
                                                      else f"{p['labels'][b]:.4g}")
            for t in range(proj.shape[1]):
                rows.append([f"example {b + 1}", t + 1, *[float(proj[b, t, i]) for i in range(k)],
                             *[""] * (3 - k), label, "", ""])
        ex = p["example"][layer, d]
        for t in range(len(ex)):
            rows.append(["displayed example", t + 1, *[float(v) for v in ex[t]], *[""] * (3 - k), "", "", ""])
        fx = p["fixed"]
        if fx is not None and d == 0 and layer < len(fx["layers"]):
            pts = fx["layers"][layer]["points"]
            for i, row in enumerate(point_rows(fx, layer)):
                rows.append([f"point {i + 1}", "", *[float(v) for v in pts[i]], *[""] * (3 - k), row[1],
                             row[2], row[3]])
        return header, rows

    def extra_files(self, stem: str) -> dict[str, bytes]:
        """Files besides PNG/SVG/CSV: the last search's points as full vectors (CSV + npz)."""
        return fixed_point_files(stem, None if self.payload is None else self.payload["fixed"])

    def export_item(self):
        return self.plot.getPlotItem()
