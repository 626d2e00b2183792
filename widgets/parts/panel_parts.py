"""Plot parts several panels share: the layer/direction selector row, legends, log-axis helpers,
series names. Panels import them from here, never from a sibling panel."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from widgets.parts.base import set_combo_items
from widgets.parts.legend_place import add_legend, place_legend

FLOOR_MIN = 1e-30  # lowest value drawn on a log axis; exact zeros sit one decade under the data


def log_safe(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and non-finite entries become a floor below the smallest value."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v) & (v > 0)
    floor = max(float(v[ok].min()) / 10.0, FLOOR_MIN) if ok.any() else 1e-12
    return np.where(ok, v, floor)


def log_range(values: np.ndarray) -> tuple[float, float]:
    """log10 view range of positive values, with headroom at the top for the legend."""
    lo, hi = math.log10(float(np.min(values))), math.log10(float(np.max(values)))
    span = max(hi - lo, 0.5)
    return lo - 0.08 * span, hi + 0.4 * span


def series_name(layer: int, direction: int) -> str:
    """Legend name of one layer/direction: "layer 1 →" reads left to right, "layer 1 ←" backwards."""
    return f"layer {layer + 1} " + ("←" if direction else "→")


def make_legend(plot, columns: int = 2) -> pg.LegendItem:
    """A compact legend, entries side by side to leave the curves free, in the corner where it hides
    the least (top right unless the curves or a line's label are there: widgets.parts.legend_place)."""
    legend = add_legend(plot, offset=(-2, 2), labelTextSize="7pt", verSpacing=-10, horSpacing=2, colCount=columns)
    place_legend(plot, legend)
    return legend


DIRECTIONS = ("forward  h→", "backward h←")


class FittedCombo(QComboBox):
    """A combo box as wide as its longest item, also as its minimum: QComboBox keeps the minimum it computed
    at the first font (presentation mode's larger font then left it 70 px for 'layer 1' at 73 px, and a
    narrow stage squeezed the text to 'laye')."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self):  # noqa: N802 (Qt override)
        return self.sizeHint()


class CaptionBelow(QObject):
    """A word-wrapped caption in a row of controls goes under the row when the row leaves it less than
    MIN_EM average characters, and back beside the controls when there is room: squeezed to a few pixels on
    a narrow stage (a lesson beside the network while presenting) it wrapped one letter a line, a tall empty
    band that pushed the panel's plots into a corner."""

    MIN_EM = 12

    def __init__(self, panel: QWidget, row, caption, column):
        super().__init__(panel)
        self.panel, self.row, self.caption, self.column = panel, row, caption, column
        self.index = row.indexOf(caption)
        self.below = False
        panel.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.place()
        return False

    def room(self) -> int:
        """The width the row leaves the caption at the panel's width."""
        items = [self.row.itemAt(i) for i in range(self.row.count())]
        others = [it for it in items if it.widget() is not self.caption
                  and not (it.widget() is not None and it.widget().isHidden())]
        margins = self.column.contentsMargins()
        return (self.panel.width() - margins.left() - margins.right() - sum(it.sizeHint().width() for it in others)
                - self.row.spacing() * len(others))

    def place(self) -> None:
        below = self.room() < self.MIN_EM * self.caption.fontMetrics().averageCharWidth()
        if below == self.below:
            return
        self.below = below
        if below:
            self.row.removeWidget(self.caption)
            self.column.insertWidget(self.column.indexOf(self.row) + 1, self.caption)
        else:
            self.column.removeWidget(self.caption)
            self.row.insertWidget(self.index, self.caption, 1)


class SelectorRow(QWidget):
    """Layer and direction combos, named ``<prefix>LayerCombo`` and ``<prefix>DirectionCombo``."""

    changed = Signal()

    def __init__(self, prefix: str, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.layer_combo = FittedCombo(objectName=f"{prefix}LayerCombo")
        self.layer_combo.addItem("layer 1")
        self.layer_combo.setToolTip("Which stacked layer to show: layer 1 reads the inputs x_t, "
                                    "layer l+1 reads the states h_t of layer l.")
        self.direction_combo = FittedCombo(objectName=f"{prefix}DirectionCombo")
        self.direction_combo.addItems(DIRECTIONS)
        self.direction_combo.setEnabled(False)
        self.direction_combo.setToolTip("Bidirectional RNNs run two chains: forward h→_i reads x_1..x_i, "
                                        "backward h←_i reads x_n..x_i. Enabled for bidirectional models.")
        for combo in (self.layer_combo, self.direction_combo):
            row.addWidget(combo)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self.direction_combo.currentIndexChanged.connect(self._on_direction_changed)

    def update_shape(self, num_layers: int, num_directions: int) -> None:
        if self.layer_combo.count() != num_layers:
            set_combo_items(self.layer_combo, [f"layer {i + 1}" for i in range(num_layers)])
        self.direction_combo.setEnabled(num_directions == 2)
        if num_directions == 1 and self.direction_combo.currentIndex() != 0:
            self.direction_combo.blockSignals(True)
            self.direction_combo.setCurrentIndex(0)
            self.direction_combo.blockSignals(False)

    def selection(self) -> tuple[int, int]:
        return max(self.layer_combo.currentIndex(), 0), max(self.direction_combo.currentIndex(), 0)

    def _on_layer_changed(self, _index: int) -> None:
        self.changed.emit()

    def _on_direction_changed(self, _index: int) -> None:
        self.changed.emit()


def token_at(trace, t: int) -> str:
    return trace.tokens[t] if t < len(trace.tokens) else ""
