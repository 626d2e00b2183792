"""ComparePanels: the panels of two to four compared runs side by side, and how runs are named and summed up
(titles, statistics, display labels, file stems)."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.compare.seed_summary import summaries, summary_line
from app.compare.speed import TIP as SPEED_TIP
from app.compare.speed import fact_text, run_facts, verdict
from app.export.caption import length_text
from app.panels.feed import apply_snapshot
from widgets.chrome.controls import CELL_ITEMS
from widgets.gates.gates_panel import GatesPanel
from widgets.network.hidden_heatmap import HiddenHeatmap
from widgets.parts.base import SERIES_COLORS
from widgets.training.compare_curves import CompareCurves
from widgets.training.compare_gradients import CompareGradients


class ComparePanels(QWidget):
    """The comparison figures; ``show_snapshot`` draws a CompareSnapshot, ``set_time`` moves every cursor."""

    def __init__(self, parent=None, display_names: bool = False):
        """display_names: legends and titles name the cells as the main window does (the window);
        otherwise by the runs' ids, as the headless export's files and CSV columns do."""
        super().__init__(parent)
        self.setObjectName("comparePanels")
        self.display_names = display_names
        self.curves = CompareCurves()
        self.gradients = CompareGradients()
        self.labels: list[str] = []  # legend names (as the main window names the cells)
        self.ids: list[str] = []  # the runs' labels (file stems, CSV)
        self.runs: list[dict] = []  # per run: title label, heatmap, gates
        self._task_key = None
        top = QSplitter(Qt.Horizontal, objectName="compareTopSplitter")
        top.addWidget(self.curves)
        top.addWidget(self.gradients)
        self.grid_holder = QWidget(objectName="compareRunsGrid")
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setRowStretch(1, 2)
        self.grid.setRowStretch(2, 3)
        split = QSplitter(Qt.Vertical, objectName="compareSplitter")
        split.addWidget(top)
        split.addWidget(self.grid_holder)
        split.setSizes([400, 600])  # the runs' heatmaps and gates get the larger share
        self.stats = QLabel("", objectName="compareRunStats", wordWrap=True)
        self.stats.setToolTip(SPEED_TIP)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stats)
        layout.addWidget(split)

    def _build_runs(self, labels) -> None:
        for run in self.runs:
            for key in ("title", "heatmap", "gates"):
                self.grid.removeWidget(run[key])
                run[key].deleteLater()
        self.ids, self.runs, self._task_key = list(labels), [], None
        self.labels = [display_label(label) if self.display_names else label for label in self.ids]
        for i, (label, run_id) in enumerate(zip(self.labels, self.ids, strict=True)):
            title = QLabel(label, objectName=f"compareRunTitle{i}")
            title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wrap, not widen
            title.setWordWrap(True)  # (four runs' titles with loss and metric are longer than a column at 1280)
            title.setStyleSheet(f"color: {SERIES_COLORS[i % len(SERIES_COLORS)]}; font-weight: bold;")
            heatmap, gates = HiddenHeatmap(), GatesPanel()
            heatmap.setObjectName(f"compareHeatmap{i}")
            gates.setObjectName(f"compareGates{i}")
            for row, w in enumerate((title, heatmap, gates)):
                self.grid.addWidget(w, row, i)
            self.grid.setColumnStretch(i, 1)
            self.runs.append({"title": title, "heatmap": heatmap, "gates": gates, "label": label, "id": run_id})

    def show_snapshot(self, snap, time: int) -> int:
        """Draw every run; returns the (clamped) time cursor."""
        if list(snap.labels) != self.ids:
            self._build_runs(snap.labels)
        names = [display_label(label) if self.display_names else label for label in snap.labels]
        first = snap.runs[0]
        key = (first.config["task"], tuple(sorted(first.config["task_params"].items())))
        task_changed, self._task_key = key != self._task_key, key
        if task_changed:
            self.curves.set_task_info(first.task_info)
        if snap.seed_histories:  # compare over seeds: each run's mean and band
            self.curves.set_seed_runs(names, snap.seed_histories, snap.seeds)
        else:
            self.curves.set_runs(names, [r.history for r in snap.runs])
        self.gradients.set_runs(names, [r.trace.grad_norm for r in snap.runs])
        self.stats.setText(run_stats(snap))
        for run, r, diverged in zip(self.runs, snap.runs, snap.diverged, strict=True):
            time = apply_snapshot({"heatmap": run["heatmap"], "gates": run["gates"]}, r, time, task_changed)
            run["title"].setText(run_title(run["label"], r, diverged))
            run["title"].setToolTip(run["title"].text())
        self.gradients.set_time(time)
        return time

    def set_time(self, t: int) -> None:
        for run in self.runs:
            run["heatmap"].set_time(t)
            run["gates"].set_time(t)
        self.gradients.set_time(t)

    def all_panels(self) -> list:
        return [self.curves, self.gradients] + [run[k] for run in self.runs for k in ("heatmap", "gates")]

    def export_panels(self) -> dict:
        """{file stem: panel} of every figure: the two overlays, then each run's heatmap."""
        panels = {"compare_curves": self.curves, "compare_gradients": self.gradients}
        for run in self.runs:
            panels[f"hidden_{file_stem(run['id'])}"] = run["heatmap"]
        return panels


