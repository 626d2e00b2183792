"""--export-model DIR and --model DIR on the command line, as a researcher runs them."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from app.cli.main import main
from engine import load_session
from tests.engine.test_model_import import BAD, change_weights_with_plain_torch, plain_run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"
OWN = {"model.pt", "model.json", "load_model.py", "README.md"}


def run(*argv):
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_model")
    assert run("--headless", "--task", "dna_motif", "--cell", "lstm", "--hidden", 6, "--layers", 2,
               "--bidirectional", "--steps", 3, "--save", root / "run.rnnlab", "--export-model", root / "m",
               "--quiet") == 0
    return root


def test_export_model_writes_the_folder(exported):
    assert {p.name for p in (exported / "m").iterdir()} == OWN
    spec = json.loads((exported / "m" / "model.json").read_text())
    assert (spec["cell"], spec["hidden_size"], spec["num_layers"], spec["bidirectional"]) == ("lstm", 6, 2, True)
    assert spec["steps_trained"] == 3 and spec["output"]["kind"] == "attention"


def test_export_model_from_an_opened_session_holds_its_weights(exported, capsys):
    assert run("--headless", "--open", exported / "run.rnnlab", "--export-model", exported / "from_session") == 0
    assert "exported the model (step 3)" in capsys.readouterr().err
    saved = load_session(exported / "run.rnnlab").trainer.model.state_dict()
    state = torch.load(exported / "from_session" / "model.pt", weights_only=True)
    assert state.keys() == saved.keys() and all(torch.equal(state[k], saved[k]) for k in state)


@pytest.mark.slow
def test_model_flag_shows_weights_changed_with_plain_torch(exported, tmp_path):
    """--model DIR --export OUT: trace.npz holds the states a plain nn.LSTM computes from the new weights."""
    folder = tmp_path / "m"
    shutil.copytree(exported / "m", folder)
    new = change_weights_with_plain_torch(folder, seed=5)
    assert run("--headless", "--model", folder, "--export", tmp_path / "out", "--quiet") == 0
    trace = np.load(tmp_path / "out" / "trace.npz")
    spec = json.loads((folder / "model.json").read_text())
    hidden, outputs = plain_run(new, spec, torch.from_numpy(trace["input_values"]).unsqueeze(0))
    np.testing.assert_allclose(trace["hidden"], hidden, atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace["outputs"], outputs, atol=1e-5, rtol=0)
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["model"]["cell"] == "lstm" and config["task"] == "dna_motif"


@pytest.mark.parametrize("kind", ["missing folder", "no model.json", "no model.pt", "bad json", "unknown cell",
                                  "shape mismatch", "hostile pickle", "NaN weights", "vocab differs from the task's",
                                  "a whole module"])
def test_bad_model_folders_exit_2_with_one_line(exported, tmp_path, monkeypatch, capsys, kind):
    folder = tmp_path / "m"
    shutil.copytree(exported / "m", folder)
    monkeypatch.chdir(tmp_path)
    make_bad, phrase = BAD[kind]
    phrase = {"vocab differs from the task's": "vocabulary of task dna_motif differs"}.get(kind, phrase)
    assert run("--headless", "--model", make_bad(folder), "--steps", 2, "--quiet") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rnnlab: error: ") and len(err.splitlines()) == 1 and phrase in err, err
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("argv, message", [
    (["--cell", "gru"], "--cell cannot be combined with --model"),
    (["--task", "parity", "--hidden", "4"], "--hidden, --task cannot be combined with --model"),
    (["--no-bidirectional"], "--bidirectional cannot be combined with --model"),
    (["--open", "x.rnnlab"], "--open cannot be combined with --model"),
])
def test_model_flags_that_describe_another_model_are_refused(exported, capsys, argv, message):
    assert run("--headless", "--model", exported / "m", *argv) == 2
    assert message in capsys.readouterr().err


def test_window_mode_checks_the_folder_before_opening_a_window(tmp_path, capsys):
    assert run("--model", tmp_path / "nope") == 2  # (a window would block the test)
    assert "no model folder" in capsys.readouterr().err
    (tmp_path / "model.json").write_text("{")
    assert run("--model", tmp_path) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert run("--export-model", tmp_path / "x") == 2
    assert "need --headless" in capsys.readouterr().err


def test_training_flags_apply_to_an_opened_model(exported, tmp_path):
    assert run("--headless", "--model", exported / "m", "--lr", 0.05, "--no-clip", "--seq-len", 20, "--steps", 2,
               "--save", tmp_path / "s.rnnlab", "--quiet") == 0
    session = load_session(tmp_path / "s.rnnlab")
    assert session.train_config.lr == 0.05 and session.train_config.clip is False and session.step == 2
    assert session.task_params["seq_len"] == 20
    opened = torch.load(exported / "m" / "model.pt", weights_only=True)  # trained on from the folder's weights
    assert opened.keys() == session.trainer.model.state_dict().keys()


def test_a_data_file_model_travels_with_its_file_and_checks_another(tmp_path, capsys):
    data = tmp_path / "majority.csv"
    data.write_bytes((EXAMPLES / "majority_ab.csv").read_bytes())
    assert run("--headless", "--data", data, "--hidden", 5, "--steps", 2, "--export-model", tmp_path / "m",
               "--quiet") == 0
    data.unlink()
    assert {p.name for p in (tmp_path / "m").iterdir()} == OWN | {"majority.csv"}
    assert run("--headless", "--model", tmp_path / "m", "--steps", 1, "--quiet") == 0  # the folder's own copy
    assert run("--headless", "--model", tmp_path / "m", "--data", EXAMPLES / "people_places.csv", "--quiet") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "vocabulary of people_places.csv differs" in err and "only in" in err


def test_an_unwritable_export_model_folder_fails_before_training(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert run("--headless", "--task", "parity", "--steps", 100000, "--export-model", tmp_path / "file" / "m") == 2
    err = capsys.readouterr().err.strip()
    assert "cannot export into" in err and "is not a folder" in err and "step" not in err
