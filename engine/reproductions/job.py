"""A reproduction running in the engine process, beside the engine loop: a thread runs it, the
window polls its status (``LabSession.request_reproduce_status``) and may cancel it.

The loop stays responsive (snapshots, other requests) while the thread trains; when the run is
done, the loop's thread (never the job's) hands the kept model to the session, so the panels show it.
"""
from __future__ import annotations

import threading

import torch

from engine.reproductions.base import Cancelled
from engine.reproductions.runner import reproduce


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
