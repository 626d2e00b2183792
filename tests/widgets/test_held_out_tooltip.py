"""The curves panel's tooltips name what the held-out dots are, as the run's own evaluations draw them: the loss
is named only where a loss dot is drawn (a data file's validation rows and a text's held-out end give the metric
alone), on the data the evaluation says it used."""
from pathlib import Path

import numpy as np

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task
from engine.training.held_out import HeldOutSeries
from tests.engine.test_data_tasks import session_on
from widgets.training.curves_panel import CurvesPanel

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def drawn(item) -> int:
    x, _ = item.getOriginalDataset()
    return 0 if x is None else len(x)


def shown(qtbot, info, history, evals) -> CurvesPanel:
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.set_task_info(info)
    panel.set_history({k: np.asarray(v) for k, v in history.items()})
    panel.set_evals(evals)
    return panel


def check_tooltips_name_what_is_drawn(panel, evals):
    loss_dots, metric_dots = drawn(panel.loss_eval), drawn(panel.metric_eval)
    assert metric_dots == int(np.isfinite(evals["metric"]).sum()) > 0
    assert loss_dots == int(np.isfinite(evals["loss"]).sum())
    metric_tip, loss_tip = panel.metric_plot.toolTip(), panel.loss_plot.toolTip()
    assert f"on {evals['on']}, " in metric_tip
    assert ("held out from training" in metric_tip) == bool(evals["disjoint"])
    assert ("the loss and metric" in metric_tip) == (loss_dots > 0)  # the loss is named only where it is drawn
    assert ("Large dots" in loss_tip) == (loss_dots > 0)


def parity_run(steps: int):
    """A small parity run evaluated every 2 steps: (task, trainer, the last evaluations)."""
    task = make_task("parity", seq_len=6)
    trainer = Trainer(build_model(ModelConfig(cell="gru", hidden_size=4), task, seed=0), task,
                      TrainConfig(seed=0, batch_size=8))
    series = HeldOutSeries(every=2)
    for _ in range(steps):
        trainer.step()
        evals = series.update(trainer)
    return task, trainer, evals


def test_fresh_examples_give_loss_and_metric_dots_and_say_so(qtbot):
    task, trainer, evals = parity_run(4)
    panel = shown(qtbot, task.info(), trainer.history.arrays(), evals)
    assert drawn(panel.loss_eval) == 2  # (the real evaluation gives a loss here)
    check_tooltips_name_what_is_drawn(panel, evals)


def test_a_data_files_validation_rows_give_the_metric_alone_and_say_so(qtbot):
    s = session_on(EXAMPLES / "majority_ab.csv", hidden=8)
    s.held_out = HeldOutSeries(every=2)
    for _ in range(4):
        s.step()
    snap = s.snapshot()
    panel = shown(qtbot, snap.task_info, snap.history, snap.evals)
    assert drawn(panel.loss_eval) == 0  # negative control: no loss on rows of several lengths
    check_tooltips_name_what_is_drawn(panel, snap.evals)
    assert f"the {snap.task_info['metric']} (no loss dots)" in panel.metric_plot.toolTip()


def test_held_out_from_training_is_said_only_of_data_training_never_draws():
    """Parity at T = 10 has 1,024 strings: the fresh examples of its evaluations are nearly all among the
    first 250 steps' training batches, so they are not called held out; a data file's validation rows are
    disjoint from its training rows, and are."""
    import torch

    from engine.training.held_out import SEED_OFFSET
    from widgets.training.held_out_tip import dots_sentences

    task = make_task("parity", seq_len=10)
    train = torch.Generator().manual_seed(0)  # the trainer's batch stream for seed 0
    seen = {tuple(x.tolist()) for _ in range(250) for x in task.sample_batch(64, train)[0]}
    fresh = torch.Generator().manual_seed(0 + SEED_OFFSET)
    evals = [tuple(x.tolist()) for _ in range(4) for x in task.sample_batch(64, fresh)[0]]
    assert np.mean([e in seen for e in evals]) > 0.95  # the real overlap: the dots are on trained-on strings
    trainer = Trainer(build_model(ModelConfig(cell="gru", hidden_size=4), task, seed=0), task,
                      TrainConfig(seed=0, batch_size=8))
    trainer.step()
    fresh_evals = HeldOutSeries(every=1).update(trainer)
    metric_tip, _ = dots_sentences(fresh_evals, "accuracy")
    assert "held out from training" not in metric_tip and "not excluded from them" in metric_tip
    s = session_on(EXAMPLES / "majority_ab.csv", hidden=4)
    assert not set(s.task.train_rows.tolist()) & set(s.task.val_rows.tolist())  # truly never trained on
    s.held_out = HeldOutSeries(every=1)
    s.step()
    assert "held out from training" in dots_sentences(s.snapshot().evals, "accuracy")[0]  # (negative control)


def test_the_curves_csv_holds_the_dots_the_figure_draws(qtbot):
    task, trainer, evals = parity_run(5)
    panel = shown(qtbot, task.info(), trainer.history.arrays(), evals)
    header, rows = panel.data_table()
    assert header[-2:] == ["held-out loss", "held-out accuracy"]
    got = {r[0]: r[-2:] for r in rows if r[-1] != ""}
    x, y = panel.metric_eval.getOriginalDataset()
    assert sorted(got) == [int(s) for s in x] == [2, 4]  # the dots drawn
    for step, loss, metric in zip(evals["step"], evals["loss"], evals["metric"], strict=True):
        assert got[int(step)] == [loss, metric]
    assert rows[0][-2:] == ["", ""]
    panel.set_evals({})  # no dots: the table is the curves' alone
    assert panel.data_table()[0] == ["step", "loss", "accuracy"]
