"""Held-out evaluations (the curves panel's large dots): made as training passes each multiple of the
period, on one fixed set of held-out data, equal to an independent computation of the loss and metric,
and without advancing the trainer's own evaluation stream."""
import math
from pathlib import Path

import numpy as np
import torch

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task
from engine.training.held_out import SEED_OFFSET, HeldOutSeries
from tests.engine.test_data_tasks import session_on

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def independent(trainer) -> tuple[float, float]:
    """Mean loss and metric over the fixed evaluation batches, recomputed here."""
    g = torch.Generator().manual_seed(trainer.config.seed + SEED_OFFSET)
    losses, metrics = [], []
    trainer.model.eval()
    with torch.no_grad():
        for _ in range(4):
            x, y = trainer.task.sample_batch(trainer.config.batch_size, g)
            out = trainer.model(x)
            losses.append(float(trainer.task.loss(out, y)))
            metrics.append(float(trainer.task.metric(out, y)))
    trainer.model.train()
    return float(np.mean(losses)), float(np.mean(metrics))


def test_evaluations_at_each_period_equal_an_independent_computation():
    task = make_task("parity", seq_len=8)
    trainer = Trainer(build_model(ModelConfig(cell="gru", hidden_size=8), task, seed=0), task,
                      TrainConfig(seed=0, lr=0.01))
    series, expected = HeldOutSeries(every=5), []
    stream = trainer.eval_generator.get_state().clone()
    for _ in range(12):
        trainer.step()
        if trainer.step_count % 5 == 0:
            expected.append((trainer.step_count, *independent(trainer)))
        got = series.update(trainer)
    assert got["step"].tolist() == [5, 10] and got["on"] == "fresh examples" and got["every"] == 5
    np.testing.assert_allclose(got["loss"], [e[1] for e in expected], rtol=1e-6)
    np.testing.assert_allclose(got["metric"], [e[2] for e in expected], rtol=1e-6)
    assert got["loss"][0] != got["loss"][1]  # the model changed between them (the dots are not one value)
    assert torch.equal(trainer.eval_generator.get_state(), stream)  # the trainer's stream did not advance
    trainer.evaluate()  # negative control: its own evaluation does advance it
    assert not torch.equal(trainer.eval_generator.get_state(), stream)
    trainer.reset()  # a reset starts a new series
    assert series.update(trainer)["step"].size == 0


def test_a_data_file_is_evaluated_on_its_validation_rows_and_the_snapshot_carries_the_series():
    s = session_on(EXAMPLES / "majority_ab.csv", hidden=8)
    s.held_out = HeldOutSeries(every=3)
    for _ in range(3):
        s.step()
    evals = s.snapshot().evals
    assert evals["step"].tolist() == [3] and evals["on"] == "the file's validation rows"
    assert math.isnan(evals["loss"][0])  # only the metric is defined on rows of several lengths
    assert evals["metric"][0] == s.task.heldout_metric(s.model)
