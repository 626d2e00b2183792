"""Compare mode: runs share batches and the example; the headless comparison shows vanishing gradients;
the compare window as a user drives it; bad input is one line, never a traceback."""
import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtWidgets import QMenu, QWidget

from app.cli.main import main
from app.compare.window import CompareWindow
from app.window.main_window import MainWindow
from engine import ModelConfig
from engine.lab.compare_config import parse_variants
from engine.lab.compare_session import CompareSession
from engine.lab.session import LabConfig
from widgets.parts.base import SERIES_COLORS

CELLS3 = [{"cell": "rnn_tanh"}, {"cell": "gru"}, {"cell": "lstm"}]


def small_config(task="adding", seq_len=12, **model):
    cfg = LabConfig.for_task(task, seq_len=seq_len)
    return replace(cfg, model=ModelConfig(**{**cfg.model.to_dict(), "hidden_size": 8, **model}),
                   train=replace(cfg.train, batch_size=8))


def record_batches(session):
    """Wrap each run's task.sample_batch (the trainer's batch source) to keep every batch it returns."""
    logs = []
    for s in session.sessions:
        log, sample = [], s.task.sample_batch
        assert s.trainer.task is s.task

        def recording(batch_size, generator, log=log, sample=sample):
            out = sample(batch_size, generator)
            log.append(tuple(t.clone() for t in out))
            return out
        s.task.sample_batch = recording
        logs.append(log)
    return logs


# ---- variants -------------------------------------------------------------------------------------
def test_parse_variants_cells_and_directions():
    assert parse_variants("rnn_tanh, gru,LSTM") == CELLS3
    assert parse_variants("uni,bi") == [{"bidirectional": False}, {"bidirectional": True}]


@pytest.mark.parametrize("spec, words", [
    ("gru", "2 to 4"), ("rnn_tanh,rnn_relu,gru,lstm,gru", "2 to 4"), ("gru,gru", "twice"),
    ("gru,transformer", "'transformer'"), ("uni,gru", "not both"), (" , ", "name 2 to 4"),
    ("bi,bi", "twice")])
def test_parse_variants_refuses_bad_specs(spec, words):
    with pytest.raises(ValueError, match=words):
        parse_variants(spec)


def test_variants_that_build_the_same_model_are_refused():
    cfg = small_config(cell="lstm")
    with pytest.raises(ValueError, match="same model"):
        CompareSession(cfg, [{"cell": "lstm"}, {"hidden_size": 8}])
    with pytest.raises(ValueError, match="only change model fields"):
        CompareSession(cfg, [{"cell": "gru"}, {"lr": 0.1}])


# ---- same batches, same example ---------------------------------------------------------------------
@pytest.mark.parametrize("variants", [CELLS3, [{"bidirectional": False}, {"bidirectional": True}]])
def test_every_run_trains_on_identical_batches(variants):
    session = CompareSession(small_config(), variants)
    logs = record_batches(session)
    for _ in range(4):
        session.step()
    assert [len(log) for log in logs] == [4] * len(variants)
    for step in range(4):
        for log in logs[1:]:
            for a, b in zip(logs[0][step], log[step], strict=True):
                assert torch.equal(a, b), f"step {step + 1}: runs saw different batches"
    assert not torch.equal(logs[0][0][0], logs[0][1][0]), "the stream should move on from step to step"
    # and the stream is the seed's, as a single LabSession would see it
    g = torch.Generator().manual_seed(session.base.train.seed)
    x0, _ = type(session.task).sample_batch(session.task, session.base.train.batch_size, g)
    assert torch.equal(x0, logs[0][0][0])


def test_runs_differ_only_in_the_model_and_show_the_same_example():
    session = CompareSession(small_config(seq_len=10), CELLS3)
    for _ in range(3):
        session.step()
    snap = session.snapshot()
    assert snap.labels == ("rnn_tanh", "gru", "lstm") and snap.step == 3
    assert [r.config["model"]["cell"] for r in snap.runs] == ["rnn_tanh", "gru", "lstm"]
    assert all(r.config["train"] == snap.runs[0].config["train"] for r in snap.runs)
    first = snap.runs[0].trace
    for r in snap.runs[1:]:
        np.testing.assert_array_equal(r.trace.input_values, first.input_values)
        assert r.trace.tokens == first.tokens and r.trace.targets == first.targets
    assert len({r.loss for r in snap.runs}) == 3, "different models should not give identical losses"
    session.new_example()
    again = session.snapshot()
    assert not np.array_equal(again.runs[0].trace.input_values, first.input_values)
    for r in again.runs[1:]:
        np.testing.assert_array_equal(r.trace.input_values, again.runs[0].trace.input_values)


