"""Gate statistics: saturation counts and memory half-lives (engine), and the panel that draws them."""
import math

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis.gate_stats import HALF_LIFE_CAP, forget_half_life, gate_statistics
from engine.network.probe import probe
from widgets.gates.gate_stats_panel import GateStatsPanel
from widgets.parts.base import LIGHT


def saturated_trace(cell: str, bidirectional=False, layers=1, scale=4.0):
    """A probed example whose recurrent weights are scaled up so that many gates saturate."""
    task = make_task("parity", seq_len=9)
    cfg = ModelConfig(cell=cell, hidden_size=6, num_layers=layers, bidirectional=bidirectional,
                      embedding_dim=4)
    model = build_model(cfg, task, seed=1)
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.mul_(scale)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(2))
    return probe(model, x, y)


def constant_gate(value, shape=(1, 1, 12, 3)):
    return np.full(shape, value, dtype=np.float32)


# ---- engine ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cell,bidirectional", [("lstm", False), ("gru", True)])
def test_saturation_fractions_equal_a_direct_count_on_a_trace(cell, bidirectional):
    trace = saturated_trace(cell, bidirectional, layers=2)
    stats = gate_statistics(trace.gates)
    assert stats["names"] == tuple(trace.gates)
    for name, v in trace.gates.items():
        if name in ("cell_candidate", "new"):
            low, high = np.sum(v < -0.95), np.sum(v > 0.95)
        else:
            low, high = np.sum(v < 0.05), np.sum(v > 0.95)
        assert stats["low"][name] == low / v.size
        assert stats["high"][name] == high / v.size
        assert stats["saturated"][name] == (low + high) / v.size
        lo = -0.95 if name in ("cell_candidate", "new") else 0.05
        per_layer = ((v < lo) | (v > 0.95)).mean(axis=(2, 3))  # (L, D)
        np.testing.assert_array_equal(stats["saturated_by_layer"][name], per_layer)
    assert max(stats["saturated"].values()) > 0.05  # the scaled weights do saturate: the count is not vacuous


def test_tanh_candidates_use_abs_above_095_and_sigmoid_gates_use_005_095():
    values = np.array([0.02, -0.99, 0.5, 0.97], dtype=np.float32).reshape(1, 1, 4, 1)
    stats = gate_statistics({"input": values, "forget": values, "cell_candidate": values, "output": values})
    assert stats["kind"]["input"] == "sigmoid" and stats["kind"]["cell_candidate"] == "tanh"
    assert stats["saturated"]["input"] == 0.75  # 0.02, -0.99 (< 0.05) and 0.97
    assert stats["saturated"]["cell_candidate"] == 0.5  # only |-0.99| and 0.97; 0.02 is the middle of tanh
    assert (stats["low"]["cell_candidate"], stats["high"]["cell_candidate"]) == (0.25, 0.25)


def test_half_life_of_a_constant_forget_gate():
    assert forget_half_life(constant_gate(0.5)).tolist() == [[[1.0, 1.0, 1.0]]]  # exactly one step
    f = np.float64(np.float32(0.9))  # the value the float32 gate really holds
    np.testing.assert_allclose(forget_half_life(constant_gate(0.9)), math.log(0.5) / math.log(f), rtol=1e-12)
    assert float(forget_half_life(constant_gate(0.9)).ravel()[0]) == pytest.approx(6.5788, abs=1e-4)  # by hand
    assert (forget_half_life(constant_gate(1.0)) == HALF_LIFE_CAP).all()  # f -> 1: capped, not inf
    assert (forget_half_life(constant_gate(0.0)) == 0.0).all()
    assert forget_half_life(constant_gate(1.0), cap=50.0).max() == 50.0


def test_half_life_averages_each_unit_over_time_only():
    f = np.zeros((2, 1, 4, 3))
    f[..., 0] = 0.5  # unit 0: always 0.5
    f[..., 1] = [0.1, 0.6, 0.8, 0.5]  # unit 1: mean 0.5 (median 0.55, geometric mean 0.39): one step
    f[..., 2] = 0.999999999999  # unit 2: half-life ~7e11 steps, capped
    f[1] = math.sqrt(0.5)  # layer 2: every unit two steps (0.7071^2 = 0.5)
    half = forget_half_life(f)
    assert half.shape == (2, 1, 3)
    np.testing.assert_allclose(half[0, 0], [1.0, 1.0, HALF_LIFE_CAP])
    np.testing.assert_allclose(half[1, 0], [2.0, 2.0, 2.0])


