"""Hostile and broken session files: every one is refused with a message, nothing runs, the app goes on.

Handmade cases (empty, truncated at every zip boundary, random bytes, wrong version, bad configs, misfit
tensors, pickles that would run a command) plus hypothesis mutations of a valid file. "Refused" means
``engine.SessionError`` (one line); a mutation leaving a readable file must give a session that trains.
"""
import copy
import functools
import io
import math
import os
import pickle
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.window.main_window import MainWindow  # noqa: F401  (imported first, so conftest answers "discard")
from engine import ModelConfig, SessionError, TrainConfig
from engine.lab.session import LabConfig, LabSession
from tests.app.test_main_window import make_window, wait_shown

MARKER_ENV = "RNNLAB_ROBUST_MARKER"


def small_config() -> LabConfig:
    return LabConfig(task="parity", task_params={"seq_len": 6},
                     model=ModelConfig(cell="gru", hidden_size=16, embedding_dim=4),
                     train=TrainConfig(batch_size=8, seed=3))


@functools.cache
def valid_file():
    """(bytes, payload) of a valid session file after 3 training steps."""
    path = Path(tempfile.mkdtemp(prefix="rnnlab-robust-")) / "ok.rnnlab"
    session = LabSession(small_config())
    for _ in range(3):
        session.step()
    session.save(path)
    data = path.read_bytes()
    path.unlink()
    path.parent.rmdir()
    return data, torch.load(io.BytesIO(data), weights_only=True)


@pytest.fixture
def valid():
    return valid_file()


def assert_refused(path) -> str:
    with pytest.raises(SessionError) as info:
        LabSession.load(path)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 500, message
    assert "Traceback" not in message
    return message


def assert_usable(session: LabSession) -> None:
    """A file that loaded must give a session that trains, draws and has finite weights."""
    assert all(torch.isfinite(p).all() for p in session.model.parameters())
    session.step()
    snap = session.snapshot()
    assert snap.trace.hidden.ndim == 4


