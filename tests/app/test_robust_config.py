"""Configuration fuzzing: every config field, every CLI flag and the window's controls driven with
out-of-range, wrong-typed and extreme values. The answer is always a clear refusal naming the field
(ValueError / exit status 2 with one line / a status-bar message with the controls reverted), never
a traceback, and never a configuration big enough to freeze the machine (the size cap)."""
import math
import re
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import headless
from app.cli.main import main
from app.window.controller import config_to_values
from app.window.main_window import MainWindow  # noqa: F401  (imported first, so conftest answers "discard")
from engine import ModelConfig, TrainConfig, list_tasks, make_task
from engine.config import CELLS, INITS, MERGES, OPTIMIZERS
from engine.lab.session import MAX_CELLS, LabConfig, check_size
from engine.tasks import task_class
from tests.app.test_main_window import make_window, wait_shown
from widgets.chrome.controls import TIPS

NAN, INF = float("nan"), float("inf")
WILD = st.one_of(st.none(), st.booleans(), st.integers(-2**80, 2**80), st.floats(allow_nan=True),
                 st.text(max_size=12), st.binary(max_size=4), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.sampled_from(CELLS + MERGES + INITS + OPTIMIZERS + ("", "LSTM", "nan")))


def fields_of(cls):
    return [f.name for f in fields(cls)]


def check_model(cfg: ModelConfig) -> None:
    """A ModelConfig that constructed holds only values inside the documented ranges."""
    assert cfg.cell in CELLS and cfg.merge in MERGES and cfg.init in INITS
    assert type(cfg.bidirectional) is bool
    for name, lo, hi in (("hidden_size", 1, 512), ("num_layers", 1, 4), ("embedding_dim", 1, 512)):
        v = getattr(cfg, name)
        assert type(v) is int and lo <= v <= hi, name


def check_train(cfg: TrainConfig) -> None:
    assert cfg.optimizer in OPTIMIZERS and type(cfg.clip) is bool
    assert math.isfinite(cfg.lr) and 0 < cfg.lr <= 10
    assert math.isfinite(cfg.max_norm) and 0 < cfg.max_norm <= 1e6
    assert type(cfg.batch_size) is int and 1 <= cfg.batch_size <= 1024
    assert type(cfg.seed) is int and 0 <= cfg.seed <= 2**31 - 1


# ---- the config dataclasses ------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.data())
@pytest.mark.parametrize("cls,check", [(ModelConfig, check_model), (TrainConfig, check_train)])
def test_any_values_make_a_valid_config_or_a_value_error_naming_the_field(cls, check, data):
    chosen = data.draw(st.lists(st.sampled_from(fields_of(cls)), unique=True, min_size=1))
    values = {name: data.draw(WILD, label=name) for name in chosen}
    try:
        cfg = cls(**values)
    except ValueError as exc:
        assert any(name in str(exc) for name in chosen), str(exc)
        return
    check(cfg)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.one_of(st.sampled_from(fields_of(ModelConfig) + fields_of(TrainConfig)),
                                 st.text(max_size=6), st.integers()), WILD, max_size=6))
def test_from_dict_with_any_mapping_is_valid_or_a_value_error(data):
    for cls, check in ((ModelConfig, check_model), (TrainConfig, check_train)):
        try:
            check(cls.from_dict(data))
        except ValueError as exc:
            assert str(exc)


@settings(max_examples=150, deadline=None)
@given(st.one_of(WILD, st.fixed_dictionaries({}, optional={
    "task": st.one_of(st.sampled_from(list_tasks()), WILD), "task_params": WILD,
    "model": st.one_of(WILD, st.fixed_dictionaries({}, optional={"hidden_size": WILD, "cell": WILD})),
    "train": st.one_of(WILD, st.fixed_dictionaries({}, optional={"lr": WILD, "batch_size": WILD}))})))
def test_lab_config_from_any_data_is_valid_or_a_value_error(data):
    """The remembered last configuration is read with this: a damaged settings file must not crash."""
    try:
        cfg = LabConfig.from_dict(data)
    except ValueError as exc:
        assert str(exc)
        return
    check_model(cfg.model)
    check_train(cfg.train)
    make_task(cfg.task, **cfg.task_params)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(list_tasks()), params=st.dictionaries(
    st.sampled_from(["seq_len", "min_len", "symbols", "colour"]), WILD, max_size=3))
def test_task_parameters_are_valid_or_a_value_error_naming_them(name, params):
    try:
        task = make_task(name, **params)
    except ValueError as exc:
        assert any(k in str(exc) for k in params), str(exc)
        return
    for p in task.params_spec:
        assert p.lo <= task.params[p.name] <= p.hi


