"""The classic-results requests of a LabSession: list the results, run one in the background, report its
progress, cancel it, and when it is done make its trained model the session's (the window then explores it).
A mixin, so that engine.lab.session stays small; it imports nothing of it.

``ReproductionJob`` runs the reproduction in a thread of the engine process, beside the engine loop: the loop
stays responsive (snapshots, other requests) while the thread trains, and the loop's thread (never the job's)
hands the kept model to the session.
"""
from __future__ import annotations

import threading

import torch

from engine.lab.config import LabConfig
from engine.reproductions.base import Cancelled
from engine.reproductions.runner import reproduce


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


class ReproductionJob:
    def __init__(self, name: str, seed: int = 0, quick: bool = False):
        from engine.reproductions.registry import get_result

        get_result(name)  # an unknown name raises ValueError here, in the request
        self.name, self.seed, self.quick = name, seed, quick
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._status = {"state": "running", "name": name, "fraction": 0.0, "text": "starting"}
        self.outcome = None
        self.thread = threading.Thread(target=self._run, name=f"reproduce-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        torch.set_num_threads(1)
        try:
            outcome = reproduce(self.name, self.seed, self.quick, progress=self._progress,
                                cancel=self._cancel.is_set)
        except Cancelled:
            self._set(state="cancelled", text="cancelled: nothing was kept")
        except Exception as exc:  # the engine must survive a failing run: the window shows the message
            self._set(state="failed", text=(str(exc).strip() or type(exc).__name__).splitlines()[0][:400])
        else:
            self.outcome = outcome
            self._set(state="done", fraction=1.0, text=outcome.line)

    def _progress(self, fraction: float, text: str) -> None:
        self._set(fraction=float(fraction), text=text)

    def _set(self, **values) -> None:
        with self._lock:
            self._status = {**self._status, **values}

    def status(self) -> dict:
        with self._lock:
            return dict(self._status)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()
