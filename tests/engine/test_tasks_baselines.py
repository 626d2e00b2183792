"""Each task's stated baseline is what a model that learned nothing gets on the task's own data,
and each task's labelling rule (used for typed input) behaves as described."""
import math
from collections import Counter

import numpy as np
import pytest
import torch

from engine.tasks import IGNORE, make_task
from engine.tasks.charlm import ALPHABET, CORPUS_DIR, CORPUS_FILE, load_corpus
from engine.tasks.dna_motif import MOTIF
from engine.tasks.dyck1 import is_balanced


def sample(task, n_batches=100, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [task.sample_batch(batch_size, g) for _ in range(n_batches)]


def constant_logits(batch_targets, n_classes, cls):
    logits = torch.zeros(*batch_targets.shape, n_classes)
    logits[..., cls] = 1.0
    return logits


@pytest.mark.parametrize("name, n_classes", [("parity", 2), ("dyck1", 2), ("sentiment", 2),
                                             ("dna_motif", 2), ("temporal_order", 4)])
def test_guessing_gets_the_chance_baseline(name, n_classes):
    task = make_task(name)
    data = sample(task)
    for cls in range(n_classes):
        acc = np.mean([task.metric(constant_logits(y, n_classes, cls), y) for _, y in data])
        assert acc == pytest.approx(task.baseline, abs=0.025), (name, cls)
    assert task.baseline == pytest.approx(1 / n_classes)


def test_adding_predicting_one_gives_a_sixth():
    task = make_task("adding", seq_len=30)
    mse = np.mean([task.metric(torch.ones_like(y), y) for _, y in sample(task, batch_size=256)])
    assert mse == pytest.approx(1 / 6, abs=0.005) and task.baseline == pytest.approx(1 / 6)


@pytest.mark.parametrize("T, K", [(10, 10), (100, 10), (5, 3)])
def test_copy_memory_blank_then_uniform_gives_k_ln8_over_t_plus_2k(T, K):
    task = make_task("copy_memory", seq_len=T, symbols=K)
    x, y = task.sample_batch(16, torch.Generator().manual_seed(0))
    assert x.shape == (16, T + 2 * K)
    logits = torch.full((16, T + 2 * K, 9), -1e4)
    logits[:, : T + K, 0] = 0.0  # sure of blank until the recall
    logits[:, T + K :, 1:] = 0.0  # uniform over the 8 symbols during the recall
    assert task.metric(logits, y) == pytest.approx(K * math.log(8) / (T + 2 * K), rel=1e-5)
    assert task.baseline == pytest.approx(K * math.log(8) / (T + 2 * K))
    assert torch.equal(y[:, T + K :] - 1, x[:, :K])  # the recall repeats the first K symbols
    assert (x[:, T + K - 1] == task.vocab.index(":")).all()


def test_tagging_majority_tag_per_word_matches_the_exact_baseline():
    task = make_task("tagging")
    counts = Counter()
    for x, y in sample(task, 100, 32, seed=1):
        counts.update(zip(x.flatten().tolist(), y.flatten().tolist(), strict=True))
    majority = {}
    for (w, t), c in counts.items():
        if c > counts.get((w, majority.get(w, -1)), -1):
            majority[w] = t
    table = torch.tensor([majority.get(w, 0) for w in range(task.vocab_size)])
    accs = [(table[x] == y).float().mean().item() for x, y in sample(task, 300, 32, seed=2)]
    assert np.mean(accs) == pytest.approx(task.baseline, abs=0.005)
    assert {task.vocab[w]: task.classes[t] for w, t in majority.items()} == task.majority_tags()
    assert 0.8 < task.baseline < 0.92  # the ambiguous words leave a clear gap below 100%


def test_tagging_ambiguous_words_are_decided_by_the_next_word():
    task = make_task("tagging")
    tags = lambda text: task.render_targets(task.encode_text(text)[1][0])  # noqa: E731
    assert tags("the light dog sleeps") == ["DET", "ADJ", "NOUN", "VERB"]
    assert tags("the light sleeps") == ["DET", "NOUN", "VERB"]
    assert tags("The cat sees the cold.") == ["DET", "NOUN", "VERB", "DET", "NOUN"]
    assert tags("a green light cat runs") == ["DET", "ADJ", "ADJ", "NOUN", "VERB"]
    with pytest.raises(ValueError, match="'banana'"):
        task.encode_text("the banana sleeps")
    # reading left to right, an ambiguous word after a determiner is close to a coin flip
    x = torch.cat([b[0].flatten() for b in sample(task, 50, 32)])
    y = torch.cat([b[1].flatten() for b in sample(task, 50, 32)])
    light = y[x == task.vocab.index("light")]
    assert 0.3 < (light == task.classes.index("ADJ")).float().mean().item() < 0.7


def test_charlm_baseline_is_the_unigram_entropy_of_the_corpus():
    task = make_task("charlm")
    text = load_corpus(str(CORPUS_DIR / CORPUS_FILE))
    p = np.array(list(Counter(text).values()), dtype=float) / len(text)
    assert task.baseline == pytest.approx(float(-(p * np.log2(p)).sum()), rel=1e-9)
    log_p = torch.log(task.unigram).float()
    bits = np.mean([task.metric(log_p.expand(*y.shape, -1), y) for _, y in sample(task, 50, 32)])
    assert bits == pytest.approx(task.baseline, abs=0.05)
    uniform = torch.zeros(4, 64, task.vocab_size)
    assert task.metric(uniform, task.sample_batch(4, torch.Generator())[1]) == pytest.approx(math.log2(34))


def test_charlm_corpus_is_a_small_public_domain_text_with_its_source_stated():
    raw = (CORPUS_DIR / CORPUS_FILE).read_text(encoding="utf-8")
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    assert 15_000 < len(raw.encode()) < 80_000
    assert "Lewis Carroll" in raw and "public domain" in readme.lower() and "Gutenberg" in readme
    text = load_corpus(str(CORPUS_DIR / CORPUS_FILE))
    assert set(text) == set(ALPHABET) and text == text.lower() and "  " not in text


def test_charlm_typed_input_predicts_the_next_character():
    task = make_task("charlm")
    x, y = task.encode_text("Où  est\nma chatte?")
    assert "".join(task.vocab[i] for i in x[0].tolist()) == "ou est ma chatte?"
    assert torch.equal(y[0, :-1], x[0, 1:]) and y[0, -1] == IGNORE
    with pytest.raises(ValueError, match="'€'"):
        task.encode_text("price €")


def test_dyck1_negatives_are_near_misses_that_counting_cannot_separate():
    task = make_task("dyck1")
    for x, y in sample(task, 20):
        assert torch.equal(is_balanced(x).long(), y)
        assert (x.shape[1] % 2 == 0) and ((x == 0).sum(1) == x.shape[1] // 2).all()  # equal counts
    # a near-miss differs from some balanced string by one move or one swap: its depth path
    # dips below zero but never below -2
    x, y = task.sample_batch(500, torch.Generator().manual_seed(3))
    depth = torch.where(x == 0, 1, -1).cumsum(1)
    assert (depth[y == 0].min(1).values >= -2).all()
    typed = [task.encode_text(s)[1].item() for s in ("(())()", "())(()", "(()")]
    assert typed == [1, 0, 0]


def test_sentiment_rule_majority_with_negation():
    task = make_task("sentiment")
    label = lambda text: task.classes[int(task.encode_text(text)[1])]  # noqa: E731
    assert label("the movie was good") == "positive"
    assert label("the movie was not good") == "negative"
    assert label("it was bad and dull but fun") == "negative"
    assert label("it wasn't bad and not dull but awful") == "positive"
    assert label("good bad") == "negative"  # a tie goes to the last polarity word
    with pytest.raises(ValueError, match="polarity word"):
        task.encode_text("the movie was a movie")
    x, _ = task.sample_batch(64, torch.Generator().manual_seed(0))
    mask = task.polarity_mask(x)
    assert mask.shape == x.shape and set(mask.sum(1).tolist()) <= {1, 3}
    one_hot = torch.zeros(x.shape)
    one_hot[torch.arange(64), torch.from_numpy(mask.argmax(1))] = 1.0
    assert task.attention_mass(one_hot, x) == pytest.approx(1.0)
    assert task.attention_mass(torch.full(x.shape, 1 / x.shape[1]), x) == pytest.approx(mask.mean())
    assert (x == task.vocab.index("not")).any()  # negation occurs in the training data


def test_dna_motif_labels_masks_and_near_misses():
    task = make_task("dna_motif")
    x, y = task.sample_batch(400, torch.Generator().manual_seed(0))
    strings = ["".join(task.vocab[i] for i in row) for row in x.tolist()]
    assert [int(MOTIF in s) for s in strings] == y.tolist()
    near = [s for s, lab in zip(strings, y.tolist(), strict=True) if not lab and any(
        sum(a != b for a, b in zip(s[i : i + 6], MOTIF, strict=True)) == 1 for i in range(len(s) - 5))]
    assert len(near) > 0.3 * int((y == 0).sum())  # many negatives are one base away
    mask = task.motif_mask(task.encode_text("ccTATAAAg")[0][0])
    assert mask.tolist() == [False, False] + [True] * 6 + [False]
    assert int(task.encode_text("gg tata aa c")[1]) == 1 and int(task.encode_text("TATAAC")[1]) == 0


def test_temporal_order_markers_and_labels():
    task = make_task("temporal_order", seq_len=100)
    x, y = task.sample_batch(300, torch.Generator().manual_seed(0))
    X, Y = task.vocab.index("X"), task.vocab.index("Y")
    pos = ((x == X) | (x == Y)).nonzero()[:, 1].reshape(300, 2)
    assert pos[:, 0].min() >= 10 and pos[:, 0].max() <= 20  # H&S: t1 in 10..20, t2 in 50..60
    assert pos[:, 1].min() >= 50 and pos[:, 1].max() <= 60
    assert (x[:, 0] == task.vocab.index("E")).all() and (x[:, -1] == task.vocab.index("B")).all()
    assert int(task.encode_text("EaXbbYcB")[1]) == task.classes.index("XY")
    with pytest.raises(ValueError, match="two markers"):
        task.encode_text("EaXbbcB")
    assert task.difficulty_presets["Hochreiter & Schmidhuber 1997"] == {"seq_len": 100}
    for params in task.difficulty_presets.values():
        make_task("temporal_order", **params)


def test_copy_memory_typed_input():
    task = make_task("copy_memory", seq_len=3, symbols=2)
    x, y = task.encode_text("ab__:__")
    assert task.render_targets(y[0]) == ["_"] * 5 + ["a", "b"]
    with pytest.raises(ValueError, match="delimiter"):
        task.encode_text("ab_____")
