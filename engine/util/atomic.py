"""Atomic file writing: a temporary file in the target's folder, then a rename over the target."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

STALE_AFTER = 60.0  # seconds: an older temp of the same target is a killed write's leftover


def atomic_write(path, write) -> Path:
    """Call write(binary file) on a temporary file beside ``path``, then rename it into place.

    The previous file at ``path`` survives any failure; the temporary file is removed. OSError
    propagates with the real reason; the new file gets the usual permissions (umask applied).
    After a success, hidden temps of earlier writes to ``path`` that were killed midway (older
    than ``STALE_AFTER``, so not another process' write in progress) are removed.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remove_stale_temps(folder, path.name)
    return path


def _remove_stale_temps(folder: Path, name: str) -> None:
    """(The file is already written: nothing here may fail the save.)"""
    now = time.time()
    try:  # mkstemp's names: "." + name + "." + 8 random characters + ".part"
        for stale in folder.glob(f".{glob_escape(name)}.{'?' * 8}.part"):
            try:
                if now - stale.stat().st_mtime > STALE_AFTER:
                    stale.unlink()
            except OSError:  # gone already, or not ours to remove: leave it
                pass
    except OSError:  # the folder cannot be listed (e.g. a flaky network share): leave them
        pass


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters ([, ], *, ?) matched literally."""
    return "".join(f"[{c}]" if c in "[]*?" else c for c in name)
