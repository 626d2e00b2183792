"""The classic-results requests of a LabSession: list the results, run one in the background (a thread of
the engine process, ``engine.reproductions.job``), report its progress, cancel it, and when it is done
make its trained model the session's (the window then explores it). A mixin, so that engine.lab.session
stays small; it imports nothing of it.
"""
from __future__ import annotations

from engine.lab.config import LabConfig


class ReproductionRequests:
    """Mixed into LabSession: uses its config, task, model, trainer, analyses, timeline and example."""

    _job = None  # the running ReproductionJob, if any

    def adopt(self, trainer, cfg: LabConfig) -> None:
        """Show a model trained elsewhere (a reproduction): its trainer, history and weights become the
        session's; Reset goes back to its initial weights."""
        self.config = cfg
        self.task, self.model, self.trainer = trainer.task, trainer.model, trainer
        self.typed_text = None
        self.state = "paused"
        self._refresh_example()
        self.analyses.reset()
        self.timeline.present()

    def request_results_catalog(self) -> list:
        from engine.reproductions import catalog

        return catalog()

    def request_reproduce(self, name: str, seed: int = 0, quick: bool = False) -> dict:
        """Start reproducing result ``name`` in the background; returns its status."""
        from engine.reproductions.job import ReproductionJob

        job = self._job
        if job is not None and job.running:
            raise ValueError(f"a reproduction ({job.name}) is still running; cancel it first")
        self._job = ReproductionJob(name, int(seed), bool(quick))
        return self._job.status()

    def request_reproduce_status(self) -> dict:
        """{"state": running | done | cancelled | failed | idle, "fraction", "text", "name"}; when done,
        also "outcome" (engine.reproductions.Outcome without its trainer) and "config", and the kept
        model is now the session's."""
        job = self._job
        if job is None:
            return {"state": "idle", "fraction": 0.0, "text": "", "name": ""}
        status = job.status()
        if job.running:  # (the thread may be a moment from its end after saying "done")
            return {**status, "state": "running"}
        self._job = None
        outcome = job.outcome
        if outcome is not None:
            if outcome.trainer is not None:
                self.adopt(outcome.trainer, LabConfig.from_dict(outcome.config))
            status.update(outcome=outcome.public(), config=self.config.to_dict())
        return status

    def request_reproduce_cancel(self) -> dict:
        job = self._job
        if job is None:
            return self.request_reproduce_status()
        job.cancel()
        return job.status()
