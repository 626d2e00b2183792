"""What compare mode's figure and files say about themselves holds for what they hold: the seed band's legend
says when the band is drawn from smoothed curves (the exported figure has no smoothing box beside it),
summary.csv's steps are the steps trained (the history keeps only the latest rows), and config.json's notes
name only files the folder holds and describe which runs share batches."""
import csv
import json
import re
from dataclasses import replace

import numpy as np
import torch

from app.cli.main import main
from app.compare.seed_summary import summary_csv
from engine.lab.compare_session import CompareSession
from tests.app.test_compare_seeds import VARIANTS, Snap, fake_groups, small_config
from widgets.training.compare_curves import CompareCurves


def band_text(panel) -> str:
    return next(label.text for _s, label in panel.legend.items if label.text.startswith("line: mean of"))


def test_the_band_legend_says_whether_the_band_is_of_smoothed_curves(qtbot):
    panel = CompareCurves()
    qtbot.addWidget(panel)
    panel.set_task_info({"metric": "accuracy", "higher_is_better": True})
    groups = fake_groups(np.random.default_rng(3))
    raw_hi = np.log10(np.max([h["loss"] for h in groups[0]], axis=0))
    for span in (0, 10):
        panel.smoothing.setValue(span)
        panel.set_seed_runs(["gru", "lstm"], groups, [0, 1, 2])
        hi = panel.curves[0]["loss_band"].bounds[1].getData()[1]
        is_raw = np.allclose(hi, raw_hi)
        assert is_raw == (span == 0)  # (negative control: smoothing does change the band)
        assert ("smoothed over 10 steps" in band_text(panel)) == (not is_raw)
        assert ("smoothed" in band_text(panel)) == (not is_raw)


def test_summary_steps_are_the_steps_trained_past_the_historys_capacity():
    groups = fake_groups(np.random.default_rng(4), steps=50)
    for group in groups:
        for h in group:
            h["step"] = h["step"] + 11_950.0  # steps 11,951..12,000: the ring buffer kept the latest rows only
    rows = list(csv.reader(summary_csv(Snap(groups, (0, 1, 2))).splitlines()))
    seed_rows = [r for r in rows[1:] if r[1] not in ("mean", "SD")]
    assert [int(r[2]) for r in seed_rows] == [12_000] * 6  # not the 50 rows the history holds


def test_config_notes_name_only_saved_files_and_which_runs_share_batches(tmp_path):
    out = tmp_path / "cmp"
    code = main(["--headless", "--compare", "gru,lstm", "--seeds", "3", "--task", "parity", "--seq-len", "6",
                 "--hidden", "4", "--batch-size", "8", "--steps", "2", "--save", str(out), "--quiet"])
    assert code == 0
    info = json.loads((out / "config.json").read_text())
    named = {m for key, v in info.items() if key.endswith("_note") for m in re.findall(r"[\w.]+\.csv", v)}
    assert named and named <= {p.name for p in out.iterdir()}
    # with seeds: the runs of one seed share batches, the seeds do not (as the note says)
    session = CompareSession(small_config(seed=0), VARIANTS, seeds=3)
    session.step()
    states = [[s.trainer.generator.get_state() for s in group] for group in session.groups]
    assert all(torch.equal(a, b) for a, b in zip(states[0], states[1], strict=True))
    assert not torch.equal(states[0][0], states[0][1])
    assert "the runs of one seed train on the same batch" in info["batches_note"]
    assert "each seed has its own weights and its own stream of batches" in info["batches_note"]


def test_the_progress_line_over_seeds_says_whose_loss_it_shows(capsys):
    from app.cli.compare import train_all

    session = CompareSession(small_config(seed=4), VARIANTS, seeds=3)
    train_all(session, 2)
    line = capsys.readouterr().err.strip().split("\r")[-1]
    first = [group[0].trainer.last_stats.loss for group in session.groups]
    others = [group[1].trainer.last_stats.loss for group in session.groups]
    assert "loss (seed 4, the first of 3): " in line
    assert f"gru {first[0]:.4f}" in line and f"lstm {first[1]:.4f}" in line
    assert f"gru {others[0]:.4f}" not in line  # (negative control: another seed's loss differs)


def test_a_diverged_seed_other_than_the_first_is_reported(capsys, monkeypatch):
    from app.cli.compare import train_all

    session = CompareSession(small_config(seed=4), VARIANTS, seeds=3)
    run = session.groups[1][2]  # lstm, seed 6
    real = run.step

    def diverge():
        real()
        run.trainer.last_stats = replace(run.trainer.last_stats, diverged=True)
        return run.trainer.last_stats
    monkeypatch.setattr(run, "step", diverge)
    train_all(session, 1, quiet=False)
    err = capsys.readouterr().err
    assert "step 1: lstm seed 6 diverged" in err and err.count("diverged") == 1


def test_what_the_seeds_box_says_shows_the_first_seed_does(qtbot):
    from app.compare.panels import ComparePanels
    from app.compare.window import CompareSetup

    cfg = small_config(seed=4)
    setup = CompareSetup(cfg, "gru,lstm", seeds=3)
    qtbot.addWidget(setup)
    assert "The gradient plot, heatmaps, gates and speed show the first seed." in setup.seeds_spin.toolTip()
    session = CompareSession(cfg, VARIANTS, seeds=3)
    session.step()
    snap = session.snapshot()
    board = ComparePanels()
    qtbot.addWidget(board)
    board.show_snapshot(snap, 0)
    header, rows = board.gradients.data_table()
    lag0 = rows[0][2:]  # lag 0: the last input position, per run
    first = [float(np.asarray(group[0].snapshot().trace.grad_norm).reshape(-1)[-1]) for group in session.groups]
    second = [float(np.asarray(group[1].snapshot().trace.grad_norm).reshape(-1)[-1]) for group in session.groups]
    np.testing.assert_allclose(lag0, first, rtol=1e-6)
    assert not np.allclose(lag0, second)  # (negative control: another seed's gradients differ)


def test_an_export_over_seeds_says_which_files_show_the_first_seed():
    from app.cli.compare import compare_config_json

    session = CompareSession(small_config(seed=4), VARIANTS, seeds=3)
    session.step()
    info = json.loads(compare_config_json(session, session.snapshot()))
    assert "show the first seed (4)" in info["seeds_note"] and "compare_gradients.*" in info["seeds_note"]
    one = CompareSession(small_config(seed=4), VARIANTS, seeds=1)
    assert "seeds_note" not in json.loads(compare_config_json(one, one.snapshot()))


def test_the_overlay_figures_are_captioned_with_what_the_run_was():
    from app.compare.panels import export_caption

    session = CompareSession(small_config(seed=4), VARIANTS, seeds=3)
    for _ in range(2):
        session.step()
    snap = session.snapshot()
    curves, grads = export_caption("compare_curves", snap), export_caption("compare_gradients", snap)
    assert curves == f"GRU vs LSTM · {snap.runs[0].task_info['title']}, T 6 · after 2 training steps · seeds 4-6"
    assert grads.endswith("· seed 4 (the first of 3)")  # the gradients are the first seed's (see above)
    assert export_caption("hidden_gru", snap) is None  # a run's own figure keeps its trace caption
