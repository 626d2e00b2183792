"""Compare over seeds: every configuration trains with N seeds, each exactly as a run of its own seed would; the curves
show each run's mean and the band from the lowest to the highest seed, the final figures mean ± SD, all equal to numpy
over the per-seed curves; ``--save DIR`` writes files a user can read back, and a bad folder is refused before any
training."""
import csv
import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.compare.seed_summary import FINAL_STEPS, summaries, summary_csv, summary_line
from app.compare.window import CompareWindow
from engine import ModelConfig
from engine.lab.compare_session import CompareSession
from engine.lab.session import LabConfig, LabSession
from widgets.training.compare_curves import CompareCurves

VARIANTS = [{"cell": "gru"}, {"cell": "lstm"}]


def small_config(seed=4):
    cfg = LabConfig.for_task("parity", seq_len=6)
    return replace(cfg, model=ModelConfig(**{**cfg.model.to_dict(), "hidden_size": 4}),
                   train=replace(cfg.train, batch_size=8, seed=seed))


def test_each_seed_trains_as_its_own_run_would():
    cfg = small_config()
    session = CompareSession(cfg, VARIANTS, seeds=3)
    for _ in range(4):
        session.step()
    snap = session.snapshot()
    assert snap.seeds == (4, 5, 6) and len(snap.seed_histories) == 2
    for variant, group in zip(VARIANTS, snap.seed_histories, strict=True):
        for seed, hist in zip(snap.seeds, group, strict=True):
            alone = LabSession(replace(cfg, model=replace(cfg.model, **variant), train=replace(cfg.train, seed=seed)))
            for _ in range(4):
                alone.step()
            np.testing.assert_array_equal(hist["loss"], alone.trainer.history.arrays()["loss"])
    # the runs shown (heatmaps, gates, speed) are the first seed's; the seeds really differ
    np.testing.assert_array_equal(snap.runs[0].history["loss"], snap.seed_histories[0][0]["loss"])
    assert not np.array_equal(snap.seed_histories[0][0]["loss"], snap.seed_histories[0][1]["loss"])
    with pytest.raises(ValueError, match="1 seed per configuration, or 3 to 10"):
        CompareSession(cfg, VARIANTS, seeds=2)


def fake_groups(rng, n_seeds=3, steps=30):
    return [[{"step": np.arange(1.0, steps + 1), "loss": rng.uniform(0.1, 1.0, steps),
              "metric": rng.uniform(0.0, 1.0, steps)} for _ in range(n_seeds)] for _ in range(2)]


def ema_reference(x, span):
    a, out, acc = 2 / (span + 1), [], None
    for v in x:
        acc = v if acc is None else acc + a * (v - acc)
        out.append(acc)
    return np.array(out)


def test_curves_draw_the_mean_and_the_seed_range_as_numpy_does(qtbot):
    panel = CompareCurves()
    qtbot.addWidget(panel)
    panel.set_task_info({"metric": "accuracy", "higher_is_better": True})
    groups = fake_groups(np.random.default_rng(0))
    for span in (0, 10):
        panel.smoothing.setValue(span)
        panel.set_seed_runs(["gru", "lstm"], groups, [4, 5, 6])
        for run, group in zip(panel.curves, groups, strict=True):
            for key, log in (("loss", True), ("metric", False)):
                curves = np.array([h[key] if span <= 1 else ema_reference(h[key], span) for h in group])
                y = run[key].yData  # (the values; the log axis draws their log10)
                np.testing.assert_allclose(y, curves.mean(0))
                assert not np.allclose(y, curves[0])  # negative control: not the first seed's curve
                lo, hi = (b.getData()[1] for b in run[f"{key}_band"].bounds)
                np.testing.assert_allclose(lo, np.log10(curves.min(0)) if log else curves.min(0))
                np.testing.assert_allclose(hi, np.log10(curves.max(0)) if log else curves.max(0))
    assert "line: mean of 3 seeds, band: lowest to highest<br>(each seed smoothed over 10 steps)" in [
        label.text for _s, label in panel.legend.items]
    header, rows = panel.data_table()  # every seed's raw curve
    assert header[1:4] == ["loss gru seed 4", "loss gru seed 5", "loss gru seed 6"]
    np.testing.assert_allclose([r[6] for r in rows], groups[1][2]["loss"])
    panel.set_runs(["gru", "lstm"], [g[0] for g in groups])  # one seed again: no band
    assert all(len(run["loss_band"].bounds[0].getData()[0] or ()) == 0 for run in panel.curves)