EXTREMES = [  # (config class, field, value): the list, and their neighbours
    (ModelConfig, "hidden_size", 0), (ModelConfig, "hidden_size", 100000), (ModelConfig, "hidden_size", -1),
    (ModelConfig, "num_layers", 9), (ModelConfig, "num_layers", 0), (ModelConfig, "embedding_dim", 10**9),
    (ModelConfig, "hidden_size", 32.0), (ModelConfig, "hidden_size", "32"), (ModelConfig, "cell", "LSTM"),
    (TrainConfig, "lr", -0.1), (TrainConfig, "lr", 0.0), (TrainConfig, "lr", NAN), (TrainConfig, "lr", INF),
    (TrainConfig, "lr", -INF), (TrainConfig, "lr", "0.1"), (TrainConfig, "lr", 1e308),
    (TrainConfig, "batch_size", 0), (TrainConfig, "batch_size", 10**6), (TrainConfig, "batch_size", True),
    (TrainConfig, "seed", -1), (TrainConfig, "seed", 2**31), (TrainConfig, "seed", 2**64),
    (TrainConfig, "max_norm", 0.0), (TrainConfig, "max_norm", NAN), (TrainConfig, "max_norm", INF),
    (TrainConfig, "clip", 1), (TrainConfig, "optimizer", None),
]


@pytest.mark.parametrize("cls,name,value", EXTREMES, ids=[f"{n}={v!r}" for _, n, v in EXTREMES])
def test_extreme_values_are_refused_naming_the_field(cls, name, value):
    with pytest.raises(ValueError, match=name):
        cls(**{name: value})


@pytest.mark.parametrize("task", list_tasks())
def test_sequence_length_zero_and_huge_are_refused_for_every_task(task):
    for value in (0, -1, 10**6, 2.5, "10"):
        with pytest.raises(ValueError, match="seq_len"):
            make_task(task, seq_len=value)


# ---- the size cap ----------------------------------------------------------------------------------
def lab(task="adding", seq_len=None, batch=32, **model):
    params = {} if seq_len is None else {"seq_len": seq_len}
    return LabConfig(task, params, ModelConfig(**model), TrainConfig(batch_size=batch))


def test_size_cap_refuses_huge_products_and_accepts_the_boundary():
    huge = lab(seq_len=1000, batch=1024, hidden_size=512, num_layers=4, bidirectional=True)
    with pytest.raises(ValueError, match="limit of 2,000,000"):
        check_size(huge, make_task("adding", seq_len=1000))
    at_limit = lab(seq_len=1000, batch=125, hidden_size=16)  # 125 x 1000 x 16 = 2,000,000
    check_size(at_limit, make_task("adding", seq_len=1000))
    over = lab(seq_len=1000, batch=125, hidden_size=17)
    with pytest.raises(ValueError, match="limit"):
        check_size(over, make_task("adding", seq_len=1000))


@pytest.mark.parametrize("task", list_tasks())
def test_size_cap_holds_for_every_task_at_its_longest(task):
    """Batch 1024 and the smallest hidden size that crosses the cap with the task's longest
    sequences (measured, not assumed): refused."""
    import torch

    params = {p.name: p.hi for p in task_class(task).params_spec if p.name != "min_len"}
    t = make_task(task, **params)
    real_T = max([params["seq_len"]] + [t.sample_batch(1, torch.Generator().manual_seed(s))[0].shape[1]
                                        for s in range(3)])
    H = MAX_CELLS // (1024 * real_T) + 1
    with pytest.raises(ValueError, match="limit"):
        check_size(LabConfig(task, params, ModelConfig(hidden_size=H), TrainConfig(batch_size=1024)), t)


def test_size_cap_counts_copy_memorys_real_length():
    """Copy memory's sequences are T + 2K long: 463 x 540 x 8 is over the cap though 463 x 500 x 8 is not."""
    params = {"seq_len": 500, "symbols": 20}
    cfg = LabConfig("copy_memory", params, ModelConfig(hidden_size=8), TrainConfig(batch_size=463))
    with pytest.raises(ValueError, match="limit"):
        check_size(cfg, make_task("copy_memory", **params))


