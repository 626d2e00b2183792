"""Command line for researchers: --open continues a saved run with the training flags given and
refuses model flags (one line naming the flag, exit 2); --embedding-dim sets E; a headless run prints
the held-out metric at the end (stdout) and at each evaluation (stderr)."""
from __future__ import annotations

import math
import re

import pytest
import torch

from app.cli.continue_run import MODEL_FLAGS
from app.cli.main import main
from engine.lab.session import LabSession


def run(*argv):
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("open") / "parity.rnnlab"
    assert run("--headless", "--task", "parity", "--hidden", 8, "--steps", 20, "--seed", 1, "--save", path,
               "--quiet") == 0
    return path


def test_open_applies_the_training_flags_to_the_continued_run(saved, tmp_path, capsys):
    out = tmp_path / "more.rnnlab"
    before = LabSession.load(saved)
    assert run("--headless", "--open", saved, "--lr", 0.002, "--batch-size", 8, "--seed", 9, "--no-clip",
               "--seq-len", 12, "--steps", 3, "--save", out) == 0
    err = capsys.readouterr().err
    assert "continuing" in err and "lr 0.002" in err
    after = LabSession.load(out)
    t = after.config.train
    assert (t.lr, t.batch_size, t.seed, t.clip) == (0.002, 8, 9, False)
    assert after.config.task_params["seq_len"] == 12 and after.task.params["seq_len"] == 12
    assert after.trainer.step_count == 23  # continued: the 20 saved steps and 3 more, not a new model
    assert after.model.config == before.model.config
    moved = [not torch.equal(a, b) for a, b in zip(before.model.parameters(), after.model.parameters(), strict=True)]
    assert any(moved)  # and it trained
    # the continued run really reads batches of 8 sequences of 12 bits
    inputs, _ = after.task.sample_batch(after.trainer.config.batch_size, after.trainer.generator)
    assert tuple(inputs.shape) == (8, 12)


def test_open_without_flags_keeps_the_saved_settings(saved, tmp_path):
    out = tmp_path / "same.rnnlab"
    assert run("--headless", "--open", saved, "--steps", 1, "--save", out, "--quiet") == 0
    a, b = LabSession.load(saved), LabSession.load(out)
    assert a.config.train == b.config.train and b.trainer.step_count == 21


@pytest.mark.parametrize("attr,flag", MODEL_FLAGS)
def test_open_refuses_every_model_flag_naming_it(saved, capsys, attr, flag):
    value = {"--task": "adding", "--cell": "lstm", "--hidden": "9", "--layers": "2", "--merge": "concat",
             "--init": "orthogonal", "--h0": "random", "--embedding-dim": "4", "--optimizer": "sgd"}.get(flag)
    argv = ["--headless", "--open", saved, flag] + ([value] if value else [])
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err and "opened session" in err, err


def test_embedding_dim_sets_E_and_is_checked(tmp_path, capsys):
    path = tmp_path / "e.rnnlab"
    assert run("--headless", "--task", "parity", "--embedding-dim", 5, "--save", path, "--quiet") == 0
    session = LabSession.load(path)
    assert session.model.config.embedding_dim == 5 and session.model.embed.weight.shape[1] == 5
    capsys.readouterr()
    assert run("--headless", "--task", "parity", "--embedding-dim", 0) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "embedding_dim" in err


def test_headless_prints_the_held_out_bits_per_character(tmp_path, capsys):
    path = tmp_path / "lm.rnnlab"
    assert run("--headless", "--task", "charlm", "--hidden", 16, "--steps", 60, "--save", path) == 0
    captured = capsys.readouterr()
    m = re.search(r"step 60: held-out bits per character (\S+) on the held-out text", captured.out)
    assert m, captured.out
    assert "step 50: held-out bits per character" in captured.err  # the evaluation on the way
    # independent: cross-entropy in bits of the saved model on the held-out end of the text
    session = LabSession.load(path)
    task, model = session.task, session.model.eval()
    held = task.heldout[:20_000].long()
    T = min(task.params["seq_len"], len(held) - 1)
    n = (len(held) - 1) // T
    with torch.no_grad():
        logits = model(held[:n * T].reshape(n, T))
        nats = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 held[1:n * T + 1].reshape(-1))
    assert float(m.group(1)) == pytest.approx(float(nats) / math.log(2), abs=2e-4)
    # and it is not the batch metric printed beside the loss
    batch = re.search(r"step 60/60 .*bits per character (\S+)", captured.err)
    assert batch and float(m.group(1)) != pytest.approx(float(batch.group(1)), abs=1e-4)