def test_statistics_use_the_forget_gate_for_lstm_and_the_update_gate_for_gru():
    lstm = gate_statistics({"input": constant_gate(0.1), "forget": constant_gate(0.5),
                            "cell_candidate": constant_gate(0.0), "output": constant_gate(0.99)})
    assert lstm["half_life_gate"] == "forget" and lstm["half_life_label"] == "forget gate f"
    np.testing.assert_array_equal(lstm["half_life"], 1.0)
    assert not lstm["half_life_capped"].any() and lstm["seq_len"] == 12
    gru = gate_statistics({"reset": constant_gate(0.5), "update": constant_gate(0.25),
                           "new": constant_gate(0.0)})
    assert gru["half_life_gate"] == "update" and gru["half_life_label"] == "update gate z"
    np.testing.assert_allclose(gru["half_life"], 0.5)  # ln 0.5 / ln 0.25
    keep = gate_statistics({"reset": constant_gate(0.5), "update": constant_gate(1.0),
                            "new": constant_gate(0.0)})
    assert keep["half_life_capped"].all()
    rnn = gate_statistics({})
    assert rnn["names"] == () and rnn["half_life"] is None


# ---- panel -----------------------------------------------------------------------------------
@pytest.fixture
def panel(qtbot):
    p = GateStatsPanel()
    qtbot.addWidget(p)
    p.resize(500, 350)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_panel_draws_the_saturated_fractions_and_sorted_half_lives(panel):
    assert panel.data_table() == ([], [])
    trace = saturated_trace("lstm", bidirectional=True, scale=2.0)
    stats = gate_statistics(trace.gates)
    panel.set_stats(stats)
    assert not panel.showing_message()
    for name, (low, high) in panel.bar_heights().items():
        assert low == pytest.approx(stats["low"][name]) and high == pytest.approx(stats["high"][name])
    half = stats["half_life"]  # (1, 2, 6)
    drawn = panel.life_values()
    expected = np.concatenate([np.sort(half[0, d])[::-1] for d in range(2)])
    floor = min(0.1, half.min() / 2)  # bars shorter than the axis floor start and end at it
    np.testing.assert_allclose(drawn, np.maximum(expected, floor), rtol=1e-9)
    assert drawn.max() > 1.0 and np.ptp(drawn) > 0.5  # real, varied half-lives: the check is not vacuous
    assert panel.seq_line.isVisible() and panel.seq_line.value() == pytest.approx(math.log10(9))
    header, rows = panel.data_table()
    lives = [r for r in rows if r[0] == "half-life (steps)"]
    assert len(lives) == 12 and lives[7][5] == pytest.approx(half[0, 1, 1])  # layer 1 backward unit 1
    assert "forget" in panel.life_plot.titleLabel.text
    panel.set_theme(True)
    assert panel.theme is LIGHT


def test_panel_marks_capped_units_and_names_the_gru_update_gate(panel):
    z = np.full((1, 1, 5, 4), 0.5)
    z[..., 3] = 1.0  # a unit that never forgets
    panel.set_stats(gate_statistics({"reset": z * 0, "update": z, "new": z * 0}))
    assert "update gate z" in panel.life_plot.titleLabel.text
    assert "1 at the cap" in panel.caption.text()
    brushes = panel.life_bars.opts["brushes"]
    assert brushes[0].color().name() == pg_color(panel.theme["accent"])  # sorted first: the capped unit
    assert brushes[1].color().name() != pg_color(panel.theme["accent"])
    assert panel.life_values()[0] == pytest.approx(HALF_LIFE_CAP)


def pg_color(c: str) -> str:
    from PySide6.QtGui import QColor

    return QColor(c).name()


def test_simple_rnn_shows_no_gates_and_a_new_lstm_brings_the_plots_back(panel):
    panel.set_stats(gate_statistics(saturated_trace("rnn_tanh").gates))
    assert panel.showing_message() and "no gates" in panel.caption.text()
    assert panel.data_table() == ([], [])
    panel.set_stats(gate_statistics(saturated_trace("lstm").gates))
    assert not panel.showing_message() and set(panel.bar_heights()) == {"input", "forget", "cell_candidate",
                                                                         "output"}
    panel.set_stats(None)
    assert panel.empty.shown() and not panel.life_bars.isVisible()
