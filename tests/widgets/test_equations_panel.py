"""EquationsPanel: every number shown is the trace's, the printed arithmetic adds up, and the code builds
the same model."""
import math
import re

import numpy as np
import pytest
import torch
from PySide6.QtGui import QGuiApplication

from engine import ModelConfig, build_model, make_task
from engine.network.probe import probe
from widgets.gates.equations_panel import EquationsPanel

HALF = 0.5e-3  # a number printed to three places is within this of the true value


def make(task_name="parity", cell="lstm", bidirectional=False, layers=1, merge="sum", init="default",
         seed=0, h0="zero", **params):
    task = make_task(task_name, **params)
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidirectional, merge=merge,
                      embedding_dim=3, init=init, h0=h0)
    model = build_model(cfg, task, seed=seed)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed + 3))
    config = {"task": task_name, "task_params": dict(task.params), "model": cfg.to_dict(), "train": {}}
    return task, model, x, probe(model, x, y), config


@pytest.fixture
def panel(qtbot):
    p = EquationsPanel()
    qtbot.addWidget(p)
    p.resize(500, 350)
    p.show()
    qtbot.waitExposed(p)
    return p


def show(panel, task, trace, config, layer=0, d=0, t=0, unit=0):
    info = task.info()
    if task.input_kind == "tokens":
        info["vocab"] = list(task.vocab)
    panel.set_config(config)
    panel.set_task_info(info)
    panel.set_trace(trace)
    panel.selectors.layer_combo.setCurrentIndex(layer)
    panel.selectors.direction_combo.setCurrentIndex(d)
    panel.unit_spin.setValue(unit)
    panel.set_time(t)
    return dict(panel.data_table()[1])


def num(s: str) -> float:
    return float(s.strip("()").replace("−", "-"))


def line(panel, start: str) -> str:
    found = [ln for ln in panel.plain_text().splitlines() if ln.startswith(start)]
    assert len(found) == 1, (start, panel.plain_text())
    return found[0]


def printed(text: str, pattern: str) -> list[float]:
    m = re.search(pattern, text)
    assert m, (pattern, text)
    return [num(g) for g in m.groups()]


NUMBER = r"(\(?−?\d+\.\d{3,}\)?)"  # (3 places, more for an operand where 3 would not add up)


@pytest.mark.parametrize("layer,d,t,unit", [(0, 0, 0, 0), (0, 0, 4, 2), (1, 1, 3, 4), (1, 1, 6, 1),
                                            (1, 0, 5, 3)])
def test_lstm_numbers_are_the_trace_and_the_arithmetic_adds_up(panel, layer, d, t, unit):
    task, _m, _x, tr, cfg = make(cell="lstm", bidirectional=True, layers=2, seq_len=7)
    rows = show(panel, task, tr, cfg, layer, d, t, unit)
    prev = t - 1 if d == 0 else t + 1
    p = "t−1" if d == 0 else "t+1"
    symbol = {"input": "i", "forget": "f", "cell_candidate": "g", "output": "o"}
    expect = {symbol[name] + "_t": tr.gates[name][layer, d, t, unit] for name in tr.gates}
    expect.update({"c_t": tr.cell[layer, d, t, unit], "h_t": tr.hidden[layer, d, t, unit],
                   f"c_{p}": tr.cell[layer, d, prev, unit] if 0 <= prev < 7 else 0.0})
    for q, v in expect.items():
        assert rows[q] == float(v), q  # the table holds the trace's own numbers
    a = "→←"[d]  # bidirectional: the chain's states are h→_t / h←_t (the deck's notation)
    c_line = line(panel, f"c{a}t = ft ⊙")
    f, c_prev, i, g, c = printed(c_line, rf"= {NUMBER}·{NUMBER} \+ {NUMBER}·{NUMBER} = {NUMBER}$")
    for shown, q in ((f, "f_t"), (c_prev, f"c_{p}"), (i, "i_t"), (g, "g_t"), (c, "c_t")):
        assert abs(shown - expect[q]) <= HALF + 1e-9, q
    assert abs(f * c_prev + i * g - c) <= HALF * (abs(f) + abs(c_prev) + abs(i) + abs(g) + 1) + 1e-6
    o, c2, h = printed(line(panel, f"h{a}t = ot ⊙ tanh"), rf"= {NUMBER}·tanh\({NUMBER}\) = {NUMBER}$")
    assert c2 == c and abs(h - expect["h_t"]) <= HALF + 1e-9 and abs(o - expect["o_t"]) <= HALF + 1e-9
    assert abs(o * math.tanh(c2) - h) <= HALF * (abs(o) + 2) + 1e-6
    for q in ("i_t", "f_t", "g_t", "o_t"):  # each gate's own line ends in its value
        value = re.escape(f"{expect[q]:.3f}".replace("-", "−"))
        assert re.search(rf"^{q[0]}t = .* = {value} ", panel.plain_text(), re.M), q


