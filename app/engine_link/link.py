"""EngineLink: the controller's engine process over its life: start, ready, died, restart.

The window paints at once while the engine starts (controls that need it are disabled until it
reports ready). When the engine dies the window stays up, says what happened and offers Restart,
which starts a new engine from the last recovery point.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject

from app.engine_link import recovery
from app.engine_link.client import EngineClient
from engine.lab.config import LabConfig, config_from_dict
from engine.process import protocol as P


class EngineLink(QObject):
    def __init__(self, controller, config: LabConfig, open_path: str | None = None):
        super().__init__(controller)
        self.controller = controller
        self.recovery_path = recovery.recovery_file()
        self.recovery_step = None  # step of the last recovery point written
        self.client = None
        self.start(config, open_path)

    def start(self, config: LabConfig, open_path: str | None = None) -> None:
        c = self.controller
        init = P.Init(kind="lab", config=config.to_dict(), open_path=open_path or "",
                      recovery_path=self.recovery_path)
        self.client = client = EngineClient(init, self)
        client.ready.connect(self._on_ready)
        client.snapshot_ready.connect(c.on_snapshot)
        client.diverged.connect(c.on_diverged)
        client.failed.connect(c.on_failed)
        client.recovery_written.connect(self._on_recovery_written)
        client.died.connect(self._on_died)
        c.engine_state.emit("starting")

    def restart(self) -> None:
        """A new engine from the last recovery point (or the running configuration, if none)."""
        if self.client is not None and self.client.alive:
            return
        if self.client is not None:
            self.client.shutdown()
        path = self.recovery_path if os.path.exists(self.recovery_path) else None
        self.controller.latest = None
        self.start(self.controller.config, path)

    def shutdown(self, keep_recovery: bool = False) -> bool:
        gone = self.client.shutdown(keep_recovery)
        if not keep_recovery:
            recovery.discard(self.recovery_path)
        return gone

    # ---- events ----------------------------------------------------------------------------
    def _on_ready(self, ready: P.Ready) -> None:
        c = self.controller
        if ready.recovered_from:
            c.adopt_config(config_from_dict(ready.config))
        c._wanted_sent = None
        c.update_wanted()
        c.engine_state.emit("ready")
        c.estimate_step_time()

    def _on_recovery_written(self, event: P.RecoveryWritten) -> None:
        self.recovery_step = event.step

    def _on_died(self, message: str) -> None:
        c = self.controller
        c.training = False
        c.latest = None  # a snapshot the dead engine sent while training, not drawn yet, must not re-check Train
        c.window.transport.set_training(False)
        since = (f"the last recovery point (step {self.recovery_step})" if self.recovery_step is not None
                 else "the start")
        c.status_message.emit(f"Engine stopped: {message}. The window is fine; press Restart (status bar) to "
                              f"continue from {since}.", 0)
        c.engine_state.emit("dead")
