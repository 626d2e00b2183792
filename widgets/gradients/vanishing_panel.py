"""VanishingPanel: why gradients vanish (or explode), from the recurrent weights themselves.

(a) The eigenvalues λ of the recurrent matrix (W_hh; the candidate block W_hn / W_hg for a GRU /
    LSTM, named in the caption) in the complex plane with the unit circle, one colour per layer
    and direction; the title gives the spectral radius ρ = max |λ|.
(b) ρ over training steps, with a dashed ρ = 1 line (inside: vanishing; outside: exploding).
(c) ||∂h_T/∂h_t|| (the Jacobian product's largest singular value) against the lag T − t for the
    displayed example, log y axis, one curve per layer and direction, with ρ^lag as a dotted guide.
Input: ``set_analysis(dict)`` as built by ``engine.analysis.analysis_dict`` (numpy only):
  {"eigenvalues": {"l0d0": complex (H,), ...}, "radius": float,
   "radius_history": {"step": (N,), "radius": (N,)}, "jacobian_norms": (L, D, T), "matrix_note": str}
"""
from __future__ import annotations

import html
import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from widgets.parts.base import SERIES_COLORS, Panel, apply_palette
from widgets.parts.empty_state import EmptyState
from widgets.parts.line_label_place import place_line_labels
from widgets.parts.panel_parts import FLOOR_MIN, series_name
from widgets.parts.plot_items import SparseAxis, apply_plot_theme, grid_axes, integer_ticks
from widgets.parts.view_ranges import settle_step_range

CAPTION = ("for a simple RNN ∂h<sub>T</sub>/∂h<sub>t</sub> = Π diag(g′(·)) W<sub>hh</sub>: a saturated "
           "tanh (g′ ≈ 0) makes it vanish whatever the eigenvalues λ of W<sub>hh</sub>; where g′ stays near 1, "
           "|λ| &lt; 1 shrinks it and |λ| &gt; 1 can blow it up")
MIN_DECADES = 2.5  # the lag plot's y axis spans at least this many decades
CIRCLE = np.exp(1j * np.linspace(0.0, 2.0 * np.pi, 181))  # the unit circle, closed


def parse_key(key: str) -> tuple[int, int]:
    """"l1d0" -> (1, 0)."""
    m = re.fullmatch(r"l(\d+)d(\d+)", key)
    if m is None:
        raise ValueError(f"eigenvalue key must look like l0d0; got {key!r}")
    return int(m.group(1)), int(m.group(2))


def lag_values(norms: np.ndarray) -> np.ndarray:
    """Norms for a log axis: zeros (underflow) sit one decade under the data; NaN/inf become gaps."""
    v = np.asarray(norms, dtype=np.float64)
    ok = np.isfinite(v) & (v > 0)
    floor = max(float(v[ok].min()) / 10.0, FLOOR_MIN) if ok.any() else 1.0
    return np.where(ok, v, np.where(v == 0, floor, np.nan))


def subscripts(text: str) -> str:
    """"W_hh" -> "W<sub>hh</sub>" (rich text) for every weight name in ``text``."""
    return re.sub(r"W_(\w+)", r"W<sub>\1</sub>", text)


def fmt_radius(rho) -> str:
    return f"{rho:.3g}" if rho is not None and math.isfinite(rho) else "not finite"


