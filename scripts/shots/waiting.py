"""Waiting in a walk: process Qt events until a condition holds or time runs out (shared by the walks)."""
from __future__ import annotations

import time


def wait(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app, predicate, timeout: float = 30.0) -> bool:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return False
