"""Panel: the common shape of every RNN Lab panel.

A panel draws numpy snapshots and knows no torch. The app controller calls:
  set_trace(trace)     a new probed example (engine.Trace duck type: numpy arrays, see its docstring)
  set_time(t)          move the shared time cursor (0-based input position)
  set_history(hist)    training history: dict of equal-length 1-D arrays, keys
                       step, loss, metric, grad_norm, grad_norm_clipped, clipped, skipped
  set_task_info(info)  dict from engine Task.info() (name, metric, baseline, pass_threshold, ...)
  set_theme(light)     light (white background, dark ink) for export, or the dark screen theme
Exports read:
  data_table()  -> (header: list[str], rows: list[list]) the numbers behind the picture, for CSV
  export_item() -> the QGraphicsItem/QGraphicsScene/QWidget that image exporters render
Plot items are built once; updates only call setData/setImage (pyqtgraph scrollingPlots.py).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.parts.layout_fence import LayoutFence

DARK = {"background": "#15171c", "foreground": "#d8dde6", "muted": "#8a93a3", "accent": "#ffcc44",
        "good": "#4cc38a", "bad": "#ef5b5b", "grid": 60}
LIGHT = {"background": "#ffffff", "foreground": "#1b1d22", "muted": "#5b6270", "accent": "#d9480f",
         "good": "#2b8a3e", "bad": "#c92a2a", "grid": 90}

# One colour per layer/direction/series, readable on both themes.
SERIES_COLORS = ("#4dabf7", "#ff922b", "#69db7c", "#f783ac", "#b197fc", "#ffd43b", "#63e6be", "#ff6b6b")


def diverging_cmap() -> pg.ColorMap:
    """256-entry blue-white-red map for tanh-range values in (-1, 1)."""
    return pg.colormap.get("CET-D1")  # colorcet diverging blue-white-red, 256 entries


def sequential_cmap() -> pg.ColorMap:
    """256-entry map for gate values in (0, 1)."""
    return pg.colormap.get("viridis")  # 256 entries


def brush_lut(cmap: pg.ColorMap, n: int = 256) -> list[QBrush]:
    """``n`` ready-made brushes along ``cmap``: colour a value by index instead of a mkBrush per item."""
    return [QBrush(QColor(int(r), int(g), int(b))) for r, g, b in cmap.getLookupTable(nPts=n)[:, :3]]


def lut_index(values: np.ndarray, lo: float, hi: float, n: int = 256) -> np.ndarray:
    """Values in (lo, hi) -> integer indices 0..n-1 into a lookup table (NaN -> 0).

    Clipped before scaling: a diverging model's huge states would overflow the multiplication."""
    v = np.asarray(np.fmin(np.fmax(np.asarray(values, dtype=np.float64), lo), hi))  # (fmax takes lo over NaN)
    v -= lo
    v /= hi - lo
    v *= n - 1
    return np.rint(v, out=v).astype(np.intp)