def run_title(label: str, r, diverged: bool) -> str:
    """"lstm · loss 0.0123 · MSE 0.0123 · answer 1.02 (target 1.00)": one run's last step and example."""
    def num(v):
        return "–" if not math.isfinite(v) else f"{v:.4g}"
    p, t = r.trace.predictions, r.trace.targets
    answer = f" · answer {p[0]} (target {t[0]})" if len(p) == 1 and len(t) == 1 else ""
    return (f"{label} · loss {num(r.loss)} · {r.task_info.get('metric', 'metric')} {num(r.metric)}{answer}"
            + (" · DIVERGED" if diverged else ""))


def run_stats(snap) -> str:
    """"GRU: 3 weight blocks/layer, 4,480 recurrent parameters (4,658 in all), 8.1 ms/step, reached
    accuracy 0.95 at step 300 (≈ 2.4 s) · LSTM: ..." and which is ahead in each sense (app.compare.speed)."""
    facts = run_facts(snap)
    seeds = summaries(snap) if getattr(snap, "seed_histories", ()) else [None] * len(facts)
    metric = snap.runs[0].task_info.get("metric", "metric")
    parts = [f"<b style='color:{SERIES_COLORS[i % len(SERIES_COLORS)]}'>{f['label']}</b>: "
             + (f"{summary_line(s, metric)}; seed {snap.seeds[0]}: " if s else "") + fact_text(f)
             for i, (f, s) in enumerate(zip(facts, seeds, strict=True))]
    ahead = verdict(facts)
    where = f" (seed {snap.seeds[0]})" if getattr(snap, "seed_histories", ()) else ""
    return " · ".join(parts) + (f"<br><i>Measured here{where}: {ahead}.</i>" if ahead else "")


def display_label(label: str) -> str:
    """A run's legend name with the cells named as the main window's controls name them
    ("rnn_tanh · H=64" -> "Simple RNN (tanh) · H=64")."""
    names = dict(CELL_ITEMS)
    return " · ".join(names.get(part, part) for part in label.split(" · "))


def file_stem(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label).strip("_") or "run"


def export_caption(name: str, snap) -> str | None:
    """The caption of an exported overlay figure (compare_curves, compare_gradients): the runs, the task, the
    step and the seeds (the figure's title is its file name); None for the per-run figures (their own)."""
    if not name.startswith("compare_") or not snap.runs:
        return None
    first = snap.runs[0]
    seeds = list(getattr(snap, "seeds", ()) or ()) or [first.config["train"]["seed"]]
    trace = getattr(first, "trace", None)  # the gradients are of the first run's example; the curves of the task
    shown = int(trace.hidden.shape[2]) if name == "compare_gradients" and trace is not None else None
    seed_text = f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
    if name == "compare_gradients" and len(seeds) > 1:
        seed_text = f"seed {seeds[0]} (the first of {len(seeds)})"
    return (f"{' vs '.join(display_label(label) for label in snap.labels)} · "
            f"{first.task_info.get('title', first.config['task'])}"
            f"{length_text(first.config['task_params'], shown, first.config['task'])} · "
            f"after {snap.step} training steps · {seed_text}")
