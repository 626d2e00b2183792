"""The model-folder requests of a LabSession (engine.model_io): open a folder in place of the running model,
write the running model as a folder, and a session that starts from a folder (--model DIR, the notebook API).
A mixin, so that engine.lab.session stays small; it imports nothing of it.
"""
from __future__ import annotations

from dataclasses import replace

from engine.lab.config import LabConfig, data_task_view
from engine.training.trainer import Trainer


class ModelFolderRequests:
    """Mixed into LabSession: uses its config, task, model, trainer, analyses, timeline and example."""

    def adopt_model(self, cfg: LabConfig, task, model) -> None:
        """Run ``model`` (built for ``cfg`` on ``task``: an opened model folder) from step 0, with a new
        trainer whose Reset returns to these weights."""
        self.config, self.task, self.model = cfg, task, model
        self.trainer = Trainer(model, task, cfg.train)
        self.typed_text, self.state = None, "paused"
        self._refresh_example()
        self.analyses.reset()
        self.timeline.present()

    @classmethod
    def from_model(cls, path, data=None, fold_case: bool = False, train_changes: dict | None = None):
        """A session on the model folder ``path`` (on the data file ``data`` if given), with ``train_changes``
        ({TrainConfig field: value}) over its training settings. ModelFolderError (one line) when refused."""
        from engine.model_io.reader import read_model_folder

        imported = read_model_folder(path, data, fold_case)
        cfg = replace(imported.config, train=replace(imported.config.train, **(train_changes or {})))
        self = cls(cfg)
        self.adopt_model(cfg, imported.task, imported.model)
        self.imported_steps = (imported.model, steps_before(imported))
        return self

    def request_open_model(self, path: str, data: str | None = None, fold_case: bool = False) -> dict:
        """Switch to the model folder ``path``; a refused folder (ModelFolderError, one line) changes
        nothing. Returns {"config", "summary", "data_view": what the window shows of a data-file task}."""
        from engine.model_io.reader import read_model_folder, summary

        imported = read_model_folder(path, data, fold_case)
        self.adopt_model(imported.config, imported.task, imported.model)
        self.imported_steps = (imported.model, steps_before(imported))
        view = data_task_view(self.config, self.task) if hasattr(self.task, "data_info") else None
        return {"config": self.config.to_dict(), "summary": summary(imported), "data_view": view}

    def request_export_model(self, path: str) -> list[str]:
        """Write the model as it is now (model.pt, model.json, load_model.py, README.md) into ``path``."""
        from engine.model_io.writer import export_model

        model, before = getattr(self, "imported_steps", (None, 0))
        before = before if model is self.model else 0  # steps the opened folder says it had, while it is that model
        return [str(p) for p in export_model(path, self.model, self.task, self.config.train,
                                             before + self.trainer.step_count, before)]


def steps_before(imported) -> int:
    """The steps an opened model folder says it was trained (model.json's steps_trained; 0 when absent or bad)."""
    steps = imported.spec.raw.get("steps_trained")
    return steps if isinstance(steps, int) and not isinstance(steps, bool) and steps >= 0 else 0