# ---- the zip container -------------------------------------------------------------------------
def zip_boundaries(data: bytes) -> list[int]:
    """Every offset where a zip member, its data, a central directory record or the end record starts."""
    cuts = {0, 1, len(data) - 1}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_len + extra_len
            cuts |= {info.header_offset, start, start + info.compress_size // 2, start + info.compress_size}
        cuts.add(z.start_dir)
    for sig in (b"PK\x01\x02", b"PK\x06\x06", b"PK\x06\x07", b"PK\x05\x06"):
        i = data.find(sig)
        while i >= 0:
            cuts.add(i)
            i = data.find(sig, i + 1)
    return sorted(c for c in cuts if 0 <= c < len(data))


def test_valid_file_loads_and_is_usable(valid, tmp_path):
    path = tmp_path / "ok.rnnlab"
    path.write_bytes(valid[0])
    session = LabSession.load(path)
    assert session.trainer.step_count == 3
    assert_usable(session)


def test_truncated_at_every_zip_member_boundary_is_refused(valid, tmp_path):
    data = valid[0]
    cuts = zip_boundaries(data)
    assert len(cuts) > 100  # the file has ~45 members: every one's header, data and end
    for cut in cuts:
        path = tmp_path / "cut.rnnlab"
        path.write_bytes(data[:cut])
        assert_refused(path)


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_refused(tmp_path, seed):
    import random

    rng = random.Random(seed)
    path = tmp_path / "noise.rnnlab"
    size = rng.choice([1, 4, 64, 4096, 100_000])
    head = rng.choice([b"", b"PK\x03\x04", b"\x80\x02"])  # sometimes looks like a zip or a pickle
    path.write_bytes(head + bytes(rng.getrandbits(8) for _ in range(size)))
    assert "not a readable" in assert_refused(path)


def test_empty_missing_folder_and_oversized_files_are_refused(tmp_path):
    empty = tmp_path / "empty.rnnlab"
    empty.write_bytes(b"")
    assert "empty" in assert_refused(empty)
    assert "cannot open" in assert_refused(tmp_path / "missing.rnnlab")
    folder = tmp_path / "folder.rnnlab"
    folder.mkdir()
    assert_refused(folder)
    huge = tmp_path / "huge.rnnlab"
    with open(huge, "wb") as f:  # sparse: no disk space used, and never read
        f.truncate(600 * 2**20)
    assert "MB" in assert_refused(huge)


# ---- payload edits: each (where, value) must be refused ---------------------------------------------
def apply_edit(payload, where, value):
    """A deep copy of payload with the entry at dotted path ``where`` set, transformed (callable) or
    deleted (DELETE). Digits name integer keys where the mapping has them (optimizer state); under
    model_state and initial_weights the rest of the path is one state-dict key (it has dots)."""
    payload = copy.deepcopy(payload)
    keys = where.split(".")
    for top in (["model_state"], ["trainer_state", "initial_weights"]):
        if keys[:len(top)] == top and len(keys) > len(top) + 1:
            keys = top + [".".join(keys[len(top):])]
    node = payload
    for k in keys[:-1]:
        node = node[_key(node, k)]
    _set(node, _key(node, keys[-1]), value)
    return payload


def _key(node, k):
    return int(k) if k.isdigit() and isinstance(node, dict) and int(k) in node else k


def _set(node, key, value):
    if value is DELETE:
        del node[key]
    elif callable(value):
        node[key] = value(node[key])
    else:
        node[key] = value


DELETE = object()
NAN, INF = float("nan"), float("inf")

BAD_EDITS = [
    # format and identity
    ("format_version", 0), ("format_version", 2), ("format_version", 99), ("format_version", "1"),
    ("format_version", None), ("format_version", DELETE), ("magic", "zip"), ("magic", DELETE),
    # model configuration: out of range and wrong type
    ("model_config.hidden_size", 0), ("model_config.hidden_size", 100000), ("model_config.hidden_size", -8),
    ("model_config.hidden_size", "8"), ("model_config.hidden_size", 8.0), ("model_config.hidden_size", None),
    ("model_config.hidden_size", True), ("model_config.hidden_size", NAN), ("model_config.num_layers", 9),
    ("model_config.num_layers", 0), ("model_config.cell", "transformer"), ("model_config.cell", 3),
    ("model_config.bidirectional", "yes"), ("model_config.bidirectional", 1), ("model_config.merge", "avg"),
    ("model_config.embedding_dim", 0), ("model_config.init", "zeros"), ("model_config.depth", 3),
    ("model_config", [1, 2]), ("model_config", None), ("model_config", DELETE),
    # training configuration
    ("train_config.lr", -1.0), ("train_config.lr", 0.0), ("train_config.lr", NAN), ("train_config.lr", INF),
    ("train_config.lr", "fast"), ("train_config.lr", 11.0), ("train_config.batch_size", 0),
    ("train_config.batch_size", 2000), ("train_config.batch_size", 1.5), ("train_config.seed", -1),
    ("train_config.seed", 2**31), ("train_config.seed", "0"), ("train_config.max_norm", 0.0),
    ("train_config.max_norm", -1.0), ("train_config.max_norm", INF), ("train_config.optimizer", "rmsprop"),
    ("train_config.clip", "no"), ("train_config", DELETE), ("train_config", "adam"),
    # task
    ("task.name", "nope"), ("task.name", None), ("task.name", 5), ("task.params.seq_len", 0),
    ("task.params.seq_len", 100000), ("task.params.seq_len", "6"), ("task.params.seq_len", 6.5),
    ("task.params.colour", 1), ("task.params", [1, 2]), ("task.params", None), ("task", "parity"),
    ("task", DELETE),
    # weights that do not fit the configuration
    ("model_config.hidden_size", 9), ("model_config.cell", "lstm"), ("model_config.num_layers", 2),
    ("model_config.bidirectional", True), ("model_state", DELETE), ("model_state", [1, 2]),
    ("model_state.encoder.weight_hh_l0", DELETE), ("model_state.encoder.weight_hh_l0", torch.zeros(24, 9)),
    ("model_state.encoder.weight_hh_l0", lambda t: torch.full_like(t, NAN)),
    ("model_state.encoder.bias_ih_l0", lambda t: torch.full_like(t, INF)),
    ("model_state.encoder.weight_hh_l0", "weights"), ("model_state.encoder.extra_l9", torch.zeros(3)),
    # training state that does not fit
    ("trainer_state", DELETE), ("trainer_state.step", -3), ("trainer_state.step", INF), ("trainer_state.step", 2**63),
    ("trainer_state.step", NAN), ("trainer_state.step", "three"), ("trainer_state.generator", torch.zeros(5)),
    ("trainer_state.generator", lambda t: torch.zeros_like(t)), ("trainer_state.eval_generator", None),
    ("trainer_state.history.data", torch.zeros(3, 3)), ("trainer_state.history.count", -1),
    ("trainer_state.history.count", INF), ("trainer_state.history.capacity", 0),
    ("trainer_state.history", DELETE), ("trainer_state.initial_weights", {}),
    ("trainer_state.initial_weights.encoder.weight_hh_l0", torch.zeros(2, 2)),
    ("trainer_state.initial_weights.encoder.weight_hh_l0", lambda t: torch.full_like(t, NAN)),
    ("trainer_state.optimizer", DELETE), ("trainer_state.optimizer.state", [1]),
    ("trainer_state.optimizer.state.0.exp_avg", torch.zeros(3)),
    ("trainer_state.optimizer.state.0.exp_avg", lambda t: t.reshape(-1)),
    ("trainer_state.optimizer.state.0.exp_avg_sq", lambda t: torch.full_like(t, NAN)),
    ("trainer_state.optimizer.state.0.exp_avg", lambda t: t.to(torch.complex64)),
    ("trainer_state.optimizer.state.0.step", "three"),
    ("trainer_state.optimizer.state.0.step", torch.zeros(4)),
    ("trainer_state.optimizer.state.0.step", torch.tensor(-5.0)),
    ("trainer_state.optimizer.state.0.exp_avg_sq", DELETE), ("trainer_state.optimizer.state.99", {}),
    ("trainer_state.optimizer.state.0", "state"),
]


@pytest.mark.parametrize("where,value", BAD_EDITS, ids=[f"{w}={v!r:.20}" for w, v in BAD_EDITS])
def test_edited_payload_is_refused(valid, tmp_path, where, value):
    path = tmp_path / "edited.rnnlab"
    torch.save(apply_edit(valid[1], where, value), path)
    assert_refused(path)


@pytest.mark.parametrize("payload", [[1, 2, 3], 5, "rnnlab-session", None, torch.zeros(3), {}],
                         ids=["list", "int", "str", "none", "tensor", "empty-dict"])
def test_payload_that_is_not_a_session_is_refused(tmp_path, payload):
    path = tmp_path / "other.rnnlab"
    torch.save(payload, path)
    assert "not an RNN Lab session" in assert_refused(path)


def test_hostile_front_end_state_is_ignored(valid, tmp_path):
    """Bad 'extra' values (displayed example, typed text) fall back to defaults instead of failing."""
    for extra in ({"example_seed": 10**30}, {"example_seed": -5}, {"example_seed": "x"},
                  {"typed_text": "01" * 100_000}, {"typed_text": 5}, {"typed_text": "0129"}):
        path = tmp_path / "extra.rnnlab"
        torch.save(apply_edit(valid[1], "extra", extra), path)
        session = LabSession.load(path)
        assert_usable(session)
    torch.save(apply_edit(valid[1], "extra", [1]), path)
    assert_refused(path)


def test_oversized_training_shape_in_a_file_is_refused(valid, tmp_path):
    """Batch and length do not change the weights, so only the size cap stops a file whose first
    training step would allocate gigabytes (batch 1024 x T 200 x H 16 is above the 2,000,000 limit)."""
    payload = apply_edit(valid[1], "train_config.batch_size", 1024)
    path = tmp_path / "big.rnnlab"
    torch.save(apply_edit(payload, "task.params.seq_len", 200), path)
    assert "limit" in assert_refused(path)


# ---- pickles that would run a command -----------------------------------------------------------
class RunCommand:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def hostile_payloads(marker: Path):
    touch = f"touch {marker}"
    py = f"open({str(marker)!r}, 'w').close()"
    import builtins
    import subprocess

    return {
        "os.system": RunCommand(os.system, touch),
        "builtins.exec": RunCommand(builtins.exec, py),
        "builtins.eval": RunCommand(builtins.eval, py),
        "subprocess.call": RunCommand(subprocess.call, ["touch", str(marker)]),
        "pickle.loads": RunCommand(pickle.loads, pickle.dumps(RunCommand(os.system, touch))),
    }


def write_hostile(path: Path, obj, how: str, valid_bytes: bytes) -> None:
    if how == "torch.save":
        torch.save({"magic": "rnnlab-session", "format_version": 1, "extra": obj}, path)
    elif how == "plain pickle":
        path.write_bytes(pickle.dumps(obj, protocol=2))
    else:  # a valid session's zip with its data.pkl replaced by the exploit
        src = zipfile.ZipFile(io.BytesIO(valid_bytes))
        with zipfile.ZipFile(path, "w") as out:
            for info in src.infolist():
                data = src.read(info)
                if info.filename.endswith("data.pkl"):
                    data = pickle.dumps({"magic": obj}, protocol=2)
                out.writestr(info, data)


@pytest.mark.parametrize("how", ["torch.save", "plain pickle", "zip member"])
def test_pickles_that_would_run_a_command_run_nothing(valid, tmp_path, how):
    marker = tmp_path / "pwned"
    for name, obj in hostile_payloads(marker).items():
        path = tmp_path / f"{name}.rnnlab"
        write_hostile(path, obj, how, valid[0])
        message = assert_refused(path)
        assert "not a readable" in message, (name, message)
        assert not marker.exists(), f"{name} ({how}) ran its command"


# ---- hypothesis: mutations of a valid file --------------------------------------------------------
def check_mutant(data: bytes, folder: Path) -> None:
    path = folder / "mutant.rnnlab"
    path.write_bytes(data)
    try:
        session = LabSession.load(path)
    except SessionError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert_usable(session)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, 600_000)))
