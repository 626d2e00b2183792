"""Input attribution: gradient x input against autograd through the step-by-step cells, integrated
gradients against the exact attribution of a linear model, completeness, and what trained models
attribute to (copy memory: the symbols; adding: the two marked values)."""
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from engine import ModelConfig, Trainer, build_model, make_task
from engine.analysis import attribution, spearman
from engine.network.probe import unroll
from engine.tasks import preset_configs


def example(task, seed=0):
    return task.sample_batch(1, torch.Generator().manual_seed(seed))


def reference_gradient_x_input(model, inputs, position=None):
    """d f / d x by autograd through engine.network.probe's step-by-step cells (not the fused encoder)."""
    task = model.task
    if task.input_kind == "tokens":
        x = model.embed.weight[inputs[0]].detach().requires_grad_(True)  # (T, E)
        out, *_ = unroll(model, x)
    else:
        x = inputs[0].clone().requires_grad_(True)  # (T, F)
        out, *_ = unroll(model, model.embed(x))
    outputs = model.head_forward(out.unsqueeze(0)).outputs
    if task.output_kind == "regression":
        f = outputs[0]
    elif task.output_kind == "per_step":
        f = outputs[0, position].max()
    else:
        f = outputs[0].max()
    (g,) = torch.autograd.grad(f, x)
    return (x * g).sum(-1).detach().double().numpy(), (g.sum(-1)).detach().double().numpy()


@pytest.mark.parametrize("name,cell,bidirectional,h0", [
    ("sentiment", "lstm", True, "zero"), ("copy_memory", "gru", False, "random"),
    ("adding", "rnn_tanh", False, "zero"), ("parity", "lstm", False, "random")])
def test_gradient_x_input_equals_autograd(name, cell, bidirectional, h0):
    task = make_task(name)
    model = build_model(ModelConfig(cell=cell, hidden_size=24, bidirectional=bidirectional, h0=h0), task, seed=3)
    inputs, targets = example(task)
    position = inputs.shape[1] - 3 if task.output_kind == "per_step" else None
    got = attribution(model, inputs, targets, "gradient_x_input", position=position)
    want, plain_gradient = reference_gradient_x_input(model, inputs, position)
    np.testing.assert_allclose(got.scores, want, rtol=1e-4, atol=1e-6)
    assert not np.allclose(got.scores, plain_gradient, atol=1e-4)  # it is gradient TIMES input
    assert got.steps == 1 and len(got.tokens) == inputs.shape[1]


class LinearEncoder(nn.Module):
    """h_t = W sum_{s<=t} x_s: a linear 'recurrent' encoder with the nn.RNN call signature."""

    def __init__(self, E, H):
        super().__init__()
        self.w = nn.Linear(E, H, bias=False)

    def forward(self, x, state=None):  # (B, T, E); the zero initial state
        return torch.cumsum(self.w(x), dim=1), None  # (B, T, H)


def test_integrated_gradients_on_a_linear_model_is_the_exact_attribution():
    task = make_task("adding", seq_len=12)  # real inputs -> Linear embed -> encoder -> Linear head
    model = build_model(ModelConfig(cell="rnn_tanh", hidden_size=6, embedding_dim=5), task, seed=1)
    model.encoder = LinearEncoder(5, 6)
    inputs, targets = example(task, 4)
    # f(x) = w_y W sum_t (W_e x_t + b_e) + b_y: each position contributes (x_t - 0) . (w_y W W_e)
    with torch.no_grad():
        direction = (model.head.weight @ model.encoder.w.weight @ model.embed.weight)[0]  # (F,)
    exact = (inputs[0] @ direction).double().numpy()  # (T,)
    got = attribution(model, inputs, targets, "integrated_gradients", steps=64)
    np.testing.assert_allclose(got.scores, exact, rtol=1e-5, atol=1e-7)
    # completeness up to float32 round-off: the gap is bounded by the magnitude of what was summed (64 steps of
    # float32 gradients), not by |f(x) - f(x')|, which can be small (cancellation made the relative error of one
    # CI run 2.8e-5 while the absolute gap was at round-off level)
    scale = float(np.abs(got.scores).sum() + abs(got.output) + abs(got.baseline_output))
    assert abs(got.completeness_gap) <= 64 * np.finfo(np.float32).eps * scale
    assert "zero vector" in got.baseline
    # negative control: an attribution that ignores the input (plain gradient) is not the exact one
    assert not np.allclose(np.full_like(exact, float(direction.sum())), exact, atol=1e-3)


@pytest.mark.parametrize("name,cell,bidirectional", [
    ("sentiment", "lstm", False), ("dna_motif", "gru", True), ("copy_memory", "lstm", False),
    ("adding", "lstm", False), ("temporal_order", "rnn_tanh", True)])
