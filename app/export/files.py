"""Writing export files: atomically (a temporary name renamed into place), with one-line errors, and the
progress/cancel protocol every long export shares. Used by the figures, the GIF sweep and the time-lapse."""
from __future__ import annotations

from pathlib import Path

from engine.util.atomic import atomic_write


class ExportError(Exception):
    """An export could not be written; the message names the file and the reason."""


class ExportCancelled(ExportError):
    """The user pressed Cancel; the files this export had created are removed again."""

    def __init__(self):
        super().__init__("export cancelled")


def check_progress(progress, done: int, total: int, text: str) -> None:
    """Report progress; ``progress(done, total, text)`` returning False means Cancel was pressed."""
    if progress is not None and progress(done, total, text) is False:
        raise ExportCancelled()


# ---- atomic file writing ---------------------------------------------------------------------
def write_bytes(path: Path, data: bytes) -> Path:
    try:
        return atomic_write(path, lambda f: f.write(data))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def check_writable_file(path) -> None:
    """Before any rendering: ExportError (one line) unless ``path`` can be written (its folder exists and is
    writable, and the file itself is writable if it is already there)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist")
    import os

    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExportError(f"cannot write {path}: permission denied")


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


# ---- rendering ----------------------------------------------------------------------------
