"""PanelSet: the window's panels by objectName, each built when it is first needed.

The panels in view when the window opens are built with it; the others (the tabs behind them) when
their tab is first shown, when code asks for one (``panels[name]``: an export, a preset, a lesson), or
all together once the window is on screen (``build_all``). A panel's wiring (signals, the requester,
the snapshot shown, its place in its tab) is done by the ``when_built`` hooks, for the panels built
so far and for every one built later, so a panel built late is the same as one built at once.
Iterating the mapping (``items()``, ``values()``) builds every panel; ``built()`` gives those built.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QWidget


class PanelSet(Mapping):
    def __init__(self, names: Iterable[str], make: Callable[[str], object], eager: Iterable[str] | None = None):
        self._names = list(names)
        self._make = make
        self._made: dict = {}
        self._hooks: list = []
        self._last_hooks: list = []
        for name in self._names if eager is None else [n for n in self._names if n in set(eager)]:
            self._build(name)

    # ---- Mapping ----------------------------------------------------------------------------
    def __getitem__(self, name: str):
        panel = self._made.get(name)
        if panel is None:
            if name not in self._names:
                raise KeyError(name)
            panel = self._build(name)
        return panel

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names

    # ---- building ---------------------------------------------------------------------------
    def is_built(self, name: str) -> bool:
        return name in self._made

    def built(self) -> dict:
        """{name: panel} of the panels built so far, in the registry's order (builds none)."""
        return {n: self._made[n] for n in self._names if n in self._made}

    def build_all(self) -> None:
        for name in self._names:
            self[name]

    def when_built(self, hook: Callable[[str, object], None], last: bool = False) -> None:
        """``hook(name, panel)`` for every panel built so far and for each built later, in the order
        the hooks were given; ``last``: after every other hook (feeding a panel once it is wired)."""
        (self._last_hooks if last else self._hooks).append(hook)
        for name, panel in self.built().items():
            hook(name, panel)

    def _build(self, name: str):
        panel = self._make(name)
        self._made[name] = panel
        for hook in self._hooks + self._last_hooks:
            hook(name, panel)
        return panel


class PanelSlot(QWidget):
    """Holds a panel's tab until the panel is built: shown (its tab chosen), it has the panel built,
    which then takes the tab (MainWindow's ``when_built`` hook). It asks for the panel's minimum size
    as last measured (``min_size``), so the docks are laid out as they will be once the panel is there."""

    def __init__(self, name: str, panels: PanelSet, min_size: tuple[int, int] | None = None):
        super().__init__()
        self.setObjectName(f"{name}Slot")
        self._name, self._panels = name, panels
        self._min_size = QSize(*min_size) if min_size else QSize(0, 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self._min_size

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        name, panels = self._name, self._panels
        QTimer.singleShot(0, lambda: panels[name])