def test_mutated_bytes_are_refused_or_usable(tmp_path, edits, cut):
    """Byte flips in the header and pickle (the first 6 kB), optionally a truncation."""
    data = bytearray(valid_file()[0])
    for pos, byte in edits:
        data[pos] = byte
    check_mutant(bytes(data[:cut] if cut is not None else data), tmp_path)


WILD = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                 st.text(max_size=20), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
                 st.builds(lambda n: torch.zeros(n), st.integers(0, 40)))
LEAVES = ["format_version", "model_config.cell", "model_config.hidden_size", "model_config.num_layers",
          "model_config.bidirectional", "model_config.merge", "model_config.embedding_dim",
          "model_config.init",
          "train_config.optimizer", "train_config.lr", "train_config.batch_size", "train_config.clip",
          "train_config.max_norm", "train_config.seed", "task.name", "task.params", "task.params.seq_len",
          "seed", "step", "extra", "trainer_state.step", "trainer_state.history.count",
          "trainer_state.history.capacity", "trainer_state.history.data", "trainer_state.generator",
          "trainer_state.optimizer.state.0.step", "trainer_state.optimizer.state.0.exp_avg",
          "trainer_state.optimizer.param_groups", "model_state.encoder.bias_hh_l0",
          "trainer_state.initial_weights.head.weight"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(LEAVES), WILD), min_size=1, max_size=3))
