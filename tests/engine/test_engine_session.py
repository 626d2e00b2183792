"""Session files: exact round trip; corrupt, truncated and hostile files refused, nothing run."""
import os
import pickle

import numpy as np
import pytest
import torch

from engine import (
    ModelConfig,
    SessionError,
    TrainConfig,
    Trainer,
    build_model,
    load_session,
    make_task,
    probe,
)
from engine.lab import files as session_mod


@pytest.fixture
def trained():
    task = make_task("parity", seq_len=6)
    model = build_model(ModelConfig(cell="gru", hidden_size=8, bidirectional=True), task, seed=5)
    tr = Trainer(model, task, TrainConfig(seed=5, batch_size=8))
    for _ in range(12):
        tr.step()
    return tr


def test_round_trip_identical_weights_probe_and_continuation(tmp_path, trained):
    path = tmp_path / "run.rnnlab"
    session_mod.save_session(path, trained, extra={"example_seed": 3})
    s = load_session(path)
    assert s.step == 12 and s.task_name == "parity" and s.extra == {"example_seed": 3}
    assert s.model_config == trained.model.config and s.train_config == trained.config
    for (k, a), b in zip(trained.model.state_dict().items(), s.trainer.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    x, y = trained.task.sample_batch(1, torch.Generator().manual_seed(1))
    np.testing.assert_array_equal(probe(trained.model, x, y).hidden, probe(s.trainer.model, x, y).hidden)
    # continuing gives the same losses as the uninterrupted trainer
    assert [s.trainer.step().loss for _ in range(5)] == [trained.step().loss for _ in range(5)]


def test_truncated_files_are_refused(tmp_path, trained):
    path = tmp_path / "run.rnnlab"
    session_mod.save_session(path, trained)
    data = path.read_bytes()
    for cut in (0, 10, len(data) // 3, len(data) // 2, len(data) - 100):
        bad = tmp_path / f"cut{cut}.rnnlab"
        bad.write_bytes(data[:cut])
        with pytest.raises(SessionError):
            load_session(bad)


def test_random_bytes_refused(tmp_path):
    bad = tmp_path / "noise.rnnlab"
    bad.write_bytes(os.urandom(4096))
    with pytest.raises(SessionError, match="not a readable"):
        load_session(bad)


class Exploit:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['RNNLAB_PWNED']}",))


def test_hostile_pickle_runs_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("RNNLAB_PWNED", str(marker))
    for i, save in enumerate((lambda f: torch.save({"magic": Exploit()}, f),
                              lambda f: pickle.dump(Exploit(), f))):
        bad = tmp_path / f"hostile{i}.rnnlab"
        with open(bad, "wb") as f:
            save(f)
        with pytest.raises(SessionError, match="refused|not a readable"):
            load_session(bad)
    assert not marker.exists()


def test_wrong_version_and_bad_config(tmp_path, trained):
    path = tmp_path / "run.rnnlab"
    session_mod.save_session(path, trained)
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = 99
    torch.save(payload, tmp_path / "v99.rnnlab")
    with pytest.raises(SessionError, match="version 99"):
        load_session(tmp_path / "v99.rnnlab")
    payload["format_version"] = 1
    payload["model_config"]["hidden_size"] = 100000
    torch.save(payload, tmp_path / "big.rnnlab")
    with pytest.raises(SessionError, match="hidden_size"):
        load_session(tmp_path / "big.rnnlab")
    payload["model_config"]["hidden_size"] = 9  # valid config, but the weights are for 8
    torch.save(payload, tmp_path / "shape.rnnlab")
    with pytest.raises(SessionError, match="do not fit"):
        load_session(tmp_path / "shape.rnnlab")


def test_failed_save_keeps_previous_file(tmp_path, trained, monkeypatch):
    path = tmp_path / "run.rnnlab"
    session_mod.save_session(path, trained)
    before = path.read_bytes()

    def boom(obj, f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(session_mod.torch, "save", boom)
    with pytest.raises(RuntimeError):
        session_mod.save_session(path, trained)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.rnnlab"]


def test_unwritable_folder_is_a_session_error(tmp_path, trained):
    with pytest.raises(SessionError, match="cannot write"):
        session_mod.save_session(tmp_path / "missing" / "run.rnnlab", trained)
