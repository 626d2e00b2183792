"""Lesson measures against independent computations, and measuring leaves training untouched."""
import numpy as np
import torch

from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.lessons.measures import EVAL_SEED, measure
from engine.lessons.schema import apply_settings
from engine.tasks.tagging import AMBIGUOUS


def session(task, steps=0, **settings):
    s = LabSession(apply_settings(LabConfig.for_task(task), {"hidden_size": 8, **settings}))
    stats = [s.step() for _ in range(steps)]
    return s, stats


def test_gradient_measures_read_the_probed_example():
    s, _ = session("adding", seq_len=12, cell="rnn_tanh")
    m = measure(s, ["grad_first", "grad_mid", "grad_last", "grad_ratio", "grad_mid_ratio", "grad_zero_steps"])
    g = s.probe().grad_norm[0, 0]  # (T,)
    assert (m["grad_first"], m["grad_mid"], m["grad_last"]) == (float(g[0]), float(g[5]), float(g[11]))
    assert np.isclose(m["grad_ratio"], g[0] / g[11]) and np.isclose(m["grad_mid_ratio"], g[5] / g[11])
    assert m["grad_zero_steps"] == 0 and m["grad_ratio"] < m["grad_mid_ratio"]  # vanishing: first < middle


def test_tagging_accuracies_split_the_words_as_a_numpy_count_does():
    s, _ = session("tagging", steps=30)
    m = measure(s, ["ambiguous_accuracy", "other_accuracy", "metric"])
    g = torch.Generator().manual_seed(EVAL_SEED)
    amb_ids = [s.task.vocab.index(w) for w in AMBIGUOUS]
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    s.model.eval()
    with torch.no_grad():
        for _ in range(8):
            x, y = s.task.sample_batch(s.config.train.batch_size, g)
            pred = s.model(x).argmax(-1).numpy()
            x, y = x.numpy(), y.numpy()
            amb = np.isin(x, amb_ids)
            for flag in (True, False):
                mask = amb if flag else ~amb
                right[flag] += int((pred[mask] == y[mask]).sum())
                total[flag] += int(mask.sum())
    assert total[True] > 50 and total[False] > 50
    assert np.isclose(m["ambiguous_accuracy"], right[True] / total[True])
    assert np.isclose(m["other_accuracy"], right[False] / total[False])
    overall = (right[True] + right[False]) / (total[True] + total[False])
    assert abs(m["metric"] - overall) < 0.02  # the task's own metric over the same words (per-batch mean)


def test_attention_share_is_the_attention_on_polarity_words():
    s, _ = session("sentiment", steps=5)
    m = measure(s, ["attention_polarity", "attention_uniform"])
    x, _ = s.task.sample_batch(256, torch.Generator().manual_seed(EVAL_SEED))
    with torch.no_grad():
        att = s.model.run(x).attention.numpy()  # (B, T)
    mask = s.task.polarity_mask(x)
    assert np.isclose(m["attention_polarity"], (att * mask).sum(1).mean(), atol=1e-5)
    assert np.isclose(m["attention_uniform"], mask.sum(1).mean() / x.shape[1], atol=1e-5)


def test_clipping_and_divergence_come_from_the_steps_taken():
    s, stats = session("adding", steps=40, seq_len=20, cell="rnn_relu", init="identity", optimizer="sgd",
                       lr=0.05, clip=True, max_norm=0.5)
    m = measure(s, ["clipped_share", "diverged", "grad_norm_max", "step"])
    assert m["step"] == 40 and m["diverged"] == 0
    assert np.isclose(m["clipped_share"], np.mean([st.clipped for st in stats]))
    assert np.isclose(m["grad_norm_max"], max(st.grad_norm for st in stats))
    s2, stats2 = session("adding", steps=40, seq_len=50, cell="rnn_relu", init="identity", optimizer="sgd",
                         lr=0.05, clip=False)
    m2 = measure(s2, ["diverged", "diverged_step"])
    first = next((st.step for st in stats2 if st.skipped), 0)
    assert first > 0 and m2["diverged"] == 1 and m2["diverged_step"] == first  # it did diverge, at that step


def test_measuring_does_not_move_training():
    a, _ = session("adding", steps=3)
    b, _ = session("adding", steps=3)
    measure(a, ["loss", "metric", "grad_ratio", "spectral_radius"])
    assert a.step().loss == b.step().loss  # the same next batch and weights: measures use their own streams