def test_step_reports_a_diverged_run_and_reset_rewinds_every_run():
    session = CompareSession(small_config(), CELLS3[:2])
    real = session.sessions[0].step
    session.sessions[0].step = lambda: replace(real(), diverged=True, skipped=True)
    stats = session.step()
    assert stats.diverged and stats.step == 1
    session.sessions[0].step = real
    assert not session.step().diverged
    session.state = "training"
    assert [s.state for s in session.sessions] == ["training"] * 2
    session.reset()
    assert session.step_count == 0 and all(s.trainer.step_count == 0 for s in session.sessions)
    assert session.state == "paused"


# ---- headless ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "out"
    code = main(["--headless", "--compare", "rnn_tanh,gru,lstm", "--task", "adding", "--seq-len", "100",
                 "--steps", "40", "--export", str(out), "--quiet"])
    assert code == 0
    return out


def read_csv(path: Path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_headless_compare_writes_every_file(exported):
    stems = ["compare_curves", "compare_gradients", "hidden_rnn_tanh", "hidden_gru", "hidden_lstm"]
    expected = {f"{s}.{e}" for s in stems for e in ("png", "svg", "csv")}
    expected |= {"compare_board.png", "config.json", "summary.csv"}
    assert {p.name for p in exported.iterdir()} == expected
    config = json.loads((exported / "config.json").read_text())
    assert config["variants"] == CELLS3 and config["step"] == 40 and config["task_params"] == {"seq_len": 100}
    assert [m["cell"] for m in config["models"]] == ["rnn_tanh", "gru", "lstm"]
    header, rows = read_csv(exported / "compare_curves.csv")
    assert header == ["step", "loss rnn_tanh", "loss gru", "loss lstm", "MSE rnn_tanh", "MSE gru", "MSE lstm"]
    assert [int(r[0]) for r in rows] == list(range(1, 41))
    assert all(np.isfinite(float(v)) for r in rows for v in r[1:])


def test_headless_gradients_vanish_far_faster_in_the_simple_rnn(exported):
    header, rows = read_csv(exported / "compare_gradients.csv")
    assert header[:2] == ["lag", "t"] and len(rows) == 100
    table = np.array(rows, dtype=float)
    assert list(table[:, 0]) == list(range(100)) and list(table[:, 1]) == list(range(99, -1, -1))
    col = {name.removeprefix("grad norm "): i for i, name in enumerate(header)}
    ratio = {cell: table[90, col[cell]] / table[0, col[cell]] for cell in ("rnn_tanh", "gru", "lstm")}
    assert all(table[0, col[c]] > 0.01 for c in ratio), "the gradient at the loss is not small"
    assert ratio["rnn_tanh"] < 1e-15, ratio
    assert ratio["rnn_tanh"] < 1e-4 * ratio["lstm"], ratio  # orders of magnitude faster decay
    assert ratio["rnn_tanh"] < 1e-4 * ratio["gru"], ratio


def test_headless_gradient_figure_draws_the_rnn_below_the_lstm_at_long_lags(exported):
    """In compare_gradients.png, far to the right (long lags) the simple RNN's (first colour) curve lies
    below the LSTM's (third colour): fewer decades of gradient left."""
    with Image.open(exported / "compare_gradients.png") as im:
        img = np.asarray(im.convert("RGB"), dtype=float)
    h, w, _ = img.shape
    region = img[int(0.15 * h):int(0.9 * h), int(0.75 * w):int(0.9 * w)]  # below the legend, lags ~75-90
    rows = {}
    for name, color in (("rnn_tanh", SERIES_COLORS[0]), ("lstm", SERIES_COLORS[2])):
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
        near = np.abs(region - rgb).sum(-1) < 60
        assert near.sum() > 20, f"no {name} curve in the long-lag part of the figure"
        rows[name] = np.nonzero(near)[0].mean()
    assert rows["rnn_tanh"] > rows["lstm"] + 0.1 * region.shape[0]  # image rows grow downwards


@pytest.mark.parametrize("flags, words", [
    (["--compare", "gru"], "2 to 4"), (["--compare", "gru,gru"], "twice"),
    (["--compare", "gru,elman"], "elman"), (["--compare", "gru,lstm", "--cell", "gru"], "--cell"),
    (["--compare", "uni,bi", "--bidirectional"], "uni,bi"),
    (["--compare", "gru,lstm", "--seeds", "2"], "--seeds"),
    (["--compare", "gru,lstm", "--hidden", "0"], "hidden_size")])
def test_bad_compare_input_is_one_line(flags, words, capsys):
    code = main(["--headless", "--task", "adding", "--steps", "1", "--quiet"] + flags)
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_failed_export_leaves_nothing_half_written(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "config.json").mkdir(parents=True)  # the last file cannot be written
    code = main(["--headless", "--compare", "gru,lstm", "--task", "adding", "--seq-len", "8", "--hidden", "4",
                 "--steps", "2", "--export", str(out), "--quiet"])
    assert code == 2 and "config.json" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["config.json"]


# ---- the window -------------------------------------------------------------------------------------
def wait_snapshot(qtbot, window, predicate=lambda s: True, timeout=30000):
    qtbot.waitUntil(lambda: window.shown is not None and predicate(window.shown), timeout=timeout)
    return window.shown


def test_compare_window_trains_every_run_and_shares_the_time_cursor(qtbot):
    window = CompareWindow(small_config(seq_len=12))
    qtbot.addWidget(window)
    window.show()
    wait_snapshot(qtbot, window)
    panels = window.panels
    assert [r["label"] for r in panels.runs] == ["Simple RNN (tanh)", "GRU", "LSTM"]  # the main window's names
    assert [r["id"] for r in panels.runs] == ["rnn_tanh", "gru", "lstm"]
    assert panels.runs[0]["gates"].showing_equation()
    assert [r["gates"].gate_count() for r in panels.runs[1:]] == [3, 4]
    window.transport.step_button.click()
    snap = wait_snapshot(qtbot, window, lambda s: s.step == 1)
    assert [len(h["step"]) for h in panels.curves.histories] == [1, 1, 1]
    assert panels.curves.data_table()[1][0][1:4] == [r.history["loss"][0] for r in snap.runs]
    window.transport.set_time(5)
    assert [r["heatmap"].cursor_position() for r in panels.runs] == [5.0, 5.0, 5.0]
    assert [r["gates"].cursor_positions()[0] for r in panels.runs[1:]] == [5.0, 5.0]
    assert panels.gradients.cursor.value() == 12 - 1 - 5  # lag of t = 5
    window.close()
    assert window.handle is None


def test_compare_window_setup_reports_bad_choices_and_switches_to_uni_vs_bi(qtbot):
    window = CompareWindow(small_config(seq_len=10))
    qtbot.addWidget(window)
    wait_snapshot(qtbot, window)
    old = window.session
    for cell in ("rnn_tanh", "gru"):
        window.findChild(QWidget, f"compareCell_{cell}").setChecked(False)
    window.setup.apply_button.click()
    assert "2 to 4" in window.setup.message.text() and window.session is old
    window.setup.mode_combo.setCurrentIndex(1)
    window.setup.cell_combo.setCurrentText("gru")
    window.setup.apply_button.click()
    assert window.setup.message.text() == ""
    snap = wait_snapshot(qtbot, window, lambda s: s.labels == ("unidirectional", "bidirectional"))
    assert [r.config["model"]["cell"] for r in snap.runs] == ["gru", "gru"]
    assert [r.trace.num_directions for r in snap.runs] == [1, 2]
    assert [name for name, _v in window.panels.gradients.series()] == [
        "unidirectional", "bidirectional", "bidirectional ←"]
    window.close()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise windows
def test_main_window_action_opens_compare_on_its_config_and_closes_with_it(qtbot):
    main_window = MainWindow(remember=False)
    qtbot.addWidget(main_window)
    main_window.show()
    action = main_window.compare_action  # MainWindow calls add_compare_action(self)
    run_menu = next(m for m in main_window.menuBar().findChildren(QMenu) if m.title() == "&Run")
    assert action in run_menu.actions() and action.shortcut().toString() == "Ctrl+K"
    action.trigger()
    compare = action.guard.compare
    assert compare is not None and compare.isVisible()
    assert compare.base_config == main_window.controller.config
    action.trigger()  # a second time raises the same window
    assert action.guard.compare is compare
    wait_snapshot(qtbot, compare)
    main_window.close()
    assert action.guard.compare is None and compare.handle is None


def test_log_axis_labels_decades_first_and_distinct_values_on_narrow_ranges(qtbot):
    import pyqtgraph as pg

    from widgets.parts.plot_items import LogAxis

    plot = pg.PlotItem(axisItems={"left": LogAxis("left")})
    plot.setLogMode(y=True)
    axis = plot.getAxis("left")
    levels = axis.tickValues(-2.7, 0.3, 200)  # 0.002 .. 2
    assert axis.tickStrings(levels[0][1], 1, levels[0][0]) == ["0.01", "0.1", "1"]
    assert axis.tickStrings(levels[1][1], 1, levels[1][0]) == ["0.002", "0.005", "0.02", "0.05", "0.2", "0.5"]
    narrow = axis.tickValues(-0.8, -0.7, 200)  # 0.158 .. 0.2: no decade, no 2 or 5 inside
    strings = axis.tickStrings(narrow[0][1], 1, narrow[0][0])
    assert len(strings) >= 3 and len(set(strings)) == len(strings)
