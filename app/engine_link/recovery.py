"""Recovery points: where the engine writes them, and finding those an unclean exit left behind.

Each window's engine writes ``recovery-<window pid>.rnnlab`` in the user's data folder
(QStandardPaths.AppDataLocation; RNNLAB_DATA_DIR overrides it, as tests do) every ~30 s of training
and on every pause. A clean quit removes it; a file whose window process is gone is an unclean exit,
offered for restoring at the next start.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths

PATTERN = re.compile(r"^recovery-(\d+)\.rnnlab$")


def data_dir() -> Path:
    folder = os.environ.get("RNNLAB_DATA_DIR") or QStandardPaths.writableLocation(
        QStandardPaths.AppDataLocation) or str(Path.home() / ".local" / "share" / "RNN Lab")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def recovery_file(pid: int | None = None) -> str:
    return str(data_dir() / f"recovery-{pid or os.getpid()}.rnnlab")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_recovery_files() -> list[Path]:
    """Recovery files whose window is gone, newest first."""
    try:
        files = [p for p in data_dir().iterdir() if (m := PATTERN.match(p.name)) and not _alive(int(m.group(1)))]
    except OSError:
        return []
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def discard(path) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