# ---- the command line ------------------------------------------------------------------------------
BAD_FLAGS = [
    ("--hidden", "0", "hidden_size"), ("--hidden", "100000", "hidden_size"), ("--hidden", "abc", "--hidden"),
    ("--hidden", "1.5", "--hidden"), ("--hidden", "-1", "hidden_size"), ("--layers", "9", "num_layers"),
    ("--layers", "0", "num_layers"), ("--lr", "-1", "lr"), ("--lr", "0", "lr"), ("--lr", "nan", "lr"),
    ("--lr", "inf", "lr"), ("--lr", "abc", "--lr"), ("--lr", "11", "lr"), ("--batch-size", "0", "batch_size"),
    ("--batch-size", "100000", "batch_size"), ("--seq-len", "0", "seq_len"),
    ("--seq-len", "100000", "seq_len"),
    ("--seq-len", "-5", "seq_len"), ("--seed", "-1", "seed"), ("--seed", str(2**31), "seed"),
    ("--seed", "x", "--seed"), ("--steps", "-1", "--steps"), ("--steps", str(10**8), "--steps"),
    ("--steps", "many", "--steps"), ("--scale", "nan", "--scale"), ("--scale", "0", "--scale"),
    ("--scale", "100", "--scale"), ("--clip", "-1", "max_norm"), ("--clip", "nan", "max_norm"),
    ("--clip", "inf", "max_norm"), ("--clip", "0", "max_norm"), ("--cell", "transformer", "cell"),
    ("--merge", "avg", "merge"), ("--init", "zeros", "init"), ("--task", "chess", "chess"),
    ("--open", "/nonexistent/run.rnnlab", "run.rnnlab"), ("--export", "/proc/version/out", "export"),
    ("--save", "/nonexistent/dir/run.rnnlab", "save"),
]
BIG = ["--hidden", "512", "--layers", "4", "--bidirectional", "--batch-size", "1024", "--seq-len", "1000"]


def run_cli(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code, out, err, *names):
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and err.startswith("rnnlab: error: "), err
    assert "Traceback" not in err
    assert any(n in err for n in names), err


@pytest.mark.parametrize("flag,value,named", BAD_FLAGS, ids=[f"{f}={v}" for f, v, _ in BAD_FLAGS])
def test_bad_cli_flag_exits_2_with_one_line_naming_it(capsys, flag, value, named):
    argv = ["--headless", "--task", "adding", "--quiet", flag, value]
    assert_one_line_refusal(*run_cli(capsys, argv), named, flag)


def test_cli_applies_the_size_cap(capsys):
    assert_one_line_refusal(*run_cli(capsys, ["--headless", "--task", "adding", *BIG]), "limit")
    compare = ["--headless", "--compare", "gru,lstm", "--task", "adding", *BIG]
    assert_one_line_refusal(*run_cli(capsys, compare), "limit")


def test_cli_without_headless_refuses_training_flags(capsys):
    assert_one_line_refusal(*run_cli(capsys, ["--steps", "5"]), "--headless")


NUMERIC_FLAGS = ["--hidden", "--layers", "--lr", "--batch-size", "--seq-len", "--seed", "--steps", "--scale",
                 "--clip"]