def test_integrated_gradients_completeness_within_one_percent(name, cell, bidirectional):
    task = make_task(name)
    model = build_model(ModelConfig(cell=cell, hidden_size=32, bidirectional=bidirectional), task, seed=5)
    for seed in range(3):
        inputs, targets = example(task, seed)
        ig = attribution(model, inputs, targets, "integrated_gradients", tolerance=None)
        assert ig.steps == 64  # the default, not refined
        assert ig.completeness_error < 0.01, (ig.total, ig.output - ig.baseline_output)
        assert abs(ig.total - (ig.output - ig.baseline_output)) == pytest.approx(abs(ig.completeness_gap))


def test_completeness_separates_the_methods():
    """Gradient x input carries no completeness guarantee: on a nonlinear net its gap is visible."""
    task = make_task("sentiment")
    model = build_model(ModelConfig(cell="lstm", hidden_size=32), task, seed=2)
    gaps = []
    for seed in range(4):
        inputs, targets = example(task, seed)
        gaps.append(attribution(model, inputs, targets, "gradient_x_input").completeness_error)
    assert max(gaps) > 0.05


def test_output_explained_and_baselines():
    task = make_task("copy_memory")
    model = build_model(ModelConfig(cell="gru", hidden_size=16), task, seed=0)
    inputs, targets = example(task)
    a = attribution(model, inputs, targets, position=20, baseline="_")
    with torch.no_grad():
        logits = model(inputs)[0, 20]  # (C,)
        blank = model(torch.full_like(inputs, task.vocab.index("_")))[0, 20]
    c = int(logits.argmax())
    assert a.class_index == c and a.position == 20 and task.classes[c] in a.explained
    assert a.output == pytest.approx(float(logits[c]), abs=1e-5)
    assert a.baseline_output == pytest.approx(float(blank[c]), abs=1e-5)
    assert "'_'" in a.baseline
    # the baseline token itself gets no attribution: it does not differ from the baseline
    assert np.all(a.scores[(inputs[0] == task.vocab.index("_")).numpy()] == 0)
    for bad, kwargs in [("method", {"method": "saliency"}), ("steps", {"steps": 0}),
                        ("position", {"position": 99}), ("baseline", {"baseline": "zz"})]:
        with pytest.raises(ValueError, match=bad):
            attribution(model, inputs, targets, **kwargs)


def test_spearman_against_the_definition():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=30), rng.normal(size=30)
    ra, rb = a.argsort().argsort(), b.argsort().argsort()  # no ties: ranks 0..n-1
    assert spearman(a, b) == pytest.approx(np.corrcoef(ra, rb)[0, 1])
    assert spearman(a, 2 * a + 1) == pytest.approx(1.0)
    assert spearman(a, -a) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(np.corrcoef([1, 2.5, 2.5, 4], [1, 2, 3, 4])[0, 1])


def train(name, steps, **params):
    task = make_task(name, **params)
    model_cfg, train_cfg, _ = preset_configs(task)
    trainer = Trainer(build_model(model_cfg, task, seed=0), task, replace(train_cfg, seed=0))
    for _ in range(steps):
        trainer.step()
    return task, trainer.model


def first_symbols_mass(task, model, examples=8):
    K, T = task.params["symbols"], task.params["seq_len"]
    masses = []
    for seed in range(examples):
        inputs, targets = example(task, 100 + seed)
        a = attribution(model, inputs, targets, "integrated_gradients", position=T + K)
        assert a.completeness_error < 0.01 and a.steps in (64, 128, 256, 512, 1024)
        m = np.abs(a.scores)
        masses.append(m[:10].sum() / m.sum())
    return float(np.mean(masses))


@pytest.mark.slow
def test_copy_memory_first_recall_is_attributed_to_the_first_ten_symbols():
    task, model = train("copy_memory", 1000, seq_len=5)
    untrained = build_model(preset_configs(task)[0], task, seed=0)
    trained_mass, untrained_mass = first_symbols_mass(task, model), first_symbols_mass(task, untrained)
    assert trained_mass > 0.5
    assert trained_mass > untrained_mass + 0.1  # not a property of any GRU: it was learned


@pytest.mark.slow
def test_adding_marked_positions_carry_the_largest_scores():
    task, model = train("adding", 400)
    for seed in range(8):
        inputs, targets = example(task, 100 + seed)
        marked = set(torch.nonzero(inputs[0, :, 1]).flatten().tolist())
        a = attribution(model, inputs, targets, "integrated_gradients")
        assert set(np.argsort(-np.abs(a.scores))[:2].tolist()) == marked
        assert a.completeness_error < 0.01
    untrained = build_model(preset_configs(task)[0], task, seed=0)
    hits = 0
    for seed in range(8):  # negative control: an untrained LSTM does not single them out
        inputs, targets = example(task, 100 + seed)
        marked = set(torch.nonzero(inputs[0, :, 1]).flatten().tolist())
        a = attribution(untrained, inputs, targets, "integrated_gradients")
        hits += set(np.argsort(-np.abs(a.scores))[:2].tolist()) == marked
    assert hits <= 2
