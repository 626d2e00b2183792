"""UnitExplorerPanel: which hidden units mean something (Karpathy, Johnson & Fei-Fei 2015).

Draws the ``units`` payload of engine.analysis.hidden_live (numpy only):
  features [F names], kinds ["h"] or ["h", "c"], corr (F, K, L, D, H) Pearson r of each unit with each
  feature over the reference batch; values (K, L, D, n, T, H) the units on n shown examples, texts
  [n][T] their input tokens, feature_values (F, n, T)
Left: the units ranked by |r| with the chosen feature (bars, sign by colour); click a bar to pick a
unit. Right: the shown examples' text coloured by the picked unit (blue negative, red positive: the
"quote cell" picture) and the unit's trace against the feature on the first example.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from widgets.hidden.track_loader import TrackLoader
from widgets.parts.base import SERIES_COLORS, Panel, apply_palette, diverging_cmap, lut_index, set_combo_items
from widgets.parts.empty_state import EmptyState
from widgets.parts.finite import finite_span
from widgets.parts.panel_parts import SelectorRow, add_legend
from widgets.parts.plot_items import apply_plot_theme, count_from_one

TOP = 16  # units in the ranking
TRACK_PREFIX = "track: "  # the engine's name of a feature that is an annotation track
KIND_NAMES = {"h": "h (state)", "c": "c (LSTM memory)"}
LEVELS = {"h": 1.0, "c": 2.0}  # colour scale of the text: +-1 for h, +-2 for c


class UnitExplorerPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("unitExplorerPanel", parent)
        self.payload: dict | None = None
        self.unit = 0
        self._pending: int | None = None  # a unit picked before the data arrived
        top = QHBoxLayout()
        top.setSpacing(4)
        self.selectors = SelectorRow("units")
        self.selectors.changed.connect(self._on_selection_changed)
        top.addWidget(self.selectors)
        self.kind_combo = QComboBox(objectName="unitKindCombo")
        self.kind_combo.setToolTip("Rank the hidden state h_t, or the LSTM memory c_t (a counter often "
                                   "lives in c: h = o·tanh(c) squashes it).")
        self.kind_combo.currentIndexChanged.connect(self._on_selection_changed)
        top.addWidget(self.kind_combo)
        self.feature_combo = QComboBox(objectName="unitFeatureCombo")
        self.feature_combo.setToolTip("What the units are ranked against: a quantity computed from the input alone "
                                      "(position, depth, parity …), a tagged CSV's tag ('tag = PER': 1 where the "
                                      "file tags the token PER, the answer rather than the input) or an "
                                      "annotation track you loaded with Tracks… ('track: NAME').")
        self.feature_combo.currentIndexChanged.connect(self._on_selection_changed)
        top.addWidget(self.feature_combo, 1)
        top.addWidget(QLabel("unit"))
        self.unit_spin = QSpinBox(objectName="unitSpin")
        self.unit_spin.setRange(0, 0)
        self.unit_spin.setToolTip("The unit whose value colours the text (or click a bar, or a cell of the "
                                  "hidden-state heatmap). Numbered from 0 like the heatmap's rows.")
        self.unit_spin.valueChanged.connect(self._on_unit_changed)
        top.addWidget(self.unit_spin)
        self._layout.addLayout(top)
        self.tracks = TrackLoader(self._on_tracks_loaded)
        self._layout.addWidget(self.tracks)
        self._want_feature: str | None = None  # select the first feature with this prefix when it arrives

        split = QSplitter()
        self.figure = split  # what an export renders: plots and text, none of the controls above
        self.rank_plot = pg.PlotWidget(objectName="unitRankingPlot")
        self.rank_plot.setMinimumSize(150, 150)
        rp = self.rank_plot.getPlotItem()
        rp.setMenuEnabled(False)
        rp.hideButtons()
        rp.setMouseEnabled(x=False, y=False)
        rp.setLabel("bottom", "|r| with the feature")  # (short: a narrow plot's labels must not widen it)
        self.rank_plot.setToolTip("Units by |correlation r| with the chosen feature over the reference examples; "
                                  "blue bars: positive r, orange: negative r. Click a bar to pick the unit.")
        rp.invertY(True)
        rp.setXRange(0, 1, padding=0.02)
        self.bars = pg.BarGraphItem(x0=[0], y=[0], height=0.7, width=[0])
        rp.addItem(self.bars)
        rp.scene().sigMouseClicked.connect(self._on_rank_clicked)
        split.addWidget(self.rank_plot)

        right = QWidget()
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser(objectName="unitTextView")
        self.text.setMinimumHeight(90)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setToolTip("Each input token's background is the unit's value right after reading it "
                             "(blue negative, white 0, red positive).")
        col.addWidget(self.text, 3)
        self.trace_plot = pg.PlotWidget(objectName="unitTracePlot")
        self.trace_plot.setMinimumHeight(90)
        tp = self.trace_plot.getPlotItem()
        tp.setMenuEnabled(False)
        tp.hideButtons()
        tp.setLabel("bottom", "t (example 1)")
        count_from_one(tp.getAxis("bottom"))
        self.unit_curve = tp.plot([], [])
        self.feature_curve = tp.plot([], [])
        self.trace_legend = add_legend(tp, offset=(2, 2), labelTextSize="7pt", verSpacing=-8)
        self.trace_legend.addItem(self.unit_curve, "unit")
        self.trace_legend.addItem(self.feature_curve, "feature (scaled to the unit's range)")
        col.addWidget(self.trace_plot, 2)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        self._layout.addWidget(split, 1)
        self._lut = [tuple(int(v) for v in rgb) for rgb in diverging_cmap().getLookupTable(nPts=256)[:, :3]]
        self.empty = EmptyState(self, "units ranked by how well they track a quantity of the input\nappear with the "
                                "first example", self.trace_plot, quiet=(self.rank_plot,), hide=(self.trace_legend,))
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_units(self, payload: dict | None) -> None:
        self.payload = payload
        self.empty.set_empty(payload is None)
        if payload is None:
            return
        names = [KIND_NAMES[k] for k in payload["kinds"]]
        if [self.kind_combo.itemText(i) for i in range(self.kind_combo.count())] != names:
            set_combo_items(self.kind_combo, names)
            best = np.abs(payload["corr"][0]).reshape(len(names), -1).max(1)  # (kinds,) for the first feature
            self.kind_combo.blockSignals(True)
            self.kind_combo.setCurrentIndex(int(np.argmax(best)))  # h, or the LSTM memory if a unit there is clearer
            self.kind_combo.blockSignals(False)
        if [self.feature_combo.itemText(i) for i in range(self.feature_combo.count())] != payload["features"]:
            set_combo_items(self.feature_combo, payload["features"])
        prefix = self._want_feature
        wanted = [i for i, f in enumerate(payload["features"]) if prefix and f.startswith(prefix)]
        if wanted:  # tracks just loaded: show the first
            self._want_feature = None
            self.feature_combo.blockSignals(True)
            self.feature_combo.setCurrentIndex(wanted[0])
            self.feature_combo.blockSignals(False)
            self._pending = int(self.ranking()[0][0])
        self.tracks.set_available(bool(payload.get("can_load_tracks")), payload.get("tracks_file"))
        L, D = payload["corr"].shape[2:4]
        self.selectors.update_shape(L, D)
        H = payload["corr"].shape[-1]
        if self.unit_spin.maximum() != H - 1:
            self.unit_spin.blockSignals(True)
            self.unit_spin.setRange(0, H - 1)
            self.unit_spin.setValue(int(self.ranking()[0][0]))  # a new model: start at its best unit
            self.unit = self.unit_spin.value()
            self.unit_spin.blockSignals(False)
        if self._pending is not None:
            self.select_unit(self._pending)
        self._draw()

    def set_requester(self, request) -> None:
        self.tracks.set_requester(request)
        if self.payload is not None:
            self.tracks.set_available(bool(self.payload.get("can_load_tracks")), self.payload.get("tracks_file"))

    def _on_tracks_loaded(self, result: dict) -> None:
        self._want_feature = TRACK_PREFIX  # the next payload carries them

    def select_unit(self, unit: int) -> None:
        """Show unit ``unit`` (0-based), e.g. from a click in the heatmap (kept until the data arrive)."""
        self._pending = int(unit)
        if self.payload is not None and 0 <= unit <= self.unit_spin.maximum():
            self._pending = None
            self.unit_spin.setValue(int(unit))

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        for plot in (self.rank_plot, self.trace_plot):
            apply_plot_theme(plot, self.theme)
        self.trace_legend.setLabelTextColor(self.theme["foreground"])
        self.unit_curve.setPen(pg.mkPen(SERIES_COLORS[0], width=2))
        self.feature_curve.setPen(pg.mkPen(self.theme["muted"], width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self._draw()

    # ---- what is selected ------------------------------------------------------------------
    def _selection(self):
        p = self.payload
        layer, d = self.selectors.selection()
        layer, d = min(layer, p["corr"].shape[2] - 1), min(d, p["corr"].shape[3] - 1)
        kind = min(max(self.kind_combo.currentIndex(), 0), len(p["kinds"]) - 1)
        feat = min(max(self.feature_combo.currentIndex(), 0), len(p["features"]) - 1)
        return kind, layer, d, feat

    def ranking(self) -> tuple[np.ndarray, np.ndarray]:
        """(units by decreasing |r|, r) for the current selection."""
        kind, layer, d, feat = self._selection()
        r = self.payload["corr"][feat, kind, layer, d]
        return np.argsort(-np.abs(r), kind="stable"), r

    def _on_selection_changed(self, *_args) -> None:
        if self.payload is not None:  # show the best unit for the new feature / layer / kind
            self.select_unit(int(self.ranking()[0][0]))
        self._draw()

    def _on_unit_changed(self, value: int) -> None:
        self.unit = value
        self._draw()

    def _on_rank_clicked(self, event) -> None:
        if self.payload is None:
            return
        pos = self.rank_plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        row = int(round(pos.y()))
        order, _ = self.ranking()
        if 0 <= row < min(TOP, len(order)):
            self.select_unit(int(order[row]))

    # ---- drawing -------------------------------------------------------------------------
    def _draw(self) -> None:
        if self.payload is None:
            return
        p = self.payload
        order, r = self.ranking()
        top = order[:TOP]
        colors = [SERIES_COLORS[0] if r[u] >= 0 else SERIES_COLORS[1] for u in top]
        widths = np.abs(r[top])
        pens = [pg.mkPen(self.theme["accent"], width=2) if u == self.unit else pg.mkPen(None) for u in top]
        self.bars.setOpts(x0=np.zeros(len(top)), y=np.arange(len(top)), width=widths, height=0.7,
                          brushes=[pg.mkBrush(c) for c in colors], pens=pens)
        kind_name = p["kinds"][self._selection()[0]]
        self.rank_plot.getPlotItem().getAxis("left").setTicks(
            [[(i, f"{kind_name}{u}") for i, u in enumerate(top)]])
        self.rank_plot.getPlotItem().setYRange(-0.6, max(len(top), 4) - 0.4, padding=0)
        self.rank_plot.getPlotItem().setTitle(f"top {kind_name}{top[0]}: r = {r[top[0]]:+.2f}", size="8pt")
        self._draw_text()
        self._draw_trace()

    def _unit_values(self) -> np.ndarray:
        kind, layer, d, _ = self._selection()
        H = self.payload["values"].shape[-1]
        return self.payload["values"][kind, layer, d, :, :, min(self.unit, H - 1)]  # (n, T)

    def _draw_text(self) -> None:
        p = self.payload
        values = self._unit_values()
        kind = p["kinds"][self._selection()[0]]
        lim = LEVELS[kind]
        idx = lut_index(values, -lim, lim)
        joiner = "" if all(len(tok) <= 1 or tok == "\u2423" for row in p["texts"] for tok in row) else " "
        lines = []
        for b, tokens in enumerate(p["texts"]):
            spans = []
            for t, tok in enumerate(tokens):
                red, green, blue = self._lut[idx[b, t]]
                shown = html.escape(" " if tok == "\u2423" else tok)
                spans.append(f'<span style="background-color: rgb({red},{green},{blue}); color: #111;" '
                             f'title="{values[b, t]:+.3f}">{shown}</span>')
            lines.append(f'<div style="font-family: monospace; font-size: 13pt; white-space: pre-wrap; '
                         f'margin-bottom: 4px;">'
                         f'{joiner.join(spans)}</div>')
        head = (f'<div style="color: {self.theme["muted"]};">{kind}{self.unit} on {len(p["texts"])} examples '
                f'(scale ±{lim:g})</div>')
        self.text.setHtml(head + "".join(lines))

    def _draw_trace(self) -> None:
        p = self.payload
        _, _, _, feat = self._selection()
        u = self._unit_values()[0]
        f = p["feature_values"][feat, 0].astype(np.float64)
        span = np.ptp(f)
        lo, hi = finite_span(u, (-1.0, 1.0))  # (a unit that overflowed is drawn where it is finite)
        scaled = (f - f.min()) / span * (hi - lo) + lo if span > 0 and hi > lo else np.full_like(f, (lo + hi) / 2)
        t = np.arange(len(u))
        self.unit_curve.setData(t, u)
        self.feature_curve.setData(t, scaled)

    # ---- export --------------------------------------------------------------------------
    def data_table(self):
        if self.payload is None:
            return ["unit"], []
        p = self.payload
        kind, layer, d, _ = self._selection()
        header = ["unit"] + [f"r with {name}" for name in p["features"]]
        corr = p["corr"][:, kind, layer, d]  # (F, H)
        rows = [[f"{p['kinds'][kind]}{u}"] + [float(corr[f, u]) for f in range(len(p["features"]))]
                for u in range(corr.shape[1])]
        return header, rows

    def extra_files(self, stem: str) -> dict[str, bytes]:
        """Every unit's h (and the LSTM's c) on the shown examples with the features they are ranked against
        (``stem_states.npz``); the ranking's r is over all the reference examples, of which these are the first
        (``ranked_over`` says how many, ``layout`` says so in words)."""
        p = self.payload
        if p is None:
            return {}
        import io

        buf = io.BytesIO()
        arrays = {kind: p["values"][k] for k, kind in enumerate(p["kinds"])}  # (L, D, n, T, H) each
        n = int(p["values"].shape[3])
        ranked = int(p.get("ranked_over", n))
        try:
            tokens = np.array([list(t) for t in p["texts"]], dtype=str)  # (n, T): one token per step
        except ValueError:  # examples of different lengths
            tokens = np.array([" ".join(map(str, t)) for t in p["texts"]])
        np.savez_compressed(buf, **arrays, features=np.array(p["features"]), feature_values=p["feature_values"],
                            corr=p["corr"], kinds=np.array(p["kinds"]), tokens=tokens, step=np.array(p["step"]),
                            ranked_over=np.array(ranked), layout=np.array(
                                "h/c: (layer, direction, example, t, unit); feature_values: (feature, example, t); "
                                "corr: (feature, kind, layer, direction, unit), Pearson r over all "
                                f"{ranked} reference examples, of which h, c, feature_values and tokens hold the "
                                f"first {n}"))
        return {f"{stem}_states.npz": buf.getvalue()}

    def export_item(self):
        """The ranking and the coloured text side by side, the unit's trace below (no controls)."""
        return [[self.figure]]