class VanishingPanel(Panel):
    EIG_TIP = ("Eigenvalues λ of the recurrent weight matrix in the complex plane. Backpropagation "
               "through time multiplies by this matrix once per step, so a direction with |λ| < 1 "
               "(inside the circle) shrinks geometrically and one with |λ| > 1 grows. The spectral "
               "radius ρ is the largest |λ|. Identity initialisation puts every λ at 1; orthogonal "
               "initialisation puts them all on the circle. Colours follow the legend under the plots, "
               "which also gives each layer's ρ; triangles are the backward direction (←).")
    RADIUS_TIP = "The spectral radius ρ of the recurrent matrix at every recorded training step."
    JAC_TIP = ("How much the last hidden state h_T of this example still depends on h_t: the "
               "largest singular value of the Jacobian product ∂h_T/∂h_t, against the lag T − t "
               "(for the backward direction ← the last state is at position 0). Dotted: ρ^lag for the "
               "largest ρ, what the weights alone would suggest; the squashing derivatives g′ ≤ 1 "
               "pull a simple RNN lower, gates change the picture for GRU and LSTM.")

    def __init__(self, parent=None):
        super().__init__("vanishingPanel", parent)
        self.analysis: dict | None = None
        self._rho_title = ""  # "ρ = 0.62" in the eigenvalue plot's title
        self._note = ""  # which matrix the eigenvalues are of (analysis["matrix_note"])
        self._keys: list[tuple[int, int]] = []
        self._radii: dict[tuple[int, int], float | None] = {}  # ρ per layer/direction, for the legend
        self.scatters: dict[tuple[int, int], pg.ScatterPlotItem] = {}
        self.curves: dict[tuple[int, int], pg.PlotDataItem] = {}
        self._horizontal: bool | None = None

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("vanishingPlots")
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.view.ci.layout.setSpacing(4)
        self._layout.addWidget(self.view)

        # (a) eigenvalues in the complex plane
        self.eig_plot = pg.PlotItem()
        self.eig_plot.setAspectLocked(True)
        self.eig_plot.setLabel("bottom", "Re λ")
        self.eig_plot.setLabel("left", "Im λ")
        self.circle = pg.PlotDataItem(CIRCLE.real, CIRCLE.imag)
        self.eig_plot.addItem(self.circle)
        self.eig_plot.setToolTip(self.EIG_TIP)

        # (b) spectral radius over training
        self.radius_plot = pg.PlotItem(axisItems={"bottom": SparseAxis("bottom")})  # (a narrow plot)
        self.radius_plot.setLabel("bottom", "training step")
        integer_ticks(self.radius_plot.getAxis("bottom"))  # steps are whole numbers
        self.radius_curve = pg.PlotDataItem(connect="finite")
        self.radius_plot.addItem(self.radius_curve)
        self.radius_curve.setDownsampling(auto=True, method="peak")
        self.radius_curve.setClipToView(True)
        self.radius_now = pg.ScatterPlotItem(size=7)
        self.radius_plot.addItem(self.radius_now)
        self.unit_line = pg.InfiniteLine(pos=1.0, angle=0, movable=False, label="ρ = 1",
                                         labelOpts={"position": 0.06, "anchors": [(0, 1), (0, 1)]})
        self.radius_plot.addItem(self.unit_line, ignoreBounds=True)
        self.unit_name = place_line_labels(self.radius_plot, (self.unit_line,))  # off the curve where it can
        self.radius_plot.getViewBox().disableAutoRange()
        self.radius_plot.setToolTip(self.RADIUS_TIP)

        # (c) ||dh_T/dh_t|| against the lag
        self.jac_plot = pg.PlotItem(axisItems=grid_axes("left"))
        self.jac_plot.setLogMode(x=False, y=True)
        self.jac_plot.setLabel("bottom", "lag T − t")
        integer_ticks(self.jac_plot.getAxis("bottom"))  # a lag is a whole number of steps
        self.guide = pg.PlotDataItem(connect="finite")
        self.jac_plot.addItem(self.guide)
        self.jac_plot.getViewBox().disableAutoRange()
        self.jac_plot.setToolTip(self.JAC_TIP)

        # legend and caption are labels under the plots: they wrap, and never cover data
        self.legend = QLabel("")
        self.legend.setObjectName("vanishingLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setContentsMargins(4, 0, 4, 0)
        self._layout.addWidget(self.legend)
        self.caption = QLabel(CAPTION)
        self.caption.setObjectName("vanishingCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setContentsMargins(4, 0, 4, 2)
        self._layout.addWidget(self.caption)
        self.eig_note = self._make_note(self.eig_plot)
        self.jac_note = self._make_note(self.jac_plot)
        self.eig_empty = EmptyState(self, "the eigenvalues λ of the recurrent matrix appear with the first model",
                                    self.eig_plot, hide=(self.circle,))
        self.jac_empty = EmptyState(self, "‖∂h_T/∂h_t‖ by lag appears with the first example", self.jac_plot)
        self.radius_empty = EmptyState(self, "ρ over training appears after the first step", self.radius_plot,
                                       hide=(self.unit_line,))
        self._arrange(horizontal=True)
        self.set_theme(False)
        self.set_analysis(None)

    # ---- layout ------------------------------------------------------------------------
    @staticmethod
    def _make_note(plot) -> pg.TextItem:
        note = pg.TextItem("", anchor=(0.5, 0.5))
        plot.addItem(note, ignoreBounds=True)
        return note

    def _arrange(self, horizontal: bool) -> None:
        """Three plots side by side when the panel is wide; eigenvalues and ρ over the lag plot when tall."""
        if horizontal == self._horizontal:
            return
        self._horizontal = horizontal
        ci = self.view.ci
        for item in (self.eig_plot, self.radius_plot, self.jac_plot):
            if item in ci.items:
                ci.removeItem(item)
        grid = ci.layout
        if horizontal:
            ci.addItem(self.eig_plot, row=0, col=0)
            ci.addItem(self.jac_plot, row=0, col=1)
            ci.addItem(self.radius_plot, row=0, col=2)
            stretch = ((1, 1.25, 1), (1, 0, 0))
        else:
            ci.addItem(self.eig_plot, row=0, col=0)
            ci.addItem(self.radius_plot, row=0, col=1)
            ci.addItem(self.jac_plot, row=1, col=0, colspan=2)
            stretch = ((1, 1, 0), (1, 1.25, 0))
        for i, s in enumerate(stretch[0]):
            grid.setColumnStretchFactor(i, int(4 * s))
            grid.setColumnPreferredWidth(i, 10)
        for i in range(3):
            grid.setRowStretchFactor(i, int(4 * stretch[1][i]))

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        size = event.size()
        self._arrange(size.width() >= 1.4 * size.height())

    # ---- controller-facing API ---------------------------------------------------------
    def set_analysis(self, analysis: dict | None) -> None:
        """Draw an ``engine.analysis.analysis_dict`` result; None or {} shows what is missing."""
        self.analysis = analysis or None
        a = self.analysis or {}
        eig = {parse_key(k): np.asarray(v, dtype=np.complex128).reshape(-1)
               for k, v in (a.get("eigenvalues") or {}).items()}
        norms = np.asarray(a.get("jacobian_norms", np.zeros((0, 0, 0))), dtype=np.float64)
        if norms.ndim != 3:
            norms = np.zeros((0, 0, 0))
        L, D, _ = norms.shape
        keys = sorted(set(eig) | {(layer, d) for layer in range(L) for d in range(D)})
        if keys != self._keys:
            self._rebuild(keys)
        self._draw_eigenvalues(eig, a.get("radius"))
        self._draw_norms(norms, a.get("radius"))
        hist = a.get("radius_history") or {}
        self._draw_history(np.asarray(hist.get("step", ()), dtype=np.float64).reshape(-1),
                           np.asarray(hist.get("radius", ()), dtype=np.float64).reshape(-1))
        self._note = str(a.get("matrix_note", ""))
        self._update_text()

    # ---- drawing -----------------------------------------------------------------------
    def _rebuild(self, keys) -> None:
        for item in self.scatters.values():
            self.eig_plot.removeItem(item)
        for item in self.curves.values():
            self.jac_plot.removeItem(item)
        self.scatters, self.curves, self._keys = {}, {}, list(keys)
        for i, (layer, d) in enumerate(self._keys):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            scatter = pg.ScatterPlotItem(size=7, symbol="t" if d else "o", pen=pg.mkPen(color),
                                         brush=pg.mkBrush(color + "b0"))
            self.eig_plot.addItem(scatter)
            self.scatters[(layer, d)] = scatter
            style = Qt.PenStyle.DashLine if d else Qt.PenStyle.SolidLine
            curve = pg.PlotDataItem(pen=pg.mkPen(color, width=2, style=style), connect="finite")
            self.jac_plot.addItem(curve)
            curve.setClipToView(True)
            self.curves[(layer, d)] = curve

    def _draw_eigenvalues(self, eig: dict, radius) -> None:
        finite = []
        for key, scatter in self.scatters.items():
            ev = eig.get(key, np.zeros(0, np.complex128))
            ok = np.isfinite(ev)
            scatter.setData(ev.real[ok], ev.imag[ok])
            finite.append(ev[ok])
            self._radii[key] = float(np.abs(ev).max()) if ev.size and ok.all() else None
        allv = np.concatenate(finite) if finite else np.zeros(0)
        r = max(1.15, 1.1 * float(np.abs(allv).max())) if allv.size else 1.15
        self.eig_plot.setRange(xRange=(-r, r), yRange=(-r, r), padding=0)
        missing = not eig
        diverged = bool(eig) and sum(len(v) for v in eig.values()) > allv.size
        self.eig_empty.set_empty(missing)
        self.eig_note.setText("weights not finite\n(diverged)" if diverged else "")
        self.eig_note.setPos(0, 0)
        self._rho_title = f"ρ = {fmt_radius(radius)}" if radius is not None else ""

    def _draw_norms(self, norms: np.ndarray, radius) -> None:
        L, D, T = norms.shape
        lags = np.arange(T, dtype=np.float64)
        drawn = []
        for (layer, d), curve in self.curves.items():
            if layer < L and d < D and T:
                y = lag_values(norms[layer, d])
                curve.setData(lags, y)
                drawn.append(y[np.isfinite(y)])
            else:
                curve.setData([], [])
        vals = np.concatenate(drawn) if drawn else np.zeros(0)
        have = vals.size > 0
        guide = np.zeros(0)
        if have and radius is not None and math.isfinite(radius) and radius > 0:
            with np.errstate(over="ignore", under="ignore"):
                guide = radius ** lags  # ρ^lag
            guide = np.where((guide > 0) & np.isfinite(guide), guide, np.nan)
        self.guide.setData(lags[:guide.size], guide)
        if have:
            self.jac_plot.setXRange(0, max(T - 1, 1), padding=0.02)
            lo, hi = np.log10(vals.min()), np.log10(max(vals.max(), 1.0))
            if np.isfinite(guide).any():  # show a rising guide up to 2 decades above the data
                hi = max(hi, min(float(np.log10(np.nanmax(guide))), hi + 2.0))
            lo = min(lo, hi - MIN_DECADES)  # a near-flat curve looks near-flat
            span = hi - lo
            self.jac_plot.setYRange(lo - 0.05 * span, hi + 0.08 * span, padding=0)
            self.jac_empty.set_empty(False)
            bad = ~np.isfinite(norms)
            self.jac_note.setText(f"{int(bad.sum())} norms not finite\n(diverged)" if bad.any() else "")
            self.jac_note.setPos(0.5 * max(T - 1, 1), lo + 0.3 * span)
        else:
            self.jac_plot.setXRange(0, 1, padding=0)
            self.jac_plot.setYRange(-3, 1, padding=0)
            self.jac_empty.set_empty(T == 0)
            self.jac_note.setText("" if T == 0 else "not finite (diverged)")
            self.jac_note.setPos(0.5, -1)

    def _draw_history(self, steps: np.ndarray, radii: np.ndarray) -> None:
        n = min(steps.size, radii.size)
        steps, radii = steps[:n], radii[:n]
        self.radius_curve.setData(steps, radii)
        ok = np.isfinite(steps) & np.isfinite(radii)
        if ok.any():
            last = np.flatnonzero(ok)[-1]
            self.radius_now.setData([steps[last]], [radii[last]])
            lo = min(float(radii[ok].min()), 1.0)
            hi = max(float(radii[ok].max()), 1.0)
            span = max(hi - lo, 0.1)
            self.radius_plot.setYRange(lo - 0.1 * span, hi + 0.15 * span, padding=0)
            settle_step_range(self.radius_plot, steps[ok])
            self.radius_empty.set_empty(False)
        else:
            self.radius_now.setData([], [])
            self.radius_plot.setRange(xRange=(0, 1), yRange=(0, 2), padding=0)
            self.radius_empty.set_empty(True)

    # ---- theme and text ----------------------------------------------------------------
    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        th = self.theme
        self.view.setBackground(th["background"])
        for plot in (self.eig_plot, self.radius_plot, self.jac_plot):
            apply_plot_theme(plot, th)
            plot.showGrid(x=True, y=True, alpha=th["grid"] / 255)
        apply_palette(self, th)
        self.circle.setPen(pg.mkPen(th["muted"], width=1.5, style=Qt.PenStyle.DashLine))
        self.guide.setPen(pg.mkPen(th["muted"], width=1.5, style=Qt.PenStyle.DotLine))
        self.radius_curve.setPen(pg.mkPen(SERIES_COLORS[0], width=2))
        self.radius_now.setPen(pg.mkPen(th["foreground"]))
        self.radius_now.setBrush(pg.mkBrush(SERIES_COLORS[0]))
        self.unit_line.setPen(pg.mkPen(th["bad"], width=1.5, style=Qt.PenStyle.DashLine))
        self.unit_line.label.setColor(th["bad"])
        self.unit_line.label.fill = pg.mkBrush(th["background"] + "d0")
        self.unit_line.label.update()
        for note in (self.eig_note, self.jac_note):
            note.setColor(th["muted"])
        self._update_text()

    def _update_text(self) -> None:
        ink = self.theme["foreground"]
        name = re.search(r"W_h\w", self._note)
        title = f"λ of {subscripts(name.group(0))}" if name else "eigenvalues λ"
        rho = self._rho_title
        self.eig_plot.setTitle(title + (f", {rho}" if rho else ""), color=ink, size="9pt")
        self.radius_plot.setTitle("ρ over training", color=ink, size="9pt")
        self.jac_plot.setTitle("‖∂h<sub>T</sub>/∂h<sub>t</sub>‖ by lag", color=ink, size="9pt")
        for plot in (self.eig_plot, self.radius_plot, self.jac_plot):
            plot.layout.setRowFixedHeight(0, 18)
        self.legend.setText(self._legend_html())
        note = subscripts(html.escape(self._note))
        self.caption.setText(f'<span style="color:{self.theme["muted"]}; font-size:8pt">'
                             + (f"{note}<br>" if note else "") + CAPTION + "</span>")

    def _legend_html(self) -> str:
        """Coloured entries: marker and line style of each layer/direction with its ρ, and the guide."""
        if not self._keys:
            return ""
        parts = []
        for i, key in enumerate(self._keys):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            mark = "▲ ╌╌" if key[1] else "● ━━"
            rho = self._radii.get(key)
            rho_text = f"{rho:.2f}" if rho is not None else "not finite"
            entry = f'<span style="color:{color}">{mark}</span> {series_name(*key)} ρ {rho_text}'
            parts.append(entry.replace(" ", "&nbsp;").replace("<span&nbsp;", "<span "))  # wrap between
        parts.append(f'<span style="color:{self.theme["muted"]}">┈┈&nbsp;ρ<sup>lag</sup></span>')
        return (f'<span style="color:{self.theme["foreground"]}; font-size:8pt">'
                + " &nbsp; ".join(parts) + "</span>")

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        """One row per lag: the lag and ||dh_T/dh_t|| of every layer/direction."""
        a = self.analysis or {}
        norms = np.asarray(a.get("jacobian_norms", np.zeros((0, 0, 0))), dtype=np.float64)
        if norms.ndim != 3:
            return ["lag"], []
        L, D, T = norms.shape
        header = ["lag"] + [f"norm {series_name(layer, d)}" for layer in range(L) for d in range(D)]
        rows = [[k] + [float(norms[layer, d, k]) for layer in range(L) for d in range(D)] for k in range(T)]
        return header, rows

    def export_item(self):
        """The whole panel: the plots and the caption naming the matrix."""
        return self
