"""PatternSearchPanel: LSTMVis select-and-match (Strobelt et al. 2016).

Choose a time range of the displayed example and a threshold: the units above it during the whole
range form a pattern; the engine (``request_pattern_search``) scores every window of the same
length in the reference examples by shared minus extra active units and returns the best ones,
listed here with their text (the window between ⟦ ⟧, a few tokens of context either side). With
"whole data set" the engine searches every sequence of the task's data set (every row of a CSV) in
slices (``pattern_search_all``/``_step``/``_cancel``), with a progress bar and Cancel.
"""
from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from widgets.parts.base import Panel, apply_palette
from widgets.parts.empty_state import EmptyState
from widgets.parts.panel_parts import SelectorRow

HEADER = ["rank", "example", "t", "score", "text"]
SCOPES = (("reference", "32 reference examples"), ("data set", "whole data set"))
SCOPE_TIP = ("Where to look: the 32 reference examples every hidden-state panel shows (at once), or every "
             "sequence of the task's data set (every row of your CSV, the whole text in windows, or a fixed "
             "sample of 2,048 for a built-in task), in the background with progress and Cancel.")


class PatternSearchPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("patternSearchPanel", parent)
        self._requester = None
        self.result: dict | None = None
        row = QHBoxLayout()
        row.setSpacing(4)
        self.selectors = SelectorRow("pattern")
        row.addWidget(self.selectors)
        row.addWidget(QLabel("steps"))
        self.start_spin = QSpinBox(objectName="patternStartSpin")
        self.end_spin = QSpinBox(objectName="patternEndSpin")
        for spin in (self.start_spin, self.end_spin):
            spin.setRange(1, 1)
            spin.setToolTip("The time range of the displayed example that makes the pattern (1-based).")
        row.addWidget(self.start_spin)
        row.addWidget(QLabel("to"))
        row.addWidget(self.end_spin)
        row.addWidget(QLabel("threshold"))
        self.threshold_spin = QDoubleSpinBox(objectName="patternThresholdSpin")
        self.threshold_spin.setRange(-1.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(0.3)
        self.threshold_spin.setToolTip("A unit is active when h_t is above this during the whole range.")
        row.addWidget(self.threshold_spin)
        row.addStretch(1)
        self._layout.addLayout(row)
        row = QHBoxLayout()  # where and go on a row of their own: the panel fits a projector's tab column
        row.setSpacing(4)
        self.scope_combo = QComboBox(objectName="patternScopeCombo")
        for key, text in SCOPES:
            self.scope_combo.addItem(text, key)
        self.scope_combo.setToolTip(SCOPE_TIP)
        row.addWidget(self.scope_combo)
        self.search_button = QPushButton("Find matches", objectName="patternSearchButton")
        self.search_button.clicked.connect(self._on_search_clicked)
        row.addWidget(self.search_button)
        row.addStretch(1)
        self._layout.addLayout(row)
        self.progress = QProgressBar(objectName="patternProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setVisible(False)
        self._layout.addWidget(self.progress)
        self._searching = False
        self.summary = QLabel("Pick a range of the displayed example (the time cursor sets its end) and press "
                              "Find matches.", objectName="patternSummary")
        self.summary.setWordWrap(True)
        self._layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(HEADER), objectName="patternTable")
        self.table.setHorizontalHeaderLabels(HEADER)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._layout.addWidget(self.table, 1)
        self.empty = EmptyState(self, "the windows of other examples whose active units match best\nappear here "
                                "after Find matches", self.table)
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_requester(self, request) -> None:
        self._requester = request

    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        T = trace.hidden.shape[2]
        self.selectors.update_shape(trace.hidden.shape[0], trace.hidden.shape[1])
        if self.start_spin.maximum() != T:
            for spin in (self.start_spin, self.end_spin):
                spin.setMaximum(T)
            if self.end_spin.value() == 1 and self.start_spin.value() == 1 and T >= 3:
                self.start_spin.setValue(max(1, T // 2 - 1))
                self.end_spin.setValue(T // 2 + 1)

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)

    # ---- the search ----------------------------------------------------------------------
    def _on_search_clicked(self) -> None:
        if self._requester is None or self.trace is None:
            return
        if self._searching:  # the button is Cancel while a data-set search runs
            self._requester("pattern_search_all_cancel", on_done=self._on_progress, on_error=self._on_failed,
                            refresh=False)
            return
        t0, t1 = self.start_spin.value() - 1, self.end_spin.value() - 1
        if t1 < t0:
            self.summary.setText("The range ends before it starts: make 'to' at least 'steps'.")
            return
        layer, d = self.selectors.selection()
        args = dict(t0=t0, t1=t1, threshold=self.threshold_spin.value(), layer=layer, direction=d)
        if self.scope_combo.currentData() == "data set":
            self._set_searching(True)
            self.summary.setText("Searching the whole data set…")
            self._requester("pattern_search_all", on_done=self._on_progress, on_error=self._on_failed,
                            refresh=False, **args)
            return
        self.search_button.setEnabled(False)
        self._requester("pattern_search", on_done=self.show_result, on_error=self._on_failed, refresh=False, **args)

    def _set_searching(self, on: bool) -> None:
        self._searching = on
        self.search_button.setText("Cancel search" if on else "Find matches")
        self.progress.setVisible(on)
        self.progress.setValue(0)
        self.scope_combo.setEnabled(not on)

    def _on_progress(self, status: dict) -> None:
        self.progress.setValue(int(100 * status["fraction"]))
        if status["state"] == "running" and self._searching and self._requester is not None:
            self.summary.setText(f"Searching the whole data set: {status['text']}…")
            self._requester("pattern_search_all_step", on_done=self._on_progress, on_error=self._on_failed,
                            refresh=False)
            return
        self._set_searching(False)
        if status["state"] == "done":
            self.show_result(status["result"])
        else:
            self.summary.setText(status["text"])

    def _on_failed(self, message: str) -> None:
        self._set_searching(False)
        self.search_button.setEnabled(True)
        self.summary.setText(message)

    def show_result(self, result: dict) -> None:
        self.search_button.setEnabled(True)
        self.empty.set_empty(False)
        self.result = result
        units = ", ".join(f"h{u}" for u in result["units"][:24]) + (" …" if len(result["units"]) > 24 else "")
        query = " ".join(result["query"])
        if not len(result["units"]):
            self.summary.setText(f"Steps {result['t0'] + 1}–{result['t1'] + 1} “{query}”: no unit is above "
                                 f"{result['threshold']:g} throughout, so there is nothing to match: lower the "
                                 "threshold or choose other steps.")
            self.table.setRowCount(0)
            return
        where = "in the 32 reference examples"
        if result.get("scope") == "data set":
            where = (f"in the whole data set, {result['searched']:,} of {result['total']:,} {result['unit']}s "
                     f"searched ({result['data_set']}; {result['windows']:,} windows; model of step "
                     f"{result['step']})")
        self.summary.setText(
            f"Steps {result['t0'] + 1}–{result['t1'] + 1} “{query}”: {len(result['units'])} units above "
            f"{result['threshold']:g} throughout: {units or 'none - lower the threshold'}. "
            f"Best {len(result['matches'])} windows of the {result['length']} steps {where} "
            f"(score = shared − extra active units):")
        rows = self._rows()
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(str(v)))

    def _rows(self) -> list[list]:
        if self.result is None:
            return []
        out = []
        for rank, m in enumerate(self.result["matches"], 1):
            name = m.get("label") or ("displayed" if m["example"] == 0 else f"reference {m['example']}")
            # ⟦ ⟧ mark the window: square brackets could be the data's own tokens (bracket-depth tagging)
            text = " ".join(m["before"]) + " ⟦" + " ".join(m["window"]) + "⟧ " + " ".join(m["after"])
            out.append([rank, name, m["start"] + 1, m["score"], text.strip()])
        return out

    # ---- export --------------------------------------------------------------------------
    def data_table(self):
        return HEADER, self._rows()

    def export_item(self):
        """The query and the matches as a document (no controls)."""
        import html

        doc = QTextDocument()
        cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                        for row in self._rows())
        head = "".join(f"<th align='left'>{h}</th>" for h in HEADER)
        doc.setHtml(f"<p>{html.escape(self.summary.text())}</p>"
                    f"<table cellspacing='0' cellpadding='3'><tr>{head}</tr>{cells}</table>")
        doc.setTextWidth(max(400, self.width()))
        return doc