@pytest.mark.parametrize("d,t", [(0, 0), (0, 5), (1, 2), (1, 7)])
def test_gru_numbers_and_update_arithmetic(panel, d, t):
    task, _m, _x, tr, cfg = make(cell="gru", bidirectional=True, seq_len=8)
    rows = show(panel, task, tr, cfg, 0, d, t, 3)
    prev = t - 1 if d == 0 else t + 1
    h_prev = tr.hidden[0, d, prev, 3] if 0 <= prev < 8 else 0.0
    r, z, n = (tr.gates[k][0, d, t, 3] for k in ("reset", "update", "new"))
    assert (rows["r_t"], rows["z_t"], rows["n_t"], rows["h_t"]) == (r, z, n, tr.hidden[0, d, t, 3])
    assert rows["h_t−1" if d == 0 else "h_t+1"] == float(h_prev)
    a = "→←"[d]
    z1, n1, z2, hp, h = printed(line(panel, f"h{a}t = (1 − zt) ⊙ nt"),
                                rf"= \(1 − {NUMBER}\)·{NUMBER} \+ {NUMBER}·{NUMBER} = {NUMBER}$")
    assert z1 == z2 and abs(z1 - z) <= HALF and abs(n1 - n) <= HALF and abs(hp - h_prev) <= HALF + 1e-9
    assert abs((1 - z1) * n1 + z1 * hp - h) <= HALF * (abs(n1) + abs(hp) + 2) + 1e-6
    text = panel.plain_text()
    assert f"rt ⊙ (W{a}hn h{a}t" in text and "Whn (rt ⊙ h" in text  # torch's form and the paper's
    # an acceptor's head reads h→_n + h←_1 (the backward chain ends at position 1), named with its value
    fwd, bwd, merged = printed(line(panel, "the head reads h→n + h←1"),
                               rf"= {NUMBER} \+ {NUMBER} = {NUMBER} the forward")
    assert rows["head input[3]"] == float(tr.head_input[3])
    assert abs(fwd - tr.hidden[0, 0, 7, 3]) <= HALF and abs(bwd - tr.hidden[0, 1, 0, 3]) <= HALF
    assert abs(merged - tr.head_input[3]) <= HALF and abs(fwd + bwd - merged) <= 3 * HALF
    assert "ht = h→t + h←t" not in text  # the merge at t is not what this head reads


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu"])
def test_simple_rnn_shows_previous_and_current_state(panel, cell):
    task, _m, _x, tr, cfg = make("adding", cell=cell, seq_len=6)
    rows = show(panel, task, tr, cfg, 0, 0, 4, 1)
    assert rows["h_t−1"] == float(tr.hidden[0, 0, 3, 1]) and rows["h_t"] == float(tr.hidden[0, 0, 4, 1])
    fn = "ReLU" if cell == "rnn_relu" else "tanh"
    assert line(panel, "ht = ").startswith(f"ht = {fn}(Whh ht−1 + Wxh xt + bh)")
    hp, h = printed(line(panel, "ht−1 = "), rf"^ht−1 = {NUMBER} → ht = {NUMBER}$")
    assert abs(hp - tr.hidden[0, 0, 3, 1]) <= HALF and abs(h - tr.hidden[0, 0, 4, 1]) <= HALF
    assert rows["y"] == pytest.approx(float(np.asarray(tr.outputs).reshape(-1)[0]))


def test_attention_weight_and_concat_merge(panel):
    task, _m, _x, tr, cfg = make("sentiment", cell="lstm", bidirectional=True, merge="concat")
    rows = show(panel, task, tr, cfg, 0, 1, 2, 4)
    assert rows["alpha_t"] == float(tr.attention[2])
    assert rows["merged h_t[4]"] == float(tr.hidden[0, 0, 2, 4])  # concat: entry u is h→, entry H + u is h←
    assert rows["merged h_t[9]"] == float(tr.hidden[0, 1, 2, 4])
    assert "αt = exp(wαT ht)" in panel.plain_text()