FLAG_VALUES = st.one_of(st.text(max_size=8), st.integers(-10**12, 10**12).map(str), st.floats().map(str))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flags=st.lists(st.tuples(st.sampled_from(NUMERIC_FLAGS + ["--cell", "--merge", "--init", "--task"]),
                                FLAG_VALUES), min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_any_flag_values_run_or_exit_2_with_one_line(capsys, monkeypatch, flags):
    trained = []
    monkeypatch.setattr(headless, "train", lambda session, steps, quiet=False: trained.append(steps))
    argv = ["--headless", "--quiet"] + ([] if any(f == "--task" for f, _ in flags) else ["--task", "parity"])
    for flag, value in flags:
        argv += [f"{flag}={value}"]
    code, out, err = run_cli(capsys, argv)
    if code == 0:  # a quiet run prints only its held-out metric at the end (issue 27), on stdout
        assert trained and err == "" and all(line.startswith("step ") and "held-out" in line
                                              for line in out.splitlines())
    else:
        assert_one_line_refusal(code, out, err, "")


# ---- the window --------------------------------------------------------------------------------
WINDOW_BAD = [("hidden_size", 0), ("hidden_size", 100000), ("num_layers", 9), ("lr", -1.0), ("lr", NAN),
              ("lr", INF), ("batch_size", 0), ("seq_len", 0), ("seq_len", 5000), ("seed", -1),
              ("cell", "rnn"),
              ("max_norm", 0.0), ("embedding_dim", "16"), ("seq_len", 2.5), ("seq_len", INF)]


def test_window_refuses_bad_values_with_a_message_and_reverts_the_controls(qtbot):
    window = make_window(qtbot, "adding")
    before_values, before_cfg = window.controls.values(), window.controller.config
    for name, value in WINDOW_BAD + [("size", None)]:
        values = dict(before_values)
        if name == "size":
            values.update(hidden_size=512, num_layers=4, bidirectional=True, batch_size=1024, seq_len=1000)
            name = "limit"
        else:
            values[name] = value
        assert window.controller.apply_values(values) is False, name
        message = window.statusBar().currentMessage()
        assert message.startswith("Not applied") and name in message, (name, message)
        assert window.controls.values() == before_values, name
        assert window.controller.config == before_cfg
    window.controller.step_once()  # the model was never touched
    snap = wait_shown(qtbot, window, lambda s: s.step == 1)
    assert LabConfig.from_dict(snap.config) == before_cfg


def test_window_spin_boxes_cannot_hold_out_of_range_values_and_the_cap_reverts_them(qtbot):
    from PySide6.QtCore import Qt

    window = make_window(qtbot, "adding")
    c = window.controls
    for spin, text in ((c.hidden_spin, "100000"), (c.layers_spin, "9"), (c.batch_spin, "0"),
                       (c.seed_spin, "-1"), (c.lr_spin, "-5")):
        spin.selectAll()
        qtbot.keyClicks(spin, text)
        qtbot.keyClick(spin, Qt.Key_Return)
        assert spin.minimum() <= spin.value() <= spin.maximum()
    cfg = window.controller.config
    check_model(cfg.model)
    check_train(cfg.train)
    check_size(cfg, make_task(cfg.task, **cfg.task_params))
    # each edit is applied alone; the one that crosses the size cap is refused and reverted
    for spin, value in ((c.hidden_spin, 512), (c.batch_spin, 1024), (c.seq_len_spin, 1000)):
        spin.setValue(value)
    assert "limit" in window.statusBar().currentMessage()
    cfg = window.controller.config
    check_size(cfg, make_task(cfg.task, **cfg.task_params))
    assert window.controls.values() == config_to_values_of(window)


def config_to_values_of(window):
    values = window.controls.values()
    values.update(config_to_values(window.controller.config))
    return values


# ---- the tooltips state the real limits -----------------------------------------------------------
SPIN_TIPS = [("hidden_spin", "hidden", ModelConfig, "hidden_size"), ("layers_spin", "layers", ModelConfig,
             "num_layers"), ("embedding_spin", "embedding", ModelConfig, "embedding_dim"),
             ("batch_spin", "batch", TrainConfig, "batch_size"), ("seed_spin", "seed", TrainConfig, "seed"),
             ("lr_spin", "lr", TrainConfig, "lr"), ("clip_spin", "max_norm", TrainConfig, "max_norm")]


def tip_range(text: str):
    m = re.search(r"\(([\d.,]+)-([\d.,]+)\)", text)
    assert m, text
    return float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))


@pytest.mark.parametrize("spin,tip,cls,field", SPIN_TIPS, ids=[s[1] for s in SPIN_TIPS])
def test_tooltips_state_the_limits_the_controls_and_configs_enforce(qtbot, spin, tip, cls, field):
    from widgets.chrome.controls import ControlsPanel

    panel = ControlsPanel()
    qtbot.addWidget(panel)
    box = getattr(panel, spin)
    lo, hi = tip_range(TIPS[tip])
    assert (box.minimum(), box.maximum()) == pytest.approx((lo, hi))
    kind = int if isinstance(box.minimum(), int) else float
    cls(**{field: kind(lo)}), cls(**{field: kind(hi)})  # the configs take the whole range
    if kind is int:
        for outside in (int(lo) - 1, int(hi) + 1):
            with pytest.raises(ValueError, match=field):
                cls(**{field: outside})
    else:
        with pytest.raises(ValueError, match=field):
            cls(**{field: hi * 1.0001})


def test_tooltips_state_the_size_cap():
    limit = f"{MAX_CELLS:,}"
    for key in ("hidden", "batch", "seq_len", "layers"):
        assert limit in TIPS[key], key


def test_sequence_length_tooltip_and_range_follow_the_task(qtbot):
    window = make_window(qtbot, "adding")
    for task in list_tasks():
        values = window.controls.values()
        values["task"] = task
        assert window.controller.apply_values(values)
        spec = {p.name: p for p in task_class(task).params_spec}["seq_len"]
        spin = window.controls.seq_len_spin
        assert (spin.minimum(), spin.maximum()) == (spec.lo, spec.hi), task
        assert f"{spec.lo}-{spec.hi}" in spin.toolTip(), task
    wait_shown(qtbot, window, lambda s: s.config["task"] == list_tasks()[-1])
