"""A panel's long help page (what it shows, how to read it, what to try, its lecture slide): declared with the
panel in the registry (PanelSpec.page) or in app/classroom/help_pages.PAGES. Plain data, no Qt."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelpPage:
    shows: str  # what the panel shows
    read: str  # how to read it
    try_: str  # what to try
    slide: str  # the lecture slide (title as in the deck) it belongs to
