"""Walk through every Lecture preset as a student would: apply it, then check that its note names
only controls, panels, windows and menu commands that exist and are in view right then."""
import re

import pytest
from PySide6.QtWidgets import QMenu, QWidget

from app.lecture.presets import load_presets
from tests.app.test_main_window import make_window, wait_shown

# what a note may name -> the widget (objectName) a student would look for
PANEL_TERMS = {
    r"\bsequence strip\b": "sequenceStrip",
    r"\bunrolled (?:view|network)\b": "unrolledView",
    r"\bgradient panel\b": "gradientPanel",
    r"\bgates panel\b": "gatesPanel",
    r"\bgate products\b": "gateProductsPanel",
    r"\bhidden-state heatmap\b": "hiddenHeatmap",
    r"\battention bars\b": "attentionPanel",
    r"\btraining curves?\b": "curvesPanel",
    r"\bNext character panel\b": "nextCharPanel",
    r"\bEquations panel\b": "equationsPanel",
    r"\bBPTT (?:sum )?panel\b": "bpttPanel",
    r"\bWhy gradients vanish\b": "vanishingPanel",
}
CONTROL_TERMS = {
    r"\b(?:switch|set|change) the cell\b": "cellTypeCombo",
    r"\bclipping (?:on|off)\b|\bturn clipping\b": "clipCheck",
    r"\bpress Train\b|\bTrain and\b": "trainButton",
    r"\binitial h_0\b": "h0Combo",
}
WINDOW_TERMS = {r"\bPyTorch example window\b": "pytorchExampleBox"}
MENU_PATH = re.compile(r"\b(Run|Lecture|View|File|Help) > ")  # then the command's own words


def in_view(widget) -> bool:
    return widget is not None and widget.isVisible() and not widget.visibleRegion().isEmpty()


def menu_actions(window) -> dict[str, set[str]]:
    menus = {}
    for menu in window.menuBar().findChildren(QMenu):
        title = menu.title().replace("&", "")
        menus.setdefault(title, set()).update(a.text().replace("&", "").rstrip("…").strip()
                                              for a in menu.actions() if a.text())
    return menus


def named_things(note: str):
    """(kind, term, objectName or menu path) of every UI thing the note names."""
    for table, kind in ((PANEL_TERMS, "panel"), (CONTROL_TERMS, "control"), (WINDOW_TERMS, "window")):
        for pattern, name in table.items():
            for m in re.finditer(pattern, note):
                yield kind, m.group(0), name
    for m in MENU_PATH.finditer(note):
        yield "menu", m.group(0), (m.group(1), note[m.end():m.end() + 60])


def unknown_panel_words(note: str) -> list[str]:
    """Any "<words> panel" / "<words> window" the tables above do not know: a stale or invented name."""
    known = [p for table in (PANEL_TERMS, WINDOW_TERMS) for p in table]
    found = []
    for m in re.finditer(r"\b(?:[A-Za-z][\w-]* ){0,2}(?:panel|window)\b", note):
        if not any(re.search(p, note[max(0, m.start() - 20):m.end() + 1]) for p in known):
            found.append(m.group(0))
    return found


@pytest.mark.slow
def test_every_preset_note_names_only_what_is_there_and_in_view(qtbot):
    window = make_window(qtbot, "parity")
    window.resize(1600, 1000)
    presets = load_presets()
    assert {p.id for p in presets} >= {"vanishing", "exploding", "gating", "bidirectional", "pytorch"}
    menus = menu_actions(window)
    checked = 0
    for preset in presets:
        window.lecture.actions[preset.id].trigger()
        cfg = preset.config
        wait_shown(qtbot, window, lambda s, c=cfg: s.config["task"] == c.task
                   and s.config["model"] == c.model.to_dict() and s.config["train"] == c.train.to_dict(),
                   timeout=20000)
        qtbot.wait(50)
        note = preset.note
        assert window.lecture_note.isVisible() and preset.title in window.lecture_note.text()
        assert not unknown_panel_words(note), (preset.id, unknown_panel_words(note))
        assert in_view(window.panels[preset.panels[0]]), preset.id  # the first panel it lists is in front
        for kind, term, target in named_things(note):
            checked += 1
            if kind == "menu":
                menu, words = target  # the note goes on with a command of that menu
                assert any(words.startswith(a) for a in menus.get(menu, ())), (preset.id, term + words)
            elif kind == "window":
                qtbot.waitUntil(lambda t=target: in_view(window.findChild(QWidget, t)), timeout=20000)
                window.findChild(QWidget, target).close()
            else:
                widget = window.panels.get(target) or window.findChild(QWidget, target)
                assert in_view(widget), (preset.id, term, target)
                assert widget.isEnabled(), (preset.id, term, target)
    assert checked >= 15  # the notes do name things, and each was looked at


def test_the_checker_catches_stale_names():
    """Negative controls: names that do not exist (or a menu command that is not there) are flagged."""
    assert unknown_panel_words("Watch the spectrum panel as it trains.") == ["the spectrum panel"]
    assert unknown_panel_words("Watch the gradient panel and the Next character panel.") == []
    things = list(named_things("Use Run > Sample poetry to try it; switch the cell to GRU."))
    menu = [t for t in things if t[0] == "menu"][0][2]
    assert menu[0] == "Run" and not any(menu[1].startswith(a) for a in ("Generate text", "Compare cells"))
    assert ("control", "switch the cell", "cellTypeCombo") in things
