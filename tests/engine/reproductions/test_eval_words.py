"""A classic result calls its curve "held-out" only when training drew none of the evaluation examples:
'f and g must be non-linear' plotted "held-out accuracy" on 512 strings of 5 bits, of which there are 32,
every one of them also a training string. The reproductions' training (engine.reproductions.training.train)
counts the evaluation examples the training batches held, and every text a result writes (progress, the
measured line, figure axis and caption, CSV header, README) takes its words from that count."""
from __future__ import annotations

import itertools

from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions import reproduce
from engine.reproductions.base import Context, readme_text
from engine.reproductions.training import eval_name, held_out, train
from engine.tasks import make_task


def run(task: str, params: dict, steps: int, batch: int, eval_size: int):
    cfg = LabConfig(task, params, ModelConfig(cell="gru", hidden_size=4, embedding_dim=4),
                    TrainConfig(lr=1e-3, batch_size=batch, seed=0))
    return train(Context(), "m", cfg, steps, eval_every=steps, eval_size=eval_size)


def test_train_counts_the_evaluation_examples_the_training_drew():
    out = run("parity", {"seq_len": 5}, steps=40, batch=64, eval_size=128)
    # independent count: 40 x 64 draws of 32 strings leave none out, so every evaluation string was trained on
    strings = {bytes(s) for s in itertools.product((0, 1), repeat=5)}
    x, _ = held_out(make_task("parity", seq_len=5), 128, 0)
    assert {bytes(r) for r in x.numpy().astype("uint8").tolist()} <= strings
    assert out["eval_size"] == out["eval_seen"] == 128
    assert out["eval_distinct_seen"] == len({bytes(r) for r in x.tolist()})
    assert eval_name("accuracy", [out]) == "accuracy on fresh examples"
    assert "sample_batch" not in vars(out["task"])  # the recording ends with the training


def test_control_a_task_with_countless_sequences_is_held_out():
    out = run("temporal_order", {"seq_len": 30}, steps=20, batch=32, eval_size=128)
    assert out["eval_seen"] == 0 and eval_name("accuracy", [out]) == "held-out accuracy"


def test_nonlinear_parity_writes_held_out_nowhere_and_names_the_overlap():
    progress: list[str] = []
    o = reproduce("nonlinear_parity", seed=0, quick=True, progress=lambda f, text: progress.append(text))
    curves = o.measured["curves"].values()
    assert all(c["eval_seen"] > 0 for c in curves)  # 5 bits: 32 strings, training draws them all
    texts = [o.verdict.measured, o.figure.caption, *o.header, o.differences, *progress,
             *(p.y_label for p in o.figure.plots), readme_text(o, "f", "f.csv")]
    said = [t for t in texts if "held-out" in t.lower() or "held_out" in t.lower()]
    assert not said, said
    assert "(32 different) also drawn in training" in o.figure.caption