CONFIGS = [  # task, cell, bidirectional, layers, merge, init
    ("parity", "lstm", True, 2, "sum", "default"),
    ("parity", "gru", True, 1, "concat", "orthogonal"),
    ("tagging", "rnn_relu", True, 2, "sum", "identity"),
    ("sentiment", "gru", True, 1, "concat", "default"),
    ("dna_motif", "lstm", True, 1, "sum", "default"),
    ("adding", "lstm", False, 3, "sum", "default"),
    ("copy_memory", "rnn_tanh", False, 1, "sum", "orthogonal"),
    ("adding", "lstm", True, 2, "sum", "default", "random"),  # initial states h0, c0 (ModelConfig.h0)
    ("parity", "gru", False, 1, "sum", "default", "learned"),
]
CONFIGS = [c if len(c) == 7 else (*c, "zero") for c in CONFIGS]


@pytest.mark.parametrize("task_name,cell,bi,layers,merge,init,h0", CONFIGS)
def test_generated_code_builds_the_same_model(panel, task_name, cell, bi, layers, merge, init, h0):
    task, model, x, tr, cfg = make(task_name, cell=cell, bidirectional=bi, layers=layers, merge=merge,
                                   init=init, h0=h0)
    show(panel, task, tr, cfg)
    ns: dict = {}
    exec(panel.code(), ns)  # noqa: S102 (our own generated code)
    rnn = ns["rnn"]
    assert {n: tuple(p.shape) for n, p in rnn.named_parameters()} == \
        {n: tuple(p.shape) for n, p in model.encoder.named_parameters()}
    assert type(rnn) is type(model.encoder)
    if cell.startswith("rnn"):
        assert rnn.nonlinearity == model.encoder.nonlinearity == cell.removeprefix("rnn_")
    H, G = 5, {"lstm": 4, "gru": 3}.get(cell, 1)
    block = rnn.weight_hh_l0.detach().view(G, H, H)[0]
    if init == "orthogonal":
        torch.testing.assert_close(block @ block.T, torch.eye(H), atol=1e-5, rtol=0)
    elif init == "identity":
        torch.testing.assert_close(block, torch.eye(H))
        torch.testing.assert_close(rnn.bias_ih_l0.detach(), torch.zeros(H))
    # with the model's weights, the code's forward() gives the model's outputs
    pairs = [("embed", model.embed), ("rnn", model.encoder), ("head", model.head)]
    if task.output_kind == "attention":
        pairs.append(("w_alpha", model.attn))
    for name, module in pairs:
        ns[name].load_state_dict(module.state_dict())
    for name in ("h0", "c0"):  # the model's initial state (a learned one moved off zero)
        if hasattr(model, name):
            with torch.no_grad():
                getattr(model, name).copy_(torch.randn(getattr(model, name).shape))
            ns[name] = getattr(model, name).detach().clone()  # forward() reads the module-level h0 / c0
    with torch.no_grad():
        torch.testing.assert_close(ns["forward"](x), model.eval()(x), atol=1e-5, rtol=1e-5)


def test_weight_layout_names_and_shapes_are_the_encoders(panel):
    task, model, _x, tr, cfg = make(cell="gru", bidirectional=True, layers=2, seq_len=6)
    show(panel, task, tr, cfg, layer=1, d=1, t=2, unit=3)
    text = panel.plain_text()
    reverse = [(n, p) for n, p in model.encoder.named_parameters() if n.endswith("_l1_reverse")]
    assert len(reverse) == 4
    for name, p in reverse:  # the table's name and shape cells, as torch has them
        assert f"{name}\n{tuple(p.shape)}" in text, name
    assert "unit 3 uses rows 3, 8, 13" in text  # r, z, n blocks of weight_hh
    assert "weight_ih_l1_reverse\n(15, 10)" in text  # layer 2 reads [h→; h←] = 2H


def test_copy_button_puts_the_code_on_the_clipboard_and_empty_states(panel):
    assert panel.data_table() == ([], []) and panel.code() == "" and not panel.copy_button.isEnabled()
    task, _m, _x, tr, cfg = make(cell="lstm", bidirectional=True)
    panel.set_config(cfg)
    assert "rnn = nn.LSTM(input_size=3, hidden_size=5, num_layers=1, batch_first=True, bidirectional=True)" \
        in panel.code()
    assert "h = out[..., :5] + out[..., 5:]  # the lecture's sum" in panel.code()
    show(panel, task, tr, cfg)
    QGuiApplication.clipboard().clear()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == panel.code() and "nn.Embedding(2, 3)" in panel.code()
    panel.set_theme(True)
    assert panel.data_table()[1][0] == ["t", 0]
