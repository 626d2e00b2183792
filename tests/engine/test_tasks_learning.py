"""Short training runs: the presets learn, attention finds the evidence, bidirectional beats
unidirectional on tagging and gated cells beat the simple RNN on long gaps. The full-length
runs live in benchmarks/tasks.py."""
from dataclasses import replace

import pytest
import torch

from engine import Trainer, build_model
from engine.tasks import make_task, preset_configs

pytestmark = pytest.mark.slow  # every test here trains for hundreds of steps


def trained(name, steps, task_params=None, **model_overrides):
    task = make_task(name, **(task_params or {}))
    model_cfg, train_cfg, _ = preset_configs(task)
    model_cfg = replace(model_cfg, **model_overrides)
    trainer = Trainer(build_model(model_cfg, task, seed=0), task, train_cfg)
    for _ in range(steps):
        trainer.step()
    return task, trainer, trainer.evaluate(batches=8)["metric"]


def attention_readout(task, model):
    inputs, _ = task.sample_batch(128, torch.Generator().manual_seed(7))
    with torch.no_grad():
        att = model.run(inputs).attention
    uniform = torch.full_like(att, 1 / att.shape[1])
    return task.attention_mass(att, inputs), task.attention_mass(uniform, inputs)


def test_tagging_bidirectional_beats_unidirectional():
    task, _, bi = trained("tagging", 300)
    _, _, uni = trained("tagging", 300, bidirectional=False)
    assert task.passed(bi) and bi > 0.97
    assert uni < 0.93 and bi - uni > 0.05  # left-to-right cannot see the deciding next word


def test_sentiment_attention_moves_onto_polarity_words():
    task, trainer, acc = trained("sentiment", 500)
    assert task.passed(acc)
    mass, uniform = attention_readout(task, trainer.model)
    # later states also carry a polarity word's sign, so some weight stays on them
    assert mass > 0.5 and mass > 2 * uniform


def test_dna_motif_attention_lands_on_the_motif():
    task, trainer, acc = trained("dna_motif", 400)
    assert task.passed(acc)
    mass, uniform = attention_readout(task, trainer.model)
    assert mass > 0.6 and mass > 2 * uniform


def test_dyck1_and_small_copy_memory_learn():
    task, _, acc = trained("dyck1", 300)
    assert task.passed(acc)
    task, _, ce = trained("copy_memory", 400, {"seq_len": 5, "symbols": 3})
    assert task.passed(ce) and ce < task.baseline / 10


def test_vanishing_gradients_adding_gated_vs_simple():
    task, _, gru = trained("adding", 300, {"seq_len": 50}, cell="gru")
    _, _, tanh = trained("adding", 300, {"seq_len": 50}, cell="rnn_tanh")
    assert gru < task.pass_threshold
    assert tanh > 0.6 * task.baseline  # still near the 1/6 of always answering 1


def test_temporal_order_lstm_learns_the_order_a_simple_rnn_does_not():
    task, _, lstm = trained("temporal_order", 500)
    _, _, tanh = trained("temporal_order", 500, cell="rnn_tanh")
    assert task.passed(lstm) and not task.passed(tanh)


@pytest.fixture(scope="module")
def charlm_trained():
    return trained("charlm", 400)


def test_charlm_bits_per_char_fall_well_below_the_unigram_entropy(charlm_trained):
    task, trainer, bits = charlm_trained
    assert task.passed(bits) and bits < task.baseline - 1.2
    assert task.heldout_bits(trainer.model) < task.baseline - 1.0  # it generalises, too


def test_charlm_generate_matches_rerunning_the_model(charlm_trained):
    task, trainer, _ = charlm_trained
    model = trainer.model
    text = task.generate(model, "Alice was ", 30, temperature=0)
    assert len(text) == 30 and set(text) <= set(task.vocab)
    # greedy sampling with carried state = argmax of the full model on the growing sequence
    ids = task.encode_prompt("alice was ").tolist()
    with torch.no_grad():
        for ch in text:
            logits = model(torch.tensor([ids]))[0, -1]
            assert task.vocab[int(logits.argmax())] == ch
            ids.append(task.vocab.index(ch))
    a = task.generate(model, "the ", 40, 1.0, torch.Generator().manual_seed(1))
    b = task.generate(model, "the ", 40, 1.0, torch.Generator().manual_seed(1))
    assert a == b and model.training  # deterministic, and the model's mode is restored


def test_charlm_generate_validates_its_arguments():
    task = make_task("charlm")
    model_cfg, _, _ = preset_configs(task)
    model = build_model(model_cfg, task)
    with pytest.raises(ValueError, match="'#'.*'€'"):
        task.generate(model, "a#b€", 5)
    with pytest.raises(ValueError, match="temperature"):
        task.generate(model, "a", 5, temperature=-1)
    with pytest.raises(ValueError, match="length"):
        task.generate(model, "a", 0)
    with pytest.raises(ValueError, match="bidirectional"):
        task.generate(build_model(replace(model_cfg, bidirectional=True), task), "a", 5)
    with pytest.raises(ValueError, match="charlm"):
        task.generate(build_model(model_cfg, make_task("copy_memory")), "a", 5)
