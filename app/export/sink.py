"""Where export steps put their files: ``put(name, make)`` hands over a function that makes the bytes
from data the GUI thread has finished with (a painted QImage, a table, an array).

``FolderSink`` runs ``make`` and the atomic write in one worker thread, in order: PNG encoding, the caption
header (painted on QImages only), compression and disk writes never hold up the window's event loop.
Nothing given to it may be a widget or a graphics item (those belong to the GUI thread). It keeps the
files it wrote and the ones it created, so a failed or cancelled export removes what it added (files it
replaced stay, complete)."""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from app.export.files import ExportError, write_bytes

WAIT_SECONDS = 0.005  # longest wait for the worker before the event loop gets a turn
WRITER_NICE = 10  # the writer thread's nice: on a loaded machine the window's thread gets the CPU first
# ... unless this says otherwise: the test suite sets 0, as its two workers keep both cores busy and a test
# waits for its export, whose niced writer would wait behind the other worker (tests/conftest.py)
NICE_ENV = "RNNLAB_WRITER_NICE"


def writer_nice() -> int:
    import os

    try:
        return int(os.environ.get(NICE_ENV, WRITER_NICE))
    except ValueError:
        return WRITER_NICE


def _lower_priority() -> None:
    """The writer yields the CPU to the window's thread on a busy machine (Linux: a thread's own nice)."""
    import os
    import threading

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), writer_nice())
    except (AttributeError, OSError):  # (not on this platform, or not allowed: the default priority)
        pass


class DictSink:
    """Makes every file at once, in the calling thread: ``files`` is {name: bytes}."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def put(self, name: str, make) -> None:
        self.files[name] = make()


class FolderSink:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-writer", initializer=_lower_priority)
        self.pending: list = []
        self.written: list[Path] = []  # (only the worker appends, in order; read once it is idle)
        self.created: list[Path] = []
        self.names: set[str] = set()  # everything put, relative to the folder
        self.made_dirs: list[Path] = []  # folders the export made (removed again if it fails)

    def put(self, name: str, make) -> None:
        self.names.add(name)
        self.pending.append(self.pool.submit(self._write, self.folder / name, make))
        self.check()

    def make_dir(self, name: str) -> None:
        """A folder in the export folder, made by the worker before the files put after this (all creating
        happens in that one thread: atomic_write's umask read is never racing another file's creation)."""
        self.pending.append(self.pool.submit(self._make_dir, self.folder / name))

    def _make_dir(self, path: Path) -> None:
        if not path.is_dir():
            try:
                path.mkdir()
            except OSError as exc:
                raise ExportError(f"cannot create {path}: {exc.strerror or exc}") from None
            self.made_dirs.append(path)

    def _write(self, path: Path, make) -> None:
        data = make()
        existed = path.exists()
        self.written.append(write_bytes(path, data))
        if not existed:
            self.created.append(path)

    def check(self) -> None:
        """Raise (in the calling thread) the error of a write that failed."""
        done = [f for f in self.pending if f.done()]
        self.pending = [f for f in self.pending if not f.done()]
        for f in done:
            f.result()

    def drain_steps(self):
        """Generator: a step every ``WAIT_SECONDS`` until every file is written (errors raised)."""
        while self.pending:
            wait(self.pending, timeout=WAIT_SECONDS, return_when=FIRST_COMPLETED)
            self.check()
            yield

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def abandon(self, idle=None) -> None:
        """After a failure or Cancel: let the writes already handed over finish (as if written at once:
        a file replaced is replaced whole), calling ``idle()`` while waiting, then remove the files this
        export created."""
        while self.pending:
            wait(self.pending, timeout=WAIT_SECONDS, return_when=FIRST_COMPLETED)
            self.pending = [f for f in self.pending if not f.done()]
            if idle is not None:
                idle()
        self.pool.shutdown(wait=True, cancel_futures=True)  # (other work queued, e.g. a GIF's frames: dropped)
        for path in self.created:
            path.unlink(missing_ok=True)
        for folder in self.made_dirs:
            try:
                folder.rmdir()
            except OSError:
                pass
