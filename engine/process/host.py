"""The engine process: started by the window (multiprocessing, spawn), it imports torch, builds the
session and runs ``EngineLoop`` over the pipe until the window says Shutdown or goes away.

``main(conn)`` first waits for an ``Init`` (so a process can be started before the window knows
what to run: torch loads while the window is built), then answers ``Ready`` or ``Failed(0, ...)``.
"""
from __future__ import annotations

import os
import sys
import threading

from engine.process import protocol as P


def main(conn) -> None:
    # numpy's OpenBLAS would start a thread per core for every small product: on a busy 2-core machine
    # that makes a 128x128 eigendecomposition take seconds instead of milliseconds
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import torch  # noqa: F401  (the expensive import, done while the window is still being built)

    torch.set_num_threads(1)
    from engine.util import dynamo_later

    dynamo_later.defer()  # (torch._dynamo's 1.2 s import after the first snapshot: see the module)
    _exit_with_parent()
    from engine.lab.session import LabSession  # (warm: the first Init answers fast)
    from engine.process.loop import EngineLoop

    while True:  # one session, or (tests: Shutdown(reuse=True)) one after another
        try:
            init = conn.recv()
        except (EOFError, OSError):
            return
        if not isinstance(init, P.Init):
            return
        if os.environ.get("RNNLAB_TEST_HOOKS") == "1":
            from engine.process import fault_hooks

            fault_hooks.install(LabSession)
        try:
            session, loader = _build(init)
        except Exception as exc:
            conn.send(P.Failed(0, str(exc).splitlines()[0] if str(exc) else type(exc).__name__, what="start"))
            return
        config = session.config.to_dict() if hasattr(session, "config") else {}
        conn.send(P.Ready(config=config, pid=os.getpid(), recovered_from=init.open_path))
        loop = EngineLoop(session, conn, init.recovery_path or None, loader)
        loop.after_first_snapshot = dynamo_later.warm
        loop.run()
        if not loop.reuse:
            break
        del session, loop
        conn.send(P.Released())
    # leave at once: tearing down an interpreter with torch loaded takes seconds on a busy machine,
    # and everything worth keeping (the recovery point, a save) is written by now
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _build(init: P.Init):
    from engine.lab.config import LabConfig
    from engine.lab.session import LabSession

    if init.data:  # the task trains on a data file the window's engine read: register it here too
        from engine.tasks.data.data_files import REGISTRY, unpack

        REGISTRY.add(unpack(init.data))
    if init.kind == "compare":
        from engine.lab.compare_session import CompareSession

        return CompareSession(LabConfig.from_dict(init.config), list(init.variants), init.seeds), None
    if init.open_path:
        return LabSession.load(init.open_path), LabSession.load
    cfg = LabConfig.from_dict(init.config) if init.config else LabConfig.for_task("adding")
    return LabSession(cfg), LabSession.load


def _exit_with_parent() -> None:
    """Belt and braces besides the pipe's EOF: leave when the window's process is gone (re-parented)."""
    parent = os.getppid()

    def watch():
        import time

        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="rnnlab-parent-watch", daemon=True).start()
