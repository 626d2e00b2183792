"""Issue 25, the stage: a preset's panels side by side (not tabs of one dock), and in presentation mode
the network column plus the stage, Tab cycling the staged panel, Esc leaving."""
from PySide6.QtCore import Qt

from tests.app.test_main_window import make_window


def tab_names(window):
    return {name: tabs.indexOf(window.panels[name]) for name, (tabs, _i) in window.tabs.items()}


def test_a_preset_puts_its_panels_side_by_side_and_another_puts_them_back(qtbot):
    window = make_window(qtbot, "adding")
    homes = tab_names(window)
    vanishing = next(p for p in window.lecture.presets if p.id == "vanishing")
    assert window.tabs["gradientPanel"][0] is window.tabs["vanishingPanel"][0]  # one dock's tabs at home
    window.lecture.apply(vanishing)
    grad, van = window.panels["gradientPanel"], window.panels["vanishingPanel"]
    qtbot.waitUntil(lambda: grad.isVisible() and van.isVisible(), timeout=3000)  # both at once
    assert not grad.visibleRegion().isEmpty() and not van.visibleRegion().isEmpty()
    tagging = next(p for p in window.lecture.presets if p.id == "tagging")
    window.lecture.apply(tagging)
    qtbot.waitUntil(lambda: window.panels["hiddenHeatmap"].isVisible(), timeout=3000)
    assert tab_names(window) == homes  # every panel back in its tab, in its place
    assert not (grad.isVisible() and van.isVisible())  # negative control: tabs of one dock again


def test_presentation_mode_stages_the_preset_cycles_with_tab_and_leaves_with_esc(qtbot):
    window = make_window(qtbot, "adding")
    window.resize(1280, 720)
    window.reset_layout()
    homes = tab_names(window)
    pres, stage = window.classroom.presentation, window.classroom.stage
    window.lecture.apply(next(p for p in window.lecture.presets if p.id == "vanishing"))
    pres.presentation_action.setChecked(True)
    try:
        qtbot.waitUntil(lambda: window.panels["vanishingPanel"].isVisible(), timeout=3000)
        assert stage.names == ("gradientPanel", "vanishingPanel")
        assert window.panels["gradientPanel"].isVisible()
        assert all(not d.isVisible() for d in window.docks.values())  # controls and other docks step aside
        qtbot.waitUntil(lambda: window.unrolled.height() >= 0.5 * window.height(), timeout=3000)  # issue 25
        note = window.lecture_note
        assert note.isVisible() and stage.side.isAncestorOf(note)  # the preset's note above the stage
        row = window.findChild(type(stage.splitter), "stageRow")
        assert row.sizes()[0] >= 0.45 * sum(row.sizes())  # the network column keeps half the width
        for w in (window.transport.train_button, window.transport.step_button, window.transport.reset_button,
                  window.transport.play_button, window.transport.bptt_button, window.transport.slider):
            assert w.isVisible()
        stage.cycle(1)  # Tab
        assert stage.names != ("gradientPanel", "vanishingPanel") and len(stage.names) == 1
        assert window.panels[stage.names[0]].isVisible()
        stage.cycle(-1)  # Shift+Tab: the preset's group again
        assert stage.names == ("gradientPanel", "vanishingPanel")
        window.show_panel("vanishingPanel")  # a slide naming a staged panel: it stays beside the network, and
        assert not stage.dock.isVisible()  # its empty dock does not show up over the menu bar (slide 30)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key_Escape)
        assert not pres.presentation_action.isChecked()
    finally:
        pres.presentation_action.setChecked(False)
    qtbot.waitUntil(lambda: window.docks["controlsDock"].isVisible(), timeout=3000)
    qtbot.wait(300)  # (Reset layout after leaving)
    assert tab_names(window) == homes and not stage.names  # every panel back home
    center = window.findChild(type(stage.splitter), "centerSplitter")
    assert center.widget(0) is window.lecture_note and window.lecture_note.isVisible()  # the note back too
