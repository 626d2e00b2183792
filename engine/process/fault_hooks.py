"""Faults the tests inject into a running engine process (RNNLAB_TEST_HOOKS=1 only): a save that fails
midway, as on a full disk. They cannot monkeypatch torch in another process, so they ask the engine."""
from __future__ import annotations

from engine.lab import files as session_mod

_REAL_SAVE = None


def request_fail_saves(self, message: str = "No space left on device") -> None:
    """Every following save writes part of the file and then fails with OSError(28, message)."""
    global _REAL_SAVE
    if _REAL_SAVE is None:
        _REAL_SAVE = session_mod.torch.save

    def disk_full(obj, f):
        f.write(b"partial")
        raise OSError(28, message)

    session_mod.torch.save = disk_full


def request_restore_saves(self) -> None:
    if _REAL_SAVE is not None:
        session_mod.torch.save = _REAL_SAVE


def install(session_cls) -> None:
    """Add the hooks, with saves working: a process that serves one window after another (tests share one) starts
    every session without the previous test's fault."""
    session_cls.request_fail_saves = request_fail_saves
    session_cls.request_restore_saves = request_restore_saves
    request_restore_saves(None)
