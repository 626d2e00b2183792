"""What every CLI module shares: bad input as one line on stderr with exit status 2, and progress notes."""
import os
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


def note(text: str, quiet: bool) -> None:
    """A progress line on stderr (unless --quiet)."""
    if not quiet:
        print(text, file=sys.stderr)


def check_writable_dir(folder: Path, what: str = "export") -> None:
    """Fail before training if the export folder cannot be created or written."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"cannot {what} into {folder}: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"cannot {what} into {folder}: {probe} is not writable")
