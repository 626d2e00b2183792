"""Integrated gradients keep the promise the Attribution panel states ("the bars add up to f(x) − f(x′)") on a
trained network whose logit switches sharply along the path: the parity GRU after 300 steps (seed 0, the
preset) jumps by 6 within 1/2000 of the path from its neutral token '0', and 1,024 evenly spread Gauss-Legendre
nodes gave bars summing to −136 for f(x) − f(x′) = 0.17 (a 79,000% gap, a bar of −117 where the exact value is
−4.4; on another example completeness held while two bars of ±17 came out as 0). Walks every example of a
batch with both baselines (completeness), and the two sharpest against a dense midpoint rule in float64 (the
independent integral, 262,144 points); control: the old refinement (doubling the nodes to 1,024) misses."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlab
from engine.analysis.attribution import TOLERANCE, _inputs_and_encoder, _integrated, _per_position, attribution


@pytest.fixture(scope="module")
def parity_gru():
    lab = rnnlab.Lab("parity", seed=0)
    lab.train(300)
    model = lab.session.shown_model()
    inputs, targets = lab.session.task.sample_batch(8, torch.Generator().manual_seed(5))
    return model, inputs, targets


def dense(model, inputs, baseline, result, n: int):
    """IG by the midpoint rule with ``n`` points in float64, explaining the same output as ``result``."""
    model = model.double()
    try:
        x, run = _inputs_and_encoder(model, inputs)
        x = x.double()
        x_base = torch.zeros_like(x) if baseline == "zero" else model.embed(
            torch.full_like(inputs, model.task.vocab.index(baseline)))[0].detach().double()
        total = torch.zeros_like(x)
        for lo in range(0, n, 4096):
            a = ((torch.arange(lo, min(n, lo + 4096), dtype=torch.float64) + 0.5) / n).view(-1, 1, 1)
            xs = (x_base + a * (x - x_base)).requires_grad_(True)
            out = run(xs)
            (g,) = torch.autograd.grad(out[:, result.class_index].sum(), xs)
            total += g.sum(0) / n
        return ((x - x_base) * total).sum(-1).numpy()
    finally:
        model.float()


@pytest.mark.parametrize("baseline", ["0", "zero"])
def test_completeness_holds_for_every_example_of_a_trained_parity_gru(parity_gru, baseline):
    model, inputs, targets = parity_gru
    for b in range(len(inputs)):
        r = attribution(model, inputs[b:b + 1], targets[b:b + 1], baseline=baseline)
        assert r.completeness_error <= TOLERANCE, (b, r.completeness_error, r.steps)


@pytest.mark.slow
@pytest.mark.parametrize("b", [0, 4])  # a jump of 6 in the logit; a path where two bars of ±17 cancel
def test_bars_match_the_dense_integral_where_the_path_is_sharpest(parity_gru, b):
    model, inputs, targets = parity_gru
    r = attribution(model, inputs[b:b + 1], targets[b:b + 1], baseline="0")
    exact = dense(model, inputs[b:b + 1], "0", r, n=262_144)
    scale = max(1.0, float(np.abs(exact).max()))
    assert np.abs(r.scores - exact).max() <= 0.01 * scale, (r.scores.round(3), exact.round(3), r.steps)


def test_control_doubling_the_nodes_to_1024_misses_on_this_model(parity_gru):
    model, inputs, _ = parity_gru
    model.eval()
    x, run = _inputs_and_encoder(model, inputs[:1])
    x_base = model.embed(torch.full_like(inputs[:1], model.task.vocab.index("0")))[0].detach()
    with torch.no_grad():
        ends = run(torch.stack([x, x_base]))
    c = int(ends[0].argmax())
    delta = float(ends[0, c] - ends[1, c])
    with torch.enable_grad():
        old = _per_position(_integrated(x, x_base, run, lambda out: out[:, c], 1024, 256))
    assert abs(float(old.sum()) - delta) / abs(delta) > 10 * TOLERANCE  # the case the refinement is for