def test_wild_values_anywhere_are_refused_or_usable(tmp_path, changes):
    payload = valid_file()[1]
    for where, value in changes:
        try:
            payload = apply_edit(payload, where, value)
        except (KeyError, TypeError, IndexError):
            pass  # an earlier change removed the container
    path = tmp_path / "wild.rnnlab"
    torch.save(payload, path)
    check_mutant(path.read_bytes(), tmp_path)


# ---- through the window --------------------------------------------------------------------------
def test_hostile_file_opened_in_the_window_warns_and_keeps_the_model(qtbot, tmp_path, monkeypatch, valid):
    marker = tmp_path / "pwned"
    path = tmp_path / "hostile.rnnlab"
    write_hostile(path, hostile_payloads(marker)["os.system"], "zip member", valid[0])
    warnings = []
    monkeypatch.setattr("app.window.file_actions.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    window = make_window(qtbot, "adding")
    window.controller.step_once()
    before = wait_shown(qtbot, window, lambda s: s.step == 1)
    values = window.controls.values()
    weights = window.controller.call("weights")
    window.open_session(str(path))
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert "hostile.rnnlab" in warnings[0] and "refused" in warnings[0]
    assert not marker.exists()
    after_weights = window.controller.call("weights")
    assert after_weights["step"] == weights["step"] == 1 and after_weights["task"] == weights["task"]
    assert all((after_weights["params"][k] == v).all() for k, v in weights["params"].items())
    assert window.controls.values() == values
    assert window.files.session_path is None
    window.controller.step_once()  # the previous model keeps training and drawing
    after = wait_shown(qtbot, window, lambda s: s.step == 2)
    assert after.config == before.config and math.isfinite(after.loss)


def test_hostile_files_on_the_command_line_exit_2_with_one_line(valid, tmp_path, capsys):
    from app.cli.main import main

    marker = tmp_path / "pwned"
    cases = {"hostile": lambda p: write_hostile(p, hostile_payloads(marker)["builtins.exec"], "zip member",
                                                valid[0]),
             "truncated": lambda p: p.write_bytes(valid[0][: len(valid[0]) // 2]),
             "bad-config": lambda p: torch.save(apply_edit(valid[1], "train_config.lr", NAN), p),
             "bad-optimizer": lambda p: torch.save(
                 apply_edit(valid[1], "trainer_state.optimizer.state.0.exp_avg", torch.zeros(3)), p)}
    for name, make in cases.items():
        path = tmp_path / f"{name}.rnnlab"
        make(path)
        assert main(["--headless", "--open", str(path), "--steps", "1", "--quiet"]) == 2, name
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and err.startswith("rnnlab: error:"), (name, err)
        assert path.name in err
    assert not marker.exists()
