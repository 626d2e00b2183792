"""The lecture's ideas the panels now show, each number checked against an independent computation:
gate products, the next-character distribution and generation, BPTT's sum over time, the head's
input, parameter sharing, attention stages, compare-window sizes and speeds, the PyTorch slide and
the GRU's bias note."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import bptt_contributions, gate_products
from engine.lab.compare_session import CompareSession
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.network.probe import probe
from widgets.gates.equations_panel import EquationsPanel
from widgets.gates.gate_products_panel import GateProductsPanel
from widgets.gradients.bptt_panel import BpttPanel
from widgets.network.unrolled_view import UnrolledView
from widgets.readout.next_char_panel import NextCharPanel


def model_and_trace(task_name="temporal_order", seed=0, **model):
    task = make_task(task_name, **({"seq_len": 9} if task_name in ("temporal_order", "adding") else {}))
    cfg = ModelConfig(**{"hidden_size": 6, "embedding_dim": 4, **model})
    m = build_model(cfg, task, seed=seed)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed + 5))
    return task, m, x, y, probe(m, x, y)


def session(task_name, steps=0, **model):
    cfg = LabConfig.for_task(task_name)
    s = LabSession(replace(cfg, model=ModelConfig(**{**cfg.model.to_dict(), **model})))
    for _ in range(steps):
        s.step()
    return s


# ---- gate products -------------------------------------------------------------------------------
@pytest.mark.parametrize("bidir,h0", [(False, "zero"), (True, "random")])
def test_lstm_gate_products_rebuild_the_memory_and_the_state(bidir, h0):
    _t, m, _x, _y, tr = model_and_trace(cell="lstm", bidirectional=bidir, num_layers=2, h0=h0)
    pl = gate_products(m, tr)
    (_, _, forget), (_, _, write), (_, _, show) = pl["products"]
    assert [f[0] for f in forget] == ["f_t", "c_{t−1}", "f_t ⊙ c_{t−1}"]
    for factors in (forget, write, show):
        np.testing.assert_allclose(factors[0][2] * factors[1][2], factors[2][2], rtol=1e-6)
    np.testing.assert_allclose(forget[2][2] + write[2][2], tr.cell, atol=1e-5)  # c_t = f⊙c_{t−1} + i⊙g
    np.testing.assert_allclose(show[2][2], tr.hidden, atol=1e-5)  # h_t = o ⊙ tanh c_t
    # the first step of each chain multiplies the initial memory c_0 (random here: not zero)
    np.testing.assert_allclose(forget[1][2][:, 0, 0], tr.initial_cell[:, 0], rtol=1e-6)
    if h0 == "random":
        assert np.abs(tr.initial_cell).max() > 0.1
        np.testing.assert_allclose(forget[1][2][:, 1, -1], tr.initial_cell[:, 1], rtol=1e-6)


def test_gru_reset_product_is_inside_the_candidate():
    _t, m, x, _y, tr = model_and_trace(cell="gru", bidirectional=True)
    pl = gate_products(m, tr)
    (_, _, update), (_, _, reset) = pl["products"]
    H = 6
    emb = m.embed(x)[0].detach()  # (T, E)
    for d, sfx in enumerate(("_l0", "_l0_reverse")):
        w_in = getattr(m.encoder, f"weight_ih{sfx}")[2 * H:].detach()
        b_in = getattr(m.encoder, f"bias_ih{sfx}")[2 * H:].detach()
        inside = torch.as_tensor(reset[2][2][0, d])  # r ⊙ (W_hn h + b_hn), (T, H)
        n = torch.tanh(emb @ w_in.T + b_in + inside)  # the GRU's candidate, rebuilt by torch
        np.testing.assert_allclose(n.numpy(), tr.gates["new"][0, d], atol=1e-5)
        # negative control: without b_hn inside the product the candidate is wrong
        b_hn = getattr(m.encoder, f"bias_hh{sfx}")[2 * H:].detach()
        wrong = torch.tanh(emb @ w_in.T + b_in + torch.as_tensor(reset[0][2][0, d]) * (torch.as_tensor(
            reset[1][2][0, d]) - b_hn))
        assert np.abs(wrong.numpy() - tr.gates["new"][0, d]).max() > 1e-3
    z, hp = update[0][2], update[1][2]
    np.testing.assert_allclose((1 - z) * tr.gates["new"] + z * hp, tr.hidden, atol=1e-5)


def test_simple_rnn_has_no_products(qtbot):
    _t, m, _x, _y, tr = model_and_trace(cell="rnn_tanh")
    assert gate_products(m, tr) is None
    panel = GateProductsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_trace(tr)
    panel.set_products(None)
    assert panel.no_gates.isVisible() and not panel.canvas.isVisible()


def test_gate_products_panel_shows_the_cursor_step(qtbot):
    _t, m, _x, _y, tr = model_and_trace(cell="lstm")
    panel = GateProductsPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 320)
    panel.show()
    panel.set_trace(tr)
    panel.set_products(gate_products(m, tr))
    panel.set_time(4)
    header, rows = panel.data_table()
    assert header[1:4] == ["f_t", "c_{t−1}", "f_t ⊙ c_{t−1}"] and len(rows) == 6
    assert rows[2][1] == pytest.approx(float(tr.gates["forget"][0, 0, 4, 2]))
    assert rows[2][2] == pytest.approx(float(tr.cell[0, 0, 3, 2]))
    assert "t = 5" in panel.caption.text()


# ---- next character ----------------------------------------------------------------------------
def test_next_character_bars_are_the_models_softmax(qtbot):
    s = session("charlm", steps=3)
    snap = s.snapshot()
    panel = NextCharPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_task_info(snap.task_info)
    panel.set_trace(snap.trace)
    inputs, targets = s.example
    with torch.no_grad():
        probs = torch.softmax(s.model.eval()(inputs)[0], dim=-1).numpy()  # (T, V): softmax of the logits
    vocab = s.task.vocab
    for t in (0, 7, 20):
        panel.set_time(t)
        labels = [lab.replace("\u2423", " ") for lab, _p, _m in panel.shown]
        shown = np.array([p for _l, p, _m in panel.shown])
        order = np.argsort(-probs[t], kind="stable")[:10]
        assert labels[:10] == [vocab[i] for i in order]
        np.testing.assert_allclose(shown[:10], probs[t, order], rtol=1e-5, atol=1e-7)
        nxt = vocab[int(targets[0, t])]
        marked = [lab for lab, _p, m in panel.shown if m]
        assert marked == [nxt.replace(" ", "\u2423")]  # the actual next character, and only it
        assert np.isclose([p for _l, p, m in panel.shown if m][0], probs[t, int(targets[0, t])], rtol=1e-5)
        assert "Character-level" in panel.caption.text()
    # negative control: a softmax at another temperature would not match
    assert not np.allclose(shown[:10], torch.softmax(torch.log(torch.as_tensor(probs[20])) / 2, 0).numpy()[order])


def test_generation_keeps_each_characters_distribution(qtbot):
    s = session("charlm", steps=3)
    r = s.request_generate_steps("the ", 25, 0.7)
    learned, sampled = r["learned"], r["sampled"]
    assert learned.shape == sampled.shape == (25, len(s.task.vocab)) and r["temperature"] == 0.7
    tempered = torch.softmax(torch.log(torch.as_tensor(learned, dtype=torch.float64)) / 0.7, dim=-1).numpy()
    np.testing.assert_allclose(sampled, tempered, atol=1e-5)  # softmax(logits / T), recomputed
    idx = [s.task.vocab.index(c) for c in r["text"]]
    assert (sampled[np.arange(25), idx] > 0).all()
    greedy = s.request_generate_steps("the ", 10, 0.0)
    assert [s.task.vocab[i] for i in greedy["learned"].argmax(1)] == list(greedy["text"])
    panel = NextCharPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_generation(r)
    panel.slider.setValue(5)
    marked = [(lab, p) for lab, p, m in panel.shown if m]
    assert marked[0][0].replace("\u2423", " ") == r["text"][5]
    assert marked[0][1] == pytest.approx(float(sampled[5, idx[5]]))
    assert "temperature 0.7" in panel.caption.text()
    panel.back_button.click()
    assert panel.generated is None and not panel.slider.isVisible()


# ---- BPTT's sum ---------------------------------------------------------------------------------
def test_bptt_panel_sums_to_autograds_gradient_and_accumulates(qtbot):
    s = session("adding", steps=2, cell="rnn_tanh")
    s.analyses.wanted = {"bptt"}
    snap = s.snapshot()
    tr, T = snap.trace, snap.trace.seq_len
    panel = BpttPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_trace(tr)
    panel.set_bptt(snap.analysis["bptt"])
    grad = tr.param_grads["encoder.weight_hh_l0"]
    assert panel.shown["total"] == pytest.approx(float(np.linalg.norm(grad)), rel=1e-6)
    assert panel.shown["so_far"] == pytest.approx(float(np.linalg.norm(grad)), rel=1e-4)  # all steps: the total
    terms = bptt_contributions(s.model, *s.example)["weight_hh_l0"].astype(np.float64)  # (T, H, H)
    for k in (T - 1, T // 2, 3):
        panel.set_backward_step(k)  # BPTT has visited t = T-1 .. k
        assert len(panel.shown["t"]) == T - k
        assert panel.shown["so_far"] == pytest.approx(float(np.linalg.norm(terms[k:].sum(0))), rel=1e-4)
        # negative control: the sum over the steps not yet visited is a different number
        assert abs(panel.shown["so_far"] - float(np.linalg.norm(terms[:k].sum(0)))) > 1e-6
    panel.set_backward_step(None)
    assert len(panel.shown["t"]) == T


# ---- the head's input, sharing, stages, notation -----------------------------------------------
def test_unrolled_view_names_the_acceptors_input_with_its_value(qtbot):
    _t, m, _x, _y, tr = model_and_trace("parity", cell="gru", bidirectional=True)
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    view.set_trace(tr)
    T = tr.seq_len
    sub = str(T).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    assert view.head_input_text.text() == f"head input = h→{sub} + h←₁"
    np.testing.assert_allclose(tr.head_input, tr.hidden[0, 0, T - 1] + tr.hidden[0, 1, 0], rtol=1e-6)
    tip = view.head_input_strip.toolTip()
    assert f"{tr.head_input[0]:+.3f}" in tip and "position 1" in tip
    assert not view.stage_items  # only attention models get the four stages


def test_attention_model_labels_embed_encode_attend_predict(qtbot):
    _t, m, _x, _y, tr = model_and_trace("sentiment", cell="gru")
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    view.set_trace(tr)
    assert list(view.stage_items) == ["embed", "encode", "attend", "predict"]
    ys = [view.stage_items[k].sceneBoundingRect().center().y() for k in view.stage_items]
    assert ys == sorted(ys, reverse=True)  # bottom to top, as data flows
    view.resize(420, 400)
    view.set_time(tr.seq_len - 1)  # scrolled to the end: the labels slide along and stay in view
    qtbot.wait(20)
    shown = view.view.mapToScene(view.view.viewport().rect()).boundingRect()
    assert shown.left() > 0  # the first column is out of view
    for item in view.stage_items.values():
        assert shown.contains(item.sceneBoundingRect().center())


def test_clicking_a_cell_shows_the_weights_every_column_shares(qtbot):
    _t, m, _x, _y, tr = model_and_trace("parity", cell="lstm", bidirectional=True)
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    view.set_trace(tr)
    plain = view.legend.text()
    centre = view.cell_items[(0, 1, 3)].sceneBoundingRect().center()
    assert view.chain_at(centre) == (0, 1)
    view.sharing.click((0, 1))
    caption = view.legend.text()
    T, H = tr.seq_len, 6
    assert f"all {T} columns of layer 1 h←" in caption
    assert f"W←_xh {4 * H}×4" in caption and f"W←_hh {4 * H}×{H}" in caption
    assert f"b← = bias_ih + bias_hh, 2 × {4 * H}" in caption  # PyTorch's two bias vectors, both counted
    n = sum(p.numel() for name, p in m.encoder.named_parameters() if name.endswith("_l0_reverse"))
    assert f"{n:,} parameters" in caption and n == 4 * H * 4 + 4 * H * H + 2 * 4 * H  # the listed shapes add up
    # another cell of the same shape: the caption names its shapes, not the last model's
    _t2, m2, _x2, _y2, tr2 = model_and_trace("parity", cell="gru", bidirectional=True)
    view.set_trace(tr2)
    assert f"W←_hh {3 * H}×{H}" in view.legend.text() and f"W←_hh {4 * H}×{H}" not in view.legend.text()
    view.set_trace(tr)
    assert view.legend.text() == caption
    labels = [it for it in view.sharing.items if hasattr(it, "text")]
    assert sum(lab.text() == "W←_hh" for lab in labels) == T  # every column carries the same W_hh
    view.sharing.hover(None)
    assert view.legend.text() == caption  # selected: stays when the mouse leaves
    view.sharing.click((0, 1))
    assert view.legend.text() == plain and not view.sharing.items


def test_backward_chain_equations_use_the_decks_arrows(qtbot):
    task, _m, _x, _y, tr = model_and_trace("parity", cell="rnn_tanh", bidirectional=True)
    panel = EquationsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_config({"task": "parity", "task_params": dict(task.params),
                      "model": ModelConfig(cell="rnn_tanh", hidden_size=6, embedding_dim=4,
                                           bidirectional=True).to_dict(), "train": {}})
    panel.set_trace(tr)
    panel.selectors.direction_combo.setCurrentIndex(1)
    panel.set_time(2)
    text = panel.plain_text()
    assert "h←t = tanh(W←hh h←t+1 + W←xh xt + bh)" in text


# ---- compare window, PyTorch slide, GRU bias ----------------------------------------------------
def test_compare_counts_parameters_and_times_each_run():
    cfg = LabConfig.for_task("adding", seq_len=8)
    cfg = replace(cfg, model=replace(cfg.model, hidden_size=8, embedding_dim=4), train=replace(cfg.train, batch_size=4))
    c = CompareSession(cfg, [{"cell": "gru"}, {"cell": "lstm"}])
    H, E = 8, 4
    assert c.params[0][0] == 3 * (H * E + H * H + 2 * H) and c.params[1][0] == 4 * (H * E + H * H + 2 * H)
    assert c.params[0][1] == sum(p.numel() for p in c.sessions[0].model.parameters())
    for _ in range(5):
        c.step()
    snap = c.snapshot()
    assert snap.params == c.params and all(r > 0 for r in snap.run_steps_per_sec)
    from app.compare.window import run_stats

    text = run_stats(snap)  # blocks, parameters and each run's own time per step (app.compare.speed)
    assert f"gru</b>: 3 weight blocks/layer, {c.params[0][0]:,} recurrent parameters" in text
    assert f"{1000 / snap.run_steps_per_sec[0]:.1f} ms/step" in text


def test_pytorch_example_equals_torch_nn_rnn():
    cfg = LabConfig.for_task("adding", seq_len=5)
    s = LabSession(replace(cfg, model=ModelConfig(cell="rnn_tanh", hidden_size=20, num_layers=2, embedding_dim=10,
                                                  h0="random")))
    r = s.request_pytorch_example(seed=3)
    assert [r[k].shape for k in ("input", "h0", "output", "hn")] == [(5, 3, 10), (2, 3, 20), (5, 3, 20), (2, 3, 20)]
    rnn = torch.nn.RNN(10, 20, 2)  # the slide, built here independently
    rnn.load_state_dict(s.model.encoder.state_dict())
    with torch.no_grad():
        out, hn = rnn(torch.as_tensor(r["input"]), torch.as_tensor(r["h0"]))
    np.testing.assert_allclose(r["app_output"], out.numpy(), atol=1e-5)
    np.testing.assert_allclose(r["app_hn"], hn.numpy(), atol=1e-5)
    assert r["max_abs_diff"] < 1e-5
    with torch.no_grad():  # negative control: h0 matters (zeros give other numbers)
        out0, _ = rnn(torch.as_tensor(r["input"]))
    assert np.abs(out0.numpy() - r["app_output"]).max() > 1e-3
    with pytest.raises(ValueError, match="PyTorch example"):
        session("adding").request_pytorch_example()


def test_gru_bias_note_matches_what_the_biases_do():
    """For r and z, b_ih and b_hh only add up; for n they do not (b_hn is multiplied by r_t)."""
    from widgets.gates.equations_panel import layout_rows

    note = layout_rows("gru", 0, 0, 4, 3, 1, 0)[3][2]
    assert "not for n" in note and "b_hn" in note
    assert "every gate" in layout_rows("lstm", 0, 0, 4, 3, 1, 0)[3][2]
    torch.manual_seed(0)
    gru, x = torch.nn.GRU(3, 4, batch_first=True), torch.randn(1, 6, 3)
    with torch.no_grad():
        ref = gru(x)[0]

        def moved(block):
            g = torch.nn.GRU(3, 4, batch_first=True)
            g.load_state_dict(gru.state_dict())
            sl = slice(4 * block, 4 * block + 4)
            g.bias_ih_l0[sl] += g.bias_hh_l0[sl]
            g.bias_hh_l0[sl] = 0
            return g(x)[0]

        torch.testing.assert_close(moved(0), ref)  # r: the sum is all that matters
        torch.testing.assert_close(moved(1), ref)  # z: likewise
        assert (moved(2) - ref).abs().max() > 1e-3  # n: b_hn is not b_in
