"""FixedPointSettings: the fixed-point search's settings, a small form the state-space panel shows or hides.

``values()`` gives the keyword arguments of ``LabSession.request_fixed_points`` (besides x* and the
period, which sit next to the Find button): n_starts, budget_s, q_tol, slow_tol, iterate_steps.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

Q_TOLS = ("1e-8", "1e-10", "1e-12", "1e-14")
SLOW_TOLS = ("1e-2", "1e-3", "1e-4", "1e-5", "1e-6")

# the tooltip of the search's constant input x* (the state space panel's x* box)
X_TIP_TOKENS = ("The constant input x* held while searching: the task's 'no new information' input by default "
                "(a token that does not change the answer), any token, or no token at all (zero input).")
X_TIP_REAL = ("The constant input x* held while searching: the all-zero input, or type {n} numbers separated "
              "by commas (e.g. the value 0.5 with the marker off: 0.5, 0).")


class FixedPointSettings(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent, objectName="fixedPointSettings")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(2)
        self.starts = QSpinBox(objectName="fixedPointStartsSpin")
        self.starts.setRange(4, 1024)
        self.starts.setValue(64)
        self.starts.setToolTip("Starting states: half from the reference examples' states, a quarter of them "
                               "run forward under x*, a quarter spread 1.5-3x beyond the data.")
        form.addRow("starts", self.starts)
        self.budget = QDoubleSpinBox(objectName="fixedPointBudgetSpin")
        self.budget.setRange(0.5, 600.0)
        self.budget.setDecimals(1)
        self.budget.setValue(3.0)
        self.budget.setSuffix(" s")
        self.budget.setToolTip("Computing time for the whole search: states, optimisation, polish and "
                               "eigenvalues (pauses for training in between are not counted).")
        form.addRow("budget", self.budget)
        self.iterate = QSpinBox(objectName="fixedPointIterateSpin")
        self.iterate.setRange(0, 100_000)
        self.iterate.setValue(512)
        self.iterate.setToolTip("How many steps of x* the forward-iterated starts run: an attractor far from "
                                "the data (a slowly leaking memory) is reached this way.")
        form.addRow("run forward", self.iterate)
        self.q_tol = QComboBox(objectName="fixedPointQTolCombo")
        self.q_tol.addItems(Q_TOLS)
        self.q_tol.setCurrentText("1e-12")
        self.q_tol.setToolTip("A point with q = ½‖F(h) − h‖² below this is a fixed point.")
        form.addRow("fixed: q <", self.q_tol)
        self.slow_tol = QComboBox(objectName="fixedPointSlowTolCombo")
        self.slow_tol.addItems(SLOW_TOLS)
        self.slow_tol.setCurrentText("1e-4")
        self.slow_tol.setToolTip("A point with q below this (but above the fixed tolerance) is a slow point: "
                                 "the state barely moves there.")
        form.addRow("slow: q <", self.slow_tol)

    def values(self) -> dict:
        return {"n_starts": self.starts.value(), "budget_s": self.budget.value(),
                "iterate_steps": self.iterate.value(), "q_tol": float(self.q_tol.currentText()),
                "slow_tol": float(self.slow_tol.currentText())}