class Panel(QWidget):
    """Base class: a titled panel with the controller-facing methods as no-ops."""

    # a hovered number's sources (widgets.explain.states: ("h", layer, d, position, unit), ...); [] on leave
    sources_hovered = Signal(object)

    def __init__(self, object_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.theme = DARK
        self.trace = None
        self.time = 0
        self.empty_states = []  # widgets.parts.empty_state.EmptyState: what it says before its data
        self.body = QWidget(self, objectName=f"{object_name}Body")  # what the panel shows, in a fence: new
        self._layout = QVBoxLayout(self.body)  # captions and figures at every snapshot lay out the panel,
        self._layout.setContentsMargins(2, 2, 2, 2)  # not the window (widgets.parts.layout_fence)
        self._layout.setSpacing(2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(LayoutFence(self.body))

    # ---- controller-facing API (override what applies) ---------------------------------
    def set_trace(self, trace) -> None:
        self.trace = trace

    def set_time(self, t: int) -> None:
        self.time = int(t)

    def set_history(self, history: dict) -> None:
        pass

    def set_task_info(self, info: dict) -> None:
        pass

    def set_theme(self, light: bool) -> None:
        self.theme = LIGHT if light else DARK
        for state in self.empty_states:
            state.set_color(self.theme["muted"], self.theme["background"])

    def empty_text(self) -> str:
        """What the panel says instead of its data ("" once it has data)."""
        return " · ".join(s.text for s in self.empty_states if s.shown())

    @classmethod
    def not_applicable_to(cls, trace) -> str:
        """Why a panel of this kind has nothing to show for this trace's model ("" if it applies): the
        message it then shows instead of data (a simple RNN's gates, a head that does not attend). The
        window reads it so that no such tab is left in front after a Lecture preset (app.panels.front_tabs)."""
        return ""

    def show_sources(self, sources) -> None:
        """Outline the values another panel's hovered number was computed from (panels that can)."""

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        return [], []

    def export_item(self):
        return self

    # ---- helpers -----------------------------------------------------------------------
    def clamp_time(self, t: int) -> int:
        if self.trace is None:
            return 0
        return max(0, min(int(t), self.trace.hidden.shape[2] - 1))  # (np.clip on a number costs 10x more)


def gates_reason(trace) -> str:
    """Panel.not_applicable_to of a gate panel: a simple RNN has no gates ("" for an LSTM or a GRU)."""
    return "a simple RNN has no gates" if trace is not None and not getattr(trace, "gates", None) else ""


def apply_palette(widget, theme: dict) -> None:
    """Colour a plain Qt widget and its children (labels, fields, buttons) for ``theme``."""
    ink, bg = QColor(theme["foreground"]), QColor(theme["background"])

    def toward_ink(t: float) -> QColor:
        return QColor.fromRgbF(*(bg.getRgbF()[i] * (1 - t) + ink.getRgbF()[i] * t for i in range(3)))

    pal = widget.palette()
    for role, color in ((QPalette.ColorRole.Window, bg), (QPalette.ColorRole.WindowText, ink),
                        (QPalette.ColorRole.Text, ink), (QPalette.ColorRole.ButtonText, ink),
                        (QPalette.ColorRole.Base, toward_ink(0.06)),
                        (QPalette.ColorRole.Button, toward_ink(0.14)),
                        (QPalette.ColorRole.PlaceholderText, QColor(theme["muted"]))):
        pal.setColor(role, color)
    widget.setPalette(pal)
    widget.setAutoFillBackground(True)


def mix_colors(a: str, b: str, t: float) -> QColor:
    """The colour a fraction ``t`` (0..1) of the way from colour ``a`` to colour ``b``."""
    ca, cb = QColor(a).getRgbF(), QColor(b).getRgbF()
    return QColor.fromRgbF(*(ca[i] * (1 - t) + cb[i] * t for i in range(3)))


def log_levels(values) -> np.ndarray:
    """Positive values (e.g. gradient norms) -> 0..1 on a log scale over the whole array; 0 stays 0.

    Non-finite values (a diverged example) map to 1 (inf) or 0 (nan) and do not set the scale.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.where(np.isposinf(v), 1.0, 0.0)
    pos = np.isfinite(v) & (v > 0)
    if pos.any():
        logs = np.log10(v[pos])
        lo, hi = logs.min(), logs.max()
        out[pos] = 1.0 if hi - lo < 1e-12 else (logs - lo) / (hi - lo)
    return out


def history_arrays(history: dict | None) -> dict[str, np.ndarray]:
    """A training history as float64 copies (the panel keeps them: the caller may reuse its arrays)."""
    return {k: np.array(v, dtype=np.float64) for k, v in (history or {}).items()}


def same_arrays(a: dict, b: dict) -> bool:
    """Do two dicts of arrays hold the same keys and values (NaN equal to NaN)?"""
    return a.keys() == b.keys() and all(
        np.shape(a[k]) == np.shape(b[k]) and np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def set_combo_items(combo, items: list[str]) -> None:
    """Replace a QComboBox's items without emitting signals, keeping the current index if it survives."""
    old = combo.currentIndex()
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(items)
    combo.setCurrentIndex(min(max(old, 0), len(items) - 1) if items else -1)
    combo.blockSignals(False)


def message_label(text: str, object_name: str = "") -> QLabel:
    """A wrapped, centred explanatory label (used where a panel has nothing to plot)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMargin(12)
    if object_name:
        label.setObjectName(object_name)
    return label
