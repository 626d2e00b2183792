"""A dock's front tab should have something to show for the model on screen: after a Lecture preset, a
dock whose front tab is a panel that only says why it does not apply ("This head does not attend", "A
simple RNN has no gates") brings forward its first tab that applies (the preset's own panels first).

Which panel applies is each panel's own rule (``Panel.not_applicable_to(trace)``, the condition under
which it shows its message instead of data), read through the registry's widget classes: a panel added
later with such a message is covered by declaring the rule in its widget, without a list here."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from app.panels.registry import SPECS


def reason(name: str, trace) -> str:
    """Why the panel ``name`` has nothing to show for ``trace``'s model ("" if it applies)."""
    return SPECS[name].cls.not_applicable_to(trace)


def tab_pages(window) -> dict[QTabWidget, list[str]]:
    """{each dock's tab widget: the names of the panels on its tabs, in tab order} (a panel borrowed
    by the stage is on no tab; a panel not built yet is named by its slot)."""
    out: dict[QTabWidget, list[str]] = {}
    for tabs, _index in window.tabs.values():
        if tabs in out:
            continue
        out[tabs] = [page_name(window, tabs.widget(i)) for i in range(tabs.count())]
    return out


def page_name(window, page) -> str | None:
    for name in window.tabs:
        if (window.panels.is_built(name) and window.panels[name] is page) or page.objectName() == f"{name}Slot":
            return name
    return None


def best_tab(names, trace, prefer=()) -> str | None:
    """The tab to bring forward among ``names``: one that applies to ``trace``, the preset's own (``prefer``)
    first, then one with data to show without a click (stable: tab order otherwise); None if none applies."""
    fits = [n for n in names if n is not None and not reason(n, trace)]
    fits.sort(key=lambda n: (n not in prefer, SPECS[n].asks_user))
    return fits[0] if fits else None


def misplaced_fronts(window, trace, visible_only: bool = True) -> list[tuple[str, str, str]]:
    """(tab widget's objectName, its front panel, a tab that applies) for every dock (the visible ones
    unless ``visible_only`` is False) whose front tab does not apply to ``trace`` while another does."""
    out = []
    for tabs, names in tab_pages(window).items():
        if (visible_only and not tabs.isVisible()) or tabs.currentIndex() < 0:
            continue
        front = names[tabs.currentIndex()]
        if front is None or not reason(front, trace):
            continue
        better = best_tab(names, trace)
        if better is not None:
            out.append((tabs.objectName(), front, better))
    return out


def bring_relevant_fronts(window, trace, prefer=()) -> list[str]:
    """Every dock whose front tab does not apply to ``trace`` shows instead the first of its tabs that
    does: one of ``prefer`` (a preset's panels) if it holds any, else one that shows data without being asked
    (PanelSpec.asks_user: the counterfactual waits for Apply). Returns the panels brought forward."""
    brought = []
    for tabs, names in tab_pages(window).items():
        front = names[tabs.currentIndex()] if tabs.currentIndex() >= 0 else None
        if front is None or not reason(front, trace):
            continue
        best = best_tab(names, trace, prefer)
        if best is not None:
            tabs.setCurrentIndex(names.index(best))
            brought.append(best)
    return brought
