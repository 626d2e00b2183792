"""Issue 25, "a preset brings its panels to the front (no irrelevant tab left in front)": after every
Lecture preset, at a projector size and a large one, no dock shows in front a panel that only says why it
does not apply (the vanishing preset's "This head does not attend") while another of its tabs has data;
and each panel's rule (Panel.not_applicable_to) is the state it is really in for that model."""
import pytest
import torch

from app.lecture.menu import departures
from app.panels.front_tabs import misplaced_fronts, reason, tab_pages
from app.panels.registry import PANELS
from engine import ModelConfig, build_model, make_task
from engine.network.probe import probe
from tests.app.test_main_window import make_window, wait_shown
from widgets.gates.gate_products_panel import GateProductsPanel
from widgets.gates.gates_panel import GatesPanel
from widgets.readout.attention_panel import AttentionPanel


def trace_of(task_name, **model):
    task = make_task(task_name)
    m = build_model(ModelConfig(**{"hidden_size": 6, "embedding_dim": 4, **model}), task, seed=0)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(3))
    return probe(m, x, y)


# the panel's own state, read from its widgets (independent of not_applicable_to): showing its message?
SHOWS_MESSAGE = {AttentionPanel: lambda p: not p.showing_plot(),
                 GatesPanel: lambda p: p.stack.currentIndex() == 1,
                 GateProductsPanel: lambda p: p.no_gates.isVisibleTo(p)}


@pytest.mark.parametrize("cls", list(SHOWS_MESSAGE))
def test_each_rule_is_the_panels_own_message_state(qtbot, cls):
    simple = trace_of("adding", cell="rnn_tanh")  # a regression head, no gates, no attention
    rich = trace_of("sentiment", cell="lstm")  # an attention head over an LSTM
    for trace, expect in ((simple, True), (rich, False)):
        panel = cls()
        qtbot.addWidget(panel)
        panel.set_trace(trace)
        panel.set_time(0)
        assert SHOWS_MESSAGE[cls](panel) == expect == bool(cls.not_applicable_to(trace)), (cls, trace.output_kind)


def test_the_rules_say_what_a_simple_regression_model_lacks():
    simple = trace_of("adding", cell="rnn_tanh")
    lacking = {spec.name for spec in PANELS if reason(spec.name, simple)}
    assert {"attentionPanel", "gatesPanel", "gateStatsPanel", "gateProductsPanel", "gateSaturationPanel",
            "nextCharPanel"} == lacking
    assert not any(reason(spec.name, trace_of("sentiment", cell="lstm")) for spec in PANELS
                   if spec.name != "nextCharPanel")  # negative control: an attending LSTM lacks none of them


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_no_preset_leaves_a_tab_in_front_that_does_not_apply(qtbot, size):
    window = make_window(qtbot, "parity", cell="gru")
    window.resize(*size)
    window.reset_layout()
    for preset in window.lecture.presets:
        window.lecture.apply(preset)
        snap = wait_shown(qtbot, window, lambda s, p=preset: not departures(p.config, s.config))
        qtbot.waitUntil(lambda: not window.lecture.fronts_pending, timeout=5000)
        qtbot.wait(50)
        assert misplaced_fronts(window, snap.trace, visible_only=False) == [], preset.id
        for tabs, names in tab_pages(window).items():  # the panel in front of a visible dock is not a message
            front = names[tabs.currentIndex()]
            panel = window.panels[front] if front and window.panels.is_built(front) else None
            if tabs.isVisible() and type(panel) in SHOWS_MESSAGE:
                qtbot.waitUntil(lambda p=panel: p.trace is window.controller.shown.trace, timeout=5000)
                assert not SHOWS_MESSAGE[type(panel)](panel), (preset.id, front)
    # negative control: the attention tab put back in front of the vanishing preset's model is found
    tabs, _index = window.tabs["attentionPanel"]
    tabs.setCurrentIndex(tab_pages(window)[tabs].index("attentionPanel"))
    found = misplaced_fronts(window, window.controller.shown.trace, visible_only=False)
    assert ("attentionTabs", "attentionPanel", "attributionPanel") in found


@pytest.mark.parametrize("rule", [True, False])
def test_the_vanishing_preset_brings_forward_attribution_not_the_attention_tab(qtbot, rule):
    """With the rule: the attention dock shows attribution (data without a click; the counterfactual waits
    for Apply). Without it (negative control of the walk): "This head does not attend" stays in front."""
    window = make_window(qtbot, "sentiment")
    window.show_panel("attentionPanel")
    vanishing = next(p for p in window.lecture.presets if p.id == "vanishing")
    window.lecture.apply(vanishing)
    window.lecture.fronts_pending = rule
    snap = wait_shown(qtbot, window, lambda s: not departures(vanishing.config, s.config))
    qtbot.waitUntil(lambda: not window.lecture.fronts_pending, timeout=5000)
    tabs, _index = window.tabs["attentionPanel"]
    front = tab_pages(window)[tabs][tabs.currentIndex()]
    found = misplaced_fronts(window, snap.trace, visible_only=False)
    if rule:
        assert front == "attributionPanel" and found == []
        qtbot.waitUntil(lambda: window.panels["attributionPanel"].data_table()[1] != [], timeout=20000)
    else:
        assert front == "attentionPanel" and ("attentionTabs", "attentionPanel", "attributionPanel") in found


@pytest.mark.parametrize("rule", [True, False])
def test_a_lesson_step_leaves_no_tab_in_front_that_does_not_apply(qtbot, rule, monkeypatch):
    """The gating lesson starts from its preset (the gates panel in front) with a simple RNN: with the rule the
    gates dock brings forward a tab that applies (not "A simple RNN has no gates"), as after a preset. Without
    it (negative control) the gates panel's message stays in front."""
    from app.lessons.driver import LessonDriver

    if not rule:
        monkeypatch.setattr(LessonDriver, "_bring_fronts", lambda self, snap: None)
    window = make_window(qtbot, "temporal_order", cell="lstm")
    lesson = window.lessons.lessons["gating"]
    assert lesson.steps[0].config.model.cell == "rnn_tanh" and "gatesPanel" not in lesson.steps[0].show
    window.show_panel("gatesPanel")
    assert window.lessons.driver.open(lesson, resume=False)
    snap = wait_shown(qtbot, window, lambda s: s.config["model"]["cell"] == "rnn_tanh")
    qtbot.wait(50)
    tabs, _index = window.tabs["gatesPanel"]
    front = tab_pages(window)[tabs][tabs.currentIndex()]
    found = misplaced_fronts(window, snap.trace, visible_only=False)
    if rule:
        assert found == [] and front != "gatesPanel" and not reason(front, snap.trace)
    else:
        assert front == "gatesPanel" and any(f[:2] == ("gatesTabs", "gatesPanel") for f in found), found
