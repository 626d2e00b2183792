"""How big the window and its parts are: the default size that fits the screen (a 1280x720 projector
minus its panel bar), the width at which docks show their contents unclipped, the status-bar
fields sized for their largest values, and a scroll area as wide as its content."""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QScrollArea, QWidget

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


class ScreenKeeper(QObject):
    """Keeps a window within its screen's available area. Qt enlarges a window to its layout's minimum when
    that grows, and never gives the room back: a minimum that was larger for a moment (a lesson's pane or a
    slide's panels being filled in, on a loaded machine) left the main window 1319 px wide on a 1280x720
    projector for good. The keeper sizes it back within the screen a moment later, as far as its minimum
    then allows (a minimum that is really too large stays visible: the projector walk reports it). Not
    offscreen (no screen to fit), nor a maximised or full-screen window (the window manager sizes those).
    ``area``: the available area to keep within (tests); by default the window's screen's."""

    RETRIES_MS = (0, 50, 250, 1000)  # the minimum shrinks once the content's layouts have run

    def __init__(self, window: QWidget, area=None):
        super().__init__(window)
        self.window, self._area, self._tries = window, area, None
        window.installEventFilter(self)

    def area(self) -> QRect | None:
        if self._area is not None:
            return self._area()
        if QGuiApplication.platformName() == "offscreen" or self.window.screen() is None:
            return None
        return self.window.screen().availableGeometry()

    def too_big(self) -> bool:
        w, area = self.window, self.area()
        if area is None or w.isMaximized() or w.isFullScreen() or not w.isVisible():
            return False
        frame = w.frameGeometry()
        return frame.width() > area.width() or frame.height() > area.height()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self.window and event.type() == QEvent.Type.Resize and self._tries is None and \
                self.too_big() and self._grown_by_layout(event.size()):  # (the cheap test first)
            self._tries = list(self.RETRIES_MS)
            QTimer.singleShot(self._tries.pop(0), self, self.fit)  # (not after the window is gone)
        return False

    def _grown_by_layout(self, size: QSize) -> bool:
        """Qt grew the window to its layout's new minimum (exactly that): not a user stretching it over two
        screens, which the keeper leaves alone."""
        least = self.window.minimumSizeHint().expandedTo(self.window.minimumSize())
        return size.width() == least.width() or size.height() == least.height()

    def fit(self) -> None:
        w, area = self.window, self.area()
        if not self.too_big():
            self._tries = None
            return
        extra = w.frameGeometry().size() - w.size()  # (a window manager's title bar and borders)
        room = QSize(area.width() - extra.width(), area.height() - extra.height())
        least = w.minimumSizeHint().expandedTo(w.minimumSize())
        w.resize(w.size().boundedTo(room).expandedTo(least))
        if self.too_big() and self._tries:
            QTimer.singleShot(self._tries.pop(0), self, self.fit)  # (not after the window is gone)
        else:
            self._tries = None


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


class UprightScroll(QScrollArea):
    """A scroll area that scrolls only up and down and is never narrower than its content plus the vertical
    scroll bar: with the bar shown, a plain one kept its 300 px and cut the controls' right 6 px at 1280x720.
    The content's minimum width follows the font (presentation mode's is larger): asked again at every relayout
    of the content."""

    def __init__(self, content: QWidget, least: int = 300):  # least: the whole area's width at the least
        super().__init__()
        self._least = least
        self._hint_width = None  # the width last asked for (the dock re-lays out only when it changes)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        content = self.widget()
        need = 0 if content is None else max(content.minimumSizeHint().width(), content.minimumWidth())
        bar = self.verticalScrollBar().sizeHint().width()
        hint.setWidth(max(hint.width(), self._least, need + bar + 2 * self.frameWidth()))
        self._hint_width = hint.width()
        return hint

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            asked = self._hint_width
            if self.minimumSizeHint().width() != asked:  # (its content's minimum width changed)
                self.updateGeometry()
        return super().eventFilter(obj, event)
