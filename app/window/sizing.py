"""How big the window and its parts are: the default size that fits the screen (a 1280x720 projector
minus its panel bar), the width at which docks show their contents unclipped, and the status-bar
fields sized for their largest values."""
from __future__ import annotations

import math

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = (1600, 1000)  # offscreen (tests, screenshots), where there is no screen to fit
SCREEN_SIZE = (1920, 1200)  # on a screen the window takes its available area up to this (a 1920x1080
# screen's bottom docks then show their panels side by side uncramped; a projector's whole area)
# (key, tooltip, the largest values it shows: the field is as wide as the widest at the current font)
STATUS_FIELDS = (
    ("step", "Training steps taken", ("step 9999999", "showing 99999/999999")),
    ("speed", "Training steps per second", ("9999 steps/s",)),
    ("loss", "Loss of the last training batch", ("loss 0.00000",)),
    ("metric", "The task's metric on the last training batch",
     ("token acc. 0.0000", "cross-entropy 0.0000", "bits/char 0.0000")),
    ("state", "training / paused / diverged", ("engine starting…", "engine stopped", "DIVERGED")),
)


def status_number(v: float) -> str:
    """A loss or metric in the status bar: 4 decimals, at most 7 characters (–: not finite)."""
    if not math.isfinite(v):
        return "–"
    return f"{v:.4f}" if abs(v) < 100 else (f"{v:.0f}" if abs(v) < 1e6 else f"{v:.1e}")


def fitting_size(window) -> QSize:
    """The default window size: the screen's available area up to SCREEN_SIZE. Offscreen (tests,
    screenshots) there is no screen to fit: DEFAULT_SIZE."""
    if QGuiApplication.platformName() == "offscreen" or window.screen() is None:
        return QSize(*DEFAULT_SIZE)
    available = window.screen().availableGeometry()
    frame = window.frameGeometry().size() - window.size()  # (a window manager's title bar and borders)
    return QSize(min(SCREEN_SIZE[0], available.width() - frame.width()),
                 min(SCREEN_SIZE[1], available.height() - frame.height()))


def comfortable_width(docks) -> int:
    """The width at which these docks' contents fit without being clipped (their layouts' minimum)."""
    for dock in docks:  # (styled and with their fonts: a tab bar's size depends on them)
        for w in [dock.widget()] + dock.widget().findChildren(QWidget):
            w.ensurePolished()
    return max(dock.widget().minimumSizeHint().width() for dock in docks) + 24  # (+ the dock's frame)


def fair_shares(needs: list[int], total: int) -> list[int]:
    """Widths for docks side by side in ``total`` px: each at least its need, and otherwise as equal as
    the needs allow (a dock whose tabs need much does not also take the most of what is left over)."""
    if total <= sum(needs):
        return list(needs)
    shares = list(needs)
    room, left = total, len(needs)
    for i in sorted(range(len(needs)), key=lambda k: -needs[k]):
        if needs[i] * left <= room:  # this one and the smaller ones fit an equal share
            break
        room, left = room - needs[i], left - 1
    for i in range(len(needs)):
        if needs[i] * left <= room:
            shares[i] = room // left
    return shares
