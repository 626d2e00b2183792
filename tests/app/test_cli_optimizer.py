"""--optimizer adam|sgd: the exploding-gradient preset (SGD) can be reproduced headless."""
from __future__ import annotations

import copy

import pytest
import torch

from app.cli.headless import config_from_args
from app.cli.main import build_parser, main
from engine.lab.session import LabSession


def args_of(*argv):
    return build_parser().parse_args(["--headless", *map(str, argv)])


def first_step_update(optimizer: str):
    """(weights after one step, weights by hand for plain SGD) for adding T = 20, no clipping."""
    cfg = config_from_args(args_of("--task", "adding", "--seq-len", 20, "--hidden", 8, "--optimizer", optimizer,
                                   "--lr", 0.05, "--no-clip", "--seed", 3))
    session = LabSession(cfg)
    trainer = session.trainer
    before = copy.deepcopy(trainer.model)
    generator = torch.Generator().manual_seed(cfg.train.seed)  # the trainer's first batch, drawn again
    inputs, targets = session.task.sample_batch(cfg.train.batch_size, generator)
    before.train()
    loss = session.task.loss(before(inputs), targets)
    grads = torch.autograd.grad(loss, [p for p in before.parameters() if p.requires_grad])
    by_hand = [p.detach() - 0.05 * g for p, g in zip(before.parameters(), grads, strict=True)]
    session.step()
    return cfg, [p.detach() for p in trainer.model.parameters()], by_hand


def test_sgd_flag_trains_with_plain_gradient_descent():
    cfg, after, by_hand = first_step_update("sgd")
    assert cfg.train.optimizer == "sgd"
    for a, b in zip(after, by_hand, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_adam_flag_is_not_plain_gradient_descent():  # negative control: the check above can fail
    cfg, after, by_hand = first_step_update("adam")
    assert cfg.train.optimizer == "adam"
    assert any(not torch.allclose(a, b, atol=1e-6) for a, b in zip(after, by_hand, strict=True))


def test_default_is_the_task_preset():
    assert config_from_args(args_of("--task", "adding")).train.optimizer == "adam"


def test_bad_optimizer_is_one_line(capsys):
    assert main(["--headless", "--task", "adding", "--optimizer", "rmsprop"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--optimizer" in err[0] and "sgd" in err[0]


@pytest.mark.slow
def test_exploding_preset_reproduced_headless():
    """The exploding preset's unclipped side (SGD, as in the window) diverges headless too."""
    from app.lecture.presets import load_presets

    preset = next(p for p in load_presets() if p.id == "exploding")
    cfg = config_from_args(args_of("--task", "adding", "--seq-len", 50, "--cell", "rnn_relu", "--init", "identity",
                                   "--lr", 0.05, "--no-clip", "--optimizer", "sgd"))
    assert cfg.train.optimizer == preset.config.train.optimizer == "sgd"
    session = LabSession(cfg)
    assert any(session.step().diverged for _ in range(30))
