"""RNN Lab from a script or a Jupyter notebook: the engine without the window.

    import rnnlab
    lab = rnnlab.Lab(task="adding", cell="lstm", hidden=32)
    lab.train(600)                     # the last step's loss and metric
    tr = lab.trace()                   # numpy arrays: tr.hidden (L, D, T, H), tr.gates, tr.grad_norm, ...
    fp = lab.fixed_points()            # slow points of the hidden dynamics (engine.analysis.fixed_points)
    lab.attribution().scores           # how much each input position moved the output
    lab.pattern_search(2, 4)           # windows of the whole data set with the same active units (LSTMVis)
    lab.figure("hiddenHeatmap")        # a figure Jupyter shows (PNG / SVG), drawn by the app's export code
    lab.save("run.rnnlab"); lab.export_model("my_model")
    rnnlab.Lab.open("run.rnnlab"); rnnlab.Lab.from_model("my_model")

Importing this module imports neither Qt nor the window: ``figure`` loads Qt (offscreen) on first use.
Every bad value is a ValueError with one line naming it.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

__all__ = ["Lab", "Figure", "panels", "tasks"]

MODEL_ARGS = {"cell": "cell", "hidden": "hidden_size", "layers": "num_layers", "bidirectional": "bidirectional",
              "merge": "merge", "embedding_dim": "embedding_dim", "init": "init", "h0": "h0"}
TRAIN_ARGS = {"lr": "lr", "batch_size": "batch_size", "seed": "seed", "optimizer": "optimizer"}


def tasks() -> list[str]:
    """The built-in task names (Lab(data=FILE) trains on your own .txt or .csv)."""
    from engine.tasks import list_tasks

    return list_tasks()


def panels() -> list[str]:
    """The names ``Lab.figure`` draws: every panel of the window."""
    from app.panels.registry import PANELS

    return [spec.name for spec in PANELS]


class Lab:
    """One model on one task: train it, look inside it, draw it, save it."""

    def __init__(self, task: str | None = "adding", *, data=None, fold_case: bool = False, clip=None,
                 _session=None, **settings):
        if _session is not None:
            self.session = _session
            return
        import torch

        from engine.lab.config import LabConfig
        from engine.lab.session import LabSession

        torch.set_num_threads(1)
        unknown = sorted(set(settings) - set(MODEL_ARGS) - set(TRAIN_ARGS) - {"seq_len"})
        if unknown:
            raise ValueError(f"Lab() has no setting {', '.join(unknown)}; model: {', '.join(MODEL_ARGS)}; "
                             f"training: {', '.join(TRAIN_ARGS)}, clip; task: seq_len")
        if data is not None:
            from engine.tasks.data.data_files import open_data
            from engine.tasks.data.data_tasks import task_for

            name, params = task_for(open_data(data))
            if fold_case:
                params["fold_case"] = 1
        else:
            name, params = task, {}
        seq_len = settings.pop("seq_len", None)
        if seq_len is not None:
            params["seq_len"] = seq_len
        cfg = LabConfig.for_task(name, **params)
        model = {MODEL_ARGS[k]: v for k, v in settings.items() if k in MODEL_ARGS and v is not None}
        train = {TRAIN_ARGS[k]: v for k, v in settings.items() if k in TRAIN_ARGS and v is not None}
        if clip is not None:  # False: no clipping; a number: clip the gradient norm at it
            train.update(clip=False) if clip is False else train.update(clip=True, max_norm=float(clip))
        cfg = replace(cfg, model=replace(cfg.model, **model), train=replace(cfg.train, **train))
        self.session = LabSession(cfg)

    # ---- other ways in ------------------------------------------------------------------
    @classmethod
    def open(cls, path) -> Lab:
        """A saved session (.rnnlab, from the window, the command line or ``save``)."""
        from engine.lab.session import LabSession

        return cls(_session=LabSession.load(path))

    @classmethod
    def from_model(cls, folder, data=None) -> Lab:
        """A model folder (model.json + model.pt): exported by RNN Lab or written with plain PyTorch."""
        from engine.lab.session import LabSession

        return cls(_session=LabSession.from_model(folder, data))

    # ---- what it is ---------------------------------------------------------------------
    @property
    def model(self):
        """The torch.nn.Module (engine.network.model.SequenceModel)."""
        return self.session.model

    @property
    def config(self) -> dict:
        return self.session.config.to_dict()

    @property
    def step(self) -> int:
        return self.session.trainer.step_count

    def __repr__(self) -> str:
        m = self.session.config.model
        return (f"<rnnlab.Lab {self.session.task.title}: {m.cell}, H={m.hidden_size}, {m.num_layers} layer(s)"
                f"{', bidirectional' if m.bidirectional else ''}; step {self.step}>")

    # ---- training -----------------------------------------------------------------------
    def train(self, steps: int) -> dict:
        """Train ``steps`` batches; returns the last step's {"step", "loss", "metric", "diverged"}."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be a whole number >= 0; got {steps!r}")
        stats = None
        for _ in range(steps):
            stats = self.session.step()
        if stats is None:
            return {"step": self.step, "loss": float("nan"), "metric": float("nan"), "diverged": False}
        return {"step": stats.step, "loss": stats.loss, "metric": stats.metric, "diverged": stats.diverged}

    def history(self) -> dict:
        """Training curves as numpy arrays: step, loss, metric, grad_norm, ... (one entry per step)."""
        return self.session.trainer.history.arrays()

    # ---- looking inside -----------------------------------------------------------------
    def example(self, text: str | None = None):
        """Show a typed sequence (text), or a new random example (None); returns its input labels."""
        if text is None:
            self.session.new_example()
        else:
            self.session.set_typed(text)
        return self.trace().tokens

    def trace(self):
        """Everything about the displayed example (engine.network.trace.Trace: numpy arrays): hidden (L, D, T, H),
        cell, gates {name: (L, D, T, H)}, encoded (T, F), attention, outputs, grad_norm (L, D, T), tokens, ..."""
        return self.session.probe()

    def fixed_points(self, x_const=None, period: int = 1, **settings) -> dict:
        """Search the fixed (or slow) points of h -> F(h, x*) and wait for the result: {"points", ...}.
        ``settings``: n_starts, budget_s, q_tol, slow_tol, iterate_steps (as the State space panel's Find)."""
        status = self.session.request_fixed_points(x_const, period, **settings)
        while status["state"] == "running":
            status = self.session.request_fixed_points_step()
        if status["state"] != "done":
            raise ValueError(status.get("text", "the fixed-point search did not finish"))
        return self.session.analyses.hidden.fp_result

    def pattern_search(self, start: int, end: int, threshold: float = 0.3, whole_data_set: bool = True) -> dict:
        """LSTMVis: windows whose active units match steps start..end (1-based) of the displayed example, in every
        sequence of the task's data set (or the 32 reference examples): {"units", "matches", "searched", ...}."""
        if not whole_data_set:
            return self.session.request_pattern_search(start - 1, end - 1, threshold)
        status = self.session.request_pattern_search_all(t0=start - 1, t1=end - 1, threshold=threshold)
        while status["state"] == "running":
            status = self.session.request_pattern_search_all_step()
        return status["result"]

    def attribution(self, method: str = "integrated_gradients", baseline=None, position: int | None = None):
        """Which input positions moved the output (engine.analysis.attribution.Attribution: .scores (T,), ...).

        ``baseline``: None for the task's neutral token where it declares one (else zero), "zero", or a token."""
        from engine.analysis.attribution import attribution, resolve_baseline

        inputs, targets = self.session.example
        base, _ = resolve_baseline(self.session.task, baseline)
        return attribution(self.session.shown_model(), inputs, targets, method, baseline=base, position=position)

    def units(self, tracks=None, columns: list[str] | None = None) -> dict:
        """The unit explorer's ranking: {"features", "kinds", "corr" (F, K, L, D, H) Pearson r of each unit with
        each feature over the reference examples, ...}. ``tracks``: a CSV of annotation tracks for the data file
        (one row per token; ``columns`` to pick some), ranked as features "track: NAME"."""
        if tracks is not None:
            self.session.request_annotations(str(tracks), columns)
        return self.session.analyses.hidden.units(self.session, self.session.probe())

    def figure(self, panel: str = "hiddenHeatmap", time: int | None = None, light: bool = True,
               scale: float = 2.0) -> Figure:
        """One panel of the window drawn offscreen by the app's own export code (PNG, SVG, CSV); ``time``: the
        step the time cursor marks (default the last)."""
        from app.panels.registry import SPECS

        if panel not in SPECS:
            raise ValueError(f"no panel {panel!r}; choose from {', '.join(SPECS)}")
        return _draw(panel, self.session.request_full_snapshot(), time, light, scale)

    # ---- files --------------------------------------------------------------------------
    def save(self, path) -> Path:
        """The whole session (model, optimizer, history) as a .rnnlab file the window opens."""
        self.session.save(path)
        return Path(path)

    def export_model(self, folder) -> list[Path]:
        """The model as a folder for your own code: model.pt, model.json, load_model.py, README.md."""
        return [Path(p) for p in self.session.request_export_model(str(folder))]


