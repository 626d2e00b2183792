"""Panels behind a tab are built when first needed (issue 25: a quicker start): the window opens with the
panels in view; a tab's panel is built when the tab is first shown, when code asks for it, and for all
of them once the window is on screen. A panel built late is wired and draws the run as one built at once."""
from PySide6.QtWidgets import QApplication

from app.panels.feed import apply_snapshot
from app.panels.panel_set import PanelSet, PanelSlot
from app.panels.registry import front_panels
from app.window.main_window import MainWindow
from tests.app.test_main_window import make_window, wait_shown
from widgets.gradients.bptt_panel import BpttPanel


def test_panel_set_builds_on_demand_and_wires_every_panel_once():
    made, wired = [], []
    panels = PanelSet(["a", "b", "c"], lambda n: made.append(n) or f"panel {n}", eager=["b"])
    assert made == ["b"] and panels.built() == {"b": "panel b"} and "c" in panels and len(panels) == 3
    panels.when_built(lambda n, p: wired.append(("last", n)), last=True)
    panels.when_built(lambda n, p: wired.append(("first", n)))
    assert wired == [("last", "b"), ("first", "b")]  # those built so far, at once
    assert panels["c"] == "panel c" and panels["c"] == "panel c"  # built once
    assert wired[2:] == [("first", "c"), ("last", "c")]  # later ones: the last hook after the others
    assert made == ["b", "c"] and list(panels.built()) == ["b", "c"]
    assert dict(panels.items()) == {"a": "panel a", "b": "panel b", "c": "panel c"}  # iterating builds all
    assert list(panels.built()) == ["a", "b", "c"]  # (in the declared order)
    try:
        panels["nope"]
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown panel must raise KeyError")


def test_a_tab_first_shown_builds_its_panel_which_draws_the_run_as_one_built_at_once(qtbot, monkeypatch):
    monkeypatch.setattr(MainWindow, "build_hidden_panels", lambda self: None)  # only showing the tab builds it
    window = make_window(qtbot, "adding")
    panels = window.panels
    assert set(panels.built()) == set(front_panels())
    tabs, index = window.tabs["bpttPanel"]
    assert isinstance(tabs.widget(index), PanelSlot) and tabs.currentIndex() != index
    window.transport.set_time(4)
    tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: panels.is_built("bpttPanel"), timeout=5000)
    panel = panels.built()["bpttPanel"]
    assert tabs.widget(index) is panel and tabs.currentIndex() == index and panel.isVisible()
    assert not window.findChildren(PanelSlot, "bpttPanelSlot")  # the slot is gone
    assert panel.time == 4  # the time cursor of the window
    c = window.controller
    snap = wait_shown(qtbot, window, lambda s: "bptt" in s.analysis)  # the engine computes what is in view
    qtbot.waitUntil(lambda: c._fed.get("bpttPanel", (None,))[0] is c.shown, timeout=10000)
    snap = c.shown
    reference = BpttPanel()  # an independent panel, fed the same snapshot directly
    qtbot.addWidget(reference)
    assert reference.data_table()[1] == []  # (negative control: unfed, it shows nothing)
    apply_snapshot({"bpttPanel": reference}, snap, c.time)
    assert reference.data_table()[1] and panel.data_table() == reference.data_table()


def test_every_panel_is_built_once_the_window_is_on_screen_without_taking_its_focus(qtbot):
    window = make_window(qtbot, "adding")
    qtbot.waitUntil(lambda: all(window.panels.is_built(n) for n in window.panels), timeout=10000)
    assert not window.findChildren(PanelSlot)
    for name, (tabs, index) in window.tabs.items():
        assert tabs.widget(index) is window.panels[name]
    # a panel built while the window is up never shows a page of its own as a window of its own
    assert QApplication.activeWindow() is window
    assert all(w is window or not w.isVisible() for w in QApplication.topLevelWidgets()
               if w.isWindow() and w.objectName() not in ("", "qtooltip_label"))


def test_a_slot_asks_for_the_room_its_panel_took_last_time(qtbot, monkeypatch):
    """The docks are laid out at the first paint as they will be once the panels behind the tabs are
    built (no jump): each slot asks for its panel's minimum size as measured when it was last built."""
    window = make_window(qtbot, "adding")
    qtbot.waitUntil(lambda: all(window.panels.is_built(n) for n in window.panels), timeout=10000)
    built = window.panels["patternSearchPanel"].minimumSizeHint()
    monkeypatch.setattr(MainWindow, "build_hidden_panels", lambda self: None)
    second = MainWindow(remember=False)
    qtbot.addWidget(second)
    tabs, index = second.tabs["patternSearchPanel"]
    slot = tabs.widget(index)
    assert isinstance(slot, PanelSlot)
    assert (slot.minimumSizeHint().width(), slot.minimumSizeHint().height()) == (built.width(), built.height())
    assert built.width() > 0
    second.controller.dirty_since_save = False
