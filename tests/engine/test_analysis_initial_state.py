"""Every analysis starts from the model's own initial state (issue 27, item 1).

For h0 = zero, random and learned (trained away from zero), every cell, 2 layers, bidirectional:
the states behind the state space, units, gate saturation, pattern search and the fixed-point
starts (``batch_states``) equal torch's own per-layer fused modules started from the model's h0/c0,
and the top layer equals the model's forward run. Negative control: the same run from zeros differs.
"""
import itertools

import numpy as np
import pytest
import torch

from engine import ModelConfig, build_model, make_task
from engine.analysis import batch_states, full_state
from engine.analysis.hidden_live import HiddenAnalyses
from engine.network.probe import probe
from tests.reference import layerwise

CELLS = ("rnn_tanh", "rnn_relu", "gru", "lstm")


def model_with(cell, h0, bidir=True, layers=2):
    task = make_task("sentiment")
    cfg = ModelConfig(cell=cell, hidden_size=5, num_layers=layers, bidirectional=bidir, embedding_dim=4, h0=h0)
    model = build_model(cfg, task, seed=3)
    if h0 == "learned":  # a learned state after training: far from zero
        g = torch.Generator().manual_seed(11)
        with torch.no_grad():
            for name in ("h0", "c0"):
                if hasattr(model, name):
                    getattr(model, name).copy_(torch.randn(getattr(model, name).shape, generator=g))
    model.eval()
    return task, model


def own_initial(model, B):
    h, c = model.initial_state(B)
    cfg = model.config
    zeros = torch.zeros(cfg.num_layers * cfg.num_directions, B, cfg.hidden_size)
    h = zeros if h is None else h.detach()
    c = (zeros if c is None else c.detach()) if cfg.cell == "lstm" else None
    return h, c


@pytest.mark.parametrize("cell,h0", list(itertools.product(CELLS, ("zero", "random", "learned"))))
def test_batch_states_start_from_the_models_own_state(cell, h0):
    task, model = model_with(cell, h0)
    inputs, _ = task.sample_batch(4, torch.Generator().manual_seed(1))
    B, T = inputs.shape
    st = batch_states(model, inputs)
    with torch.no_grad():
        outs, finals, _ = layerwise(model, inputs, initial=own_initial(model, B))
        forward_top, _ = model.encoder(model.embed(inputs), _pack(*model.initial_state(B)))  # (B, T, D*H)
    H = 5
    for layer, d in itertools.product(range(2), range(2)):
        np.testing.assert_allclose(st["hidden"][layer, d], outs[layer][..., d * H:(d + 1) * H].numpy(), atol=1e-5)
        if cell == "lstm":  # the memory c after each chain's last step equals torch's c_n
            last = T - 1 if d == 0 else 0
            np.testing.assert_allclose(st["cell"][layer, d, :, last], finals[layer * 2 + d][1][0].numpy(), atol=1e-5)
    np.testing.assert_allclose(np.concatenate(list(st["hidden"][-1]), -1), forward_top.numpy(), atol=1e-5)
    # the gates (gate saturation) agree with the per-example probe, which is checked against torch
    if st["gates"]:
        tr = probe(model, inputs[1:2], torch.zeros(1, dtype=torch.long))
        for name, values in st["gates"].items():
            np.testing.assert_allclose(values[:, :, 1], tr.gates[name], atol=1e-5)
    if h0 != "zero":  # negative control: the old start from zeros is visibly different
        with torch.no_grad():
            zero_outs, _, _ = layerwise(model, inputs)
        assert np.abs(st["hidden"][0, 0, :, 0] - zero_outs[0][:, 0, :H].numpy()).max() > 1e-2


def _pack(h, c):
    return h if c is None else (h, c)


@pytest.mark.parametrize("cell", CELLS)
def test_fixed_point_starts_lie_on_the_models_own_run(cell):
    task, model = model_with(cell, "random", bidir=False)
    inputs, _ = task.sample_batch(3, torch.Generator().manual_seed(2))
    flat = full_state(batch_states(model, inputs))  # (B, T, S): what the search starts from
    with torch.no_grad():
        outs, _, _ = layerwise(model, inputs, initial=own_initial(model, 3))
    np.testing.assert_allclose(flat[..., :5], outs[0].numpy(), atol=1e-5)
    top = slice(10, 15) if cell == "lstm" else slice(5, 10)
    np.testing.assert_allclose(flat[..., top], outs[1].numpy(), atol=1e-5)


class _Session:
    """What HiddenAnalyses reads of a LabSession."""

    def __init__(self, task, model):
        self.task, self.model, self.state = task, model, "paused"
        self.trainer = type("T", (), {"step_count": 0, "model": model})()
        self.timeline = type("TL", (), {"model": lambda _s, tr: tr.model, "step": lambda _s, tr: 0,
                                        "viewing": None})()

    def shown_model(self):
        return self.model


@pytest.mark.parametrize("cell", CELLS)
def test_units_use_the_models_own_state(cell):
    task, model = model_with(cell, "learned")
    an = HiddenAnalyses()
    sess = _Session(task, model)
    ref = an.reference(sess)
    units = an.units(sess, None)
    inputs = ref["inputs"]
    with torch.no_grad():
        outs, _, _ = layerwise(model, inputs, initial=own_initial(model, len(inputs)))
    n = units["values"].shape[3]
    for layer, d in itertools.product(range(2), range(2)):
        np.testing.assert_allclose(units["values"][0, layer, d], outs[layer][:n, :, d * 5:(d + 1) * 5].numpy(),
                                   atol=1e-5)


@pytest.mark.parametrize("cell,h0", list(itertools.product(CELLS, ("random", "learned"))))
def test_counterfactual_and_attribution_explain_the_models_own_output(cell, h0):
    from engine.analysis import attribution, counterfactual

    task, model = model_with(cell, h0)
    inputs, targets = task.sample_batch(1, torch.Generator().manual_seed(5))
    with torch.no_grad():
        out = model(inputs)[0]  # (C,) logits of the model's own forward run
    cf = counterfactual(model, inputs, targets, 1, int((inputs[0, 1] + 1) % task.vocab_size))
    np.testing.assert_allclose(cf["before"], torch.softmax(out, -1).numpy(), atol=1e-5)
    a = attribution(model, inputs, targets, "gradient_x_input")
    assert a.output == pytest.approx(float(out[a.class_index]), abs=1e-5)