class Figure:
    """A drawn panel: shows itself in Jupyter; ``save(path)`` writes .png, .svg or .csv by the suffix."""

    def __init__(self, name: str, files: dict[str, bytes]):
        self.name = name
        self.png = files[f"{name}.png"]
        self.svg = files[f"{name}.svg"].decode("utf-8")
        self.csv = files.get(f"{name}.csv", b"").decode("utf-8")

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path) -> Path:
        path = Path(path)
        data = {".png": self.png, ".svg": self.svg.encode("utf-8"), ".csv": self.csv.encode("utf-8")}.get(
            path.suffix.lower())
        if data is None:
            raise ValueError(f"save as .png, .svg or .csv; got {path.name}")
        path.write_bytes(data)
        return path

    def __repr__(self) -> str:
        return f"<rnnlab.Figure {self.name}: PNG {len(self.png):,} bytes, SVG, CSV {len(self.csv.splitlines())} rows>"


def _draw(name: str, snap, time, light: bool, scale: float) -> Figure:
    """Build the panel offscreen, hand it the snapshot, render it with app.export.figures.panel_files."""
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from app.export.figures import panel_files
    from app.panels.feed import apply_snapshot
    from app.panels.registry import SPECS
    from app.window.theme import apply_dark_theme, quiet_platform_messages

    if QApplication.instance() is None:
        quiet_platform_messages()
        Figure.qt_app = QApplication([])  # kept: a QApplication must outlive every widget
        apply_dark_theme(Figure.qt_app)
    panel = SPECS[name].cls()
    try:
        panel.resize(900, 520)
        panel.show()
        QApplication.processEvents()
        apply_snapshot({name: panel}, snap, snap.trace.hidden.shape[2] - 1 if time is None else time)
        QApplication.processEvents()
        return Figure(name, panel_files(name, panel, light, scale))
    finally:
        panel.close()
        panel.deleteLater()
        QApplication.processEvents()
