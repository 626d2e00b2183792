"""The lecture deck as an index: every slide of the deck, in order, with how the app shows it.

``assets/lecture/slides.toml`` (data, read with ``tomllib``) holds one ``[[slide]]`` per slide of the
deck (``assets/lecture/deck.md``); ``load_slides`` reads and validates it, and ``deck_keys`` reads the
deck itself so the index can be checked against it. No torch and no Qt here: ``rnnlab --list-slides``
and the window (``app.lecture.slides_menu``) both use it. A bad file gives one ``SlidesError`` line
naming the slide and the problem.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.config import CELLS
from engine.util.assets import asset

SLIDES_FILE = asset("lecture/slides.toml")
DECK_FILE = asset("lecture/deck.md")
LESSONS_DIR = asset("lessons")  # built-in lessons (Lecture > Lessons), one <name>.toml each
VIEWS = ("folded", "unrolled", "compare")  # views that are not a panel (see slides.toml)
HOW_KEYS = ("preset", "panel", "view", "result", "help", "not_shown")
KEYS = {"heading", "note", "cell", "compare", "lesson", *HOW_KEYS}
START_PAGE = "start"  # Help > Getting started


class SlidesError(ValueError):
    """A slides file that cannot be used: one line naming the slide and the problem."""


@dataclass(frozen=True)
class Slide:
    number: int  # 1-based, the deck's order
    heading: str
    note: str = ""
    preset: str | None = None
    cell: str | None = None
    panel: str | None = None
    view: str | None = None
    compare: str | None = None
    result: str | None = None  # a classic result (Help > Classic results) opened and selected
    help: str | None = None
    not_shown: str | None = None
    lesson: str | None = None  # a built-in lesson (Lecture > Lessons) that walks through the slide

    def how(self) -> str:
        """How the app shows the slide, in one line ("preset tagging + panel nextCharPanel")."""
        if self.not_shown:
            return f"not shown: {self.not_shown}"
        parts = []
        if self.preset:
            parts.append(f"preset {self.preset}" + (f" (cell {self.cell})" if self.cell else ""))
        if self.view:
            parts.append(f"view {self.view}" + (f" {self.compare}" if self.compare else ""))
        if self.panel:
            parts.append(f"panel {self.panel}")
        if self.result:
            parts.append(f"classic result {self.result}")
        if self.help:
            parts.append("help Getting started" if self.help == START_PAGE else f"help page {self.help}")
        if self.lesson:
            parts.append(f"lesson {self.lesson}")
        return " + ".join(parts)

    def line(self) -> str:
        return f"{self.number}. {self.heading} -> {self.how()}"


def load_slides(path=SLIDES_FILE, *, presets=None, panels=None, help_pages=None, results=None) -> list[Slide]:
    """Every slide, checked: known keys, a heading, at least one way of showing it (or ``not_shown``
    alone), presets, panels and help pages that exist. ``presets``/``panels``/``help_pages`` are the
    known names (default: the Lecture presets, the panel registry and its help pages). Classic result
    names are checked against ``results`` when given (their registry needs torch: the tests pass it)."""
    path = Path(path) if isinstance(path, str) else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SlidesError(f"{path.name}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SlidesError(f"{path.name}: not valid TOML ({exc})") from None
    items = data.get("slide")
    if not isinstance(items, list) or not items:
        raise SlidesError(f"{path.name}: no [[slide]] entries")
    if set(data) - {"slide"}:
        raise SlidesError(f"{path.name}: unknown top-level key {', '.join(sorted(set(data) - {'slide'}))}")
    if presets is None:
        from app.lecture.presets import load_presets

        presets = {p.id for p in load_presets()}
    if panels is None:
        from app.panels.registry import SPECS

        panels = set(SPECS)
    help_pages = set(panels) | {START_PAGE} if help_pages is None else set(help_pages)
    return [_slide(i, item, path.name, set(presets), set(panels), help_pages, results)
            for i, item in enumerate(items, 1)]


def _slide(number: int, item, file: str, presets: set, panels: set, help_pages: set, results) -> Slide:
    where = f"{file}: slide {number}"
    if not isinstance(item, dict):
        raise SlidesError(f"{where}: not a table")
    unknown = sorted(set(item) - KEYS)
    if unknown:
        raise SlidesError(f"{where}: unknown key {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})")
    for key, value in item.items():
        if not isinstance(value, str) or not value.strip():
            raise SlidesError(f"{where}: {key} must be a non-empty string")
    if "heading" not in item:
        raise SlidesError(f"{where}: no heading")
    where = f"{file}: slide {number} ({item['heading']})"
    how = [k for k in HOW_KEYS if k in item]
    if not how:
        raise SlidesError(f"{where}: says neither how it is shown ({', '.join(HOW_KEYS[:-1])}) nor not_shown")
    if "not_shown" in item and len(how) > 1:
        raise SlidesError(f"{where}: not_shown cannot be combined with {', '.join(h for h in how if h != 'not_shown')}")
    checks = (("preset", presets, "Lecture preset"), ("panel", panels, "panel"), ("view", set(VIEWS), "view"),
              ("help", help_pages, "help page"), ("cell", set(CELLS), "cell"))
    for key, known, what in checks:
        if key in item and item[key] not in known:
            raise SlidesError(f"{where}: unknown {what} {item[key]!r}")
    if results is not None and "result" in item and item["result"] not in set(results):
        raise SlidesError(f"{where}: unknown classic result {item['result']!r}")
    if "lesson" in item and not (Path(LESSONS_DIR) / f"{item['lesson']}.toml").is_file():
        raise SlidesError(f"{where}: unknown lesson {item['lesson']!r} (no {item['lesson']}.toml in assets/lessons)")
    if "cell" in item and "preset" not in item:
        raise SlidesError(f"{where}: cell needs a preset to change")
    if (item.get("view") == "compare") != ("compare" in item):
        raise SlidesError(f"{where}: view = \"compare\" and compare = \"cell,cell\" go together")
    if "compare" in item:
        cells = item["compare"].split(",")
        if not 2 <= len(cells) <= 4 or any(c not in CELLS for c in cells):
            raise SlidesError(f"{where}: compare must name 2 to 4 cells from {', '.join(CELLS)}")
    return Slide(number=number, **item)


def deck_keys(path=DECK_FILE) -> list[str]:
    """One key per slide of the deck, in order: its heading without the #s, else the file name of its
    picture, else its first line. Slides are separated by lines holding only "---"."""
    text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    keys = []
    for chunk in re.split(r"^---\s*$", text, flags=re.MULTILINE):
        lines = [ln.strip() for ln in chunk.splitlines() if ln.strip() and not ln.strip().startswith("<!--")]
        if not lines:
            continue
        first = lines[0]
        picture = re.match(r"!\[[^]]*\]\((?:[^)]*/)?([^)/]+)\)", first)
        keys.append(first.lstrip("#").strip() if first.startswith("#") else picture.group(1) if picture else first)
    return keys


def lesson_title(name: str) -> str:
    """The title of built-in lesson ``name`` (its file's ``title``), or the name if it cannot be read."""
    try:
        return str(tomllib.loads((Path(LESSONS_DIR) / f"{name}.toml").read_text(encoding="utf-8"))["title"])
    except (OSError, KeyError, ValueError):
        return name


def mismatches(slides: list[Slide], keys: list[str]) -> list[str]:
    """Where the index and the deck disagree (empty when each slide's heading holds its deck key)."""
    out = []
    if len(slides) != len(keys):
        out.append(f"the deck has {len(keys)} slides, the index {len(slides)}")
    for slide, key in zip(slides, keys, strict=False):
        if key.lower() not in slide.heading.lower():
            out.append(f"slide {slide.number}: the deck's {key!r} is not in the heading {slide.heading!r}")
    return out
