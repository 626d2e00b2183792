"""Issue 25 (redraw): moving the time cursor redraws the panels in view only; a panel behind a tab follows
the cursor when it comes into view (before, every built panel redrew at every move: ~0.8 ms a step of
Play t spent on panels nobody saw)."""
from tests.app.test_main_window import make_window


def test_a_panel_behind_a_tab_follows_the_time_cursor_when_it_comes_into_view(qtbot):
    window = make_window(qtbot, "adding")
    controller = window.controller
    window.show_panel("equationsPanel")  # built, then put behind its tab by the gates panel
    qtbot.waitUntil(lambda: "equationsPanel" in controller._visible, timeout=5000)
    window.show_panel("gatesPanel")
    qtbot.waitUntil(lambda: "equationsPanel" not in controller._visible and "gatesPanel" in controller._visible,
                    timeout=5000)
    hidden, shown = window.panels["equationsPanel"], window.panels["gatesPanel"]
    calls = []
    for panel in (hidden, shown):
        original = panel.set_time
        panel.set_time = lambda t, panel=panel, original=original: (calls.append(panel.objectName()),
                                                                     original(t))[1]
    controller.set_time(7)
    assert calls == ["gatesPanel"] and shown.time == 7  # control: the panel in view moved
    assert hidden.time != 7
    window.show_panel("equationsPanel")
    qtbot.waitUntil(lambda: hidden.time == 7, timeout=5000)  # caught up as it came into view