class Snap:
    def __init__(self, groups, seeds):
        self.seed_histories, self.seeds, self.labels = groups, seeds, ("gru", "lstm")
        self.runs = [type("R", (), {"task_info": {"metric": "accuracy"}, "history": g[0],
                                    "config": {"train": {"seed": seeds[0]}}})() for g in groups]


def test_final_figures_are_mean_and_sd_of_the_last_steps():
    groups = fake_groups(np.random.default_rng(1), steps=50)
    got = summaries(Snap(groups, (0, 1, 2)))
    for s, group in zip(got, groups, strict=True):
        finals = np.array([h["loss"][-FINAL_STEPS:].mean() for h in group])
        np.testing.assert_allclose(s["loss"], finals)
        assert s["loss_mean"] == pytest.approx(finals.mean()) and s["loss_sd"] == pytest.approx(finals.std(ddof=1))
        assert s["loss_sd"] != pytest.approx(finals.std())  # the sample SD, not the population's
    rows = list(csv.reader(summary_csv(Snap(groups, (0, 1, 2))).splitlines()))
    assert rows[4][:2] == ["gru", "mean"] and float(rows[4][3]) == pytest.approx(got[0]["loss_mean"])
    snap = Snap(groups, (0, 1, 2))
    for r in snap.runs:
        r.task_info = {"metric": "accuracy", "pass_threshold": 0.55, "higher_is_better": True}
    for s, group in zip(summaries(snap), groups, strict=True):  # steps to the target, per seed
        want = [next((int(h["step"][i]) for i in range(19, 50) if h["metric"][i - 19:i + 1].mean() >= 0.55), None)
                for h in group]
        assert s["reached"] == want
        hits = [x for x in want if x is not None]
        assert f"{len(hits)} of 3 seeds reached accuracy 0.55" in summary_line(s, "accuracy")


def test_headless_seeds_save_writes_files_that_read_back(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["--headless", "--compare", "gru,lstm", "--seeds", "3", "--task", "parity", "--seq-len", "6",
                 "--hidden", "4", "--batch-size", "8", "--steps", "25", "--save", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert sorted(p.name for p in out.iterdir()) == ["compare_curves.csv", "compare_curves.png", "compare_curves.svg",
                                                      "config.json", "summary.csv"]
    with open(out / "compare_curves.csv", newline="") as f:
        curves = list(csv.DictReader(f))
    with open(out / "summary.csv", newline="") as f:
        summary = list(csv.reader(f))
    assert len(curves) == 25 and json.loads((out / "config.json").read_text())["seeds"] == [0, 1, 2]
    for run in ("gru", "lstm"):
        finals = np.array([np.mean([float(r[f"loss {run} seed {s}"]) for r in curves][-FINAL_STEPS:])
                           for s in range(3)])
        mean = next(r for r in summary if r[:2] == [run, "mean"])
        sd = next(r for r in summary if r[:2] == [run, "SD"])
        assert float(mean[3]) == pytest.approx(finals.mean(), rel=1e-6)
        assert float(sd[3]) == pytest.approx(finals.std(ddof=1), rel=1e-6)
        assert f"{run}: final loss {finals.mean():.3g} ± " in captured.out
    with Image.open(out / "compare_curves.png") as image:
        assert image.size[0] > 500


def test_a_bad_save_folder_is_one_line_before_any_training(tmp_path, capsys, monkeypatch):
    trained = []
    monkeypatch.setattr(CompareSession, "step", lambda self: trained.append(1))
    (tmp_path / "file").write_text("")
    code = main(["--headless", "--compare", "gru,lstm", "--seeds", "3", "--task", "parity", "--steps", "5",
                 "--save", str(tmp_path / "file" / "cmp"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot save the comparison into" in err
    assert "is not a folder" in err and not trained


@pytest.mark.slow  # (an engine process of its own)
def test_compare_window_over_seeds(qtbot, tmp_path):
    window = CompareWindow(small_config(seed=0), spec="gru,lstm", seeds=3)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.shown is not None, timeout=30000)
    window.transport.step_button.click()
    qtbot.waitUntil(lambda: window.shown.step == 1, timeout=30000)
    assert [len(g) for g in window.panels.curves.seed_histories] == [3, 3]
    assert "(3 seeds, mean ± SD)" in window.panels.stats.text()
    window.setup.seeds_spin.setValue(2)
    window.setup.apply_button.click()
    assert "3 to 10" in window.setup.message.text()
    written = window.export(str(tmp_path))
    assert (tmp_path / "summary.csv") in written and (tmp_path / "compare_curves.csv").exists()
    window.close()
