"""The user's own data on the command line: --attention on a labelled CSV exports the weights alpha_i (and the
attribution beside them); a task without the option refuses the flag in one line; --neutral-token declares a
data file's neutral token, the attribution export's default baseline (and names it)."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from tests.engine.test_data_attention import marker_csv
from tests.engine.test_neutral_baseline import bracket_csv

TAGGED = Path(__file__).resolve().parents[2] / "assets" / "examples" / "people_places.csv"


def run(*argv):
    return main([str(a) for a in argv])


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.mark.slow
def test_attention_on_a_labelled_csv_exports_its_weights(tmp_path):
    out = tmp_path / "out"
    assert run("--headless", "--data", marker_csv(tmp_path / "m.csv"), "--attention", "--hidden", 8,
               "--steps", 5, "--export", out, "--quiet") == 0
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "labelled_file" and config["task_params"]["attention"] == 1
    rows = read_csv(out / "attentionPanel.csv")
    assert rows[0] == ["t", "token", "alpha"]
    alpha = np.array([float(r[2]) for r in rows[1:]])
    assert len(alpha) >= 6 and abs(alpha.sum() - 1) < 1e-5 and (alpha > 0).all()
    attribution = read_csv(out / "attributionPanel.csv")
    assert attribution[0][:4] == ["t", "token", "attribution", "alpha"]  # the weights beside the attribution
    np.testing.assert_allclose([float(r[3]) for r in attribution[1:]], alpha, atol=1e-6)


@pytest.mark.parametrize("argv,message", [
    (["--task", "parity", "--attention"], "--attention needs a task with an attention head option: sentiment, or "
                                          "--data on a labelled .csv (header sequence,label)"),
    (["--data", TAGGED, "--attention"],
     "--attention needs a task with an attention head option: sentiment, or --data on a labelled .csv (header "
     "sequence,label)"),
])
def test_attention_flag_on_a_task_without_the_option(capsys, argv, message):
    assert run("--headless", *argv) == 2
    assert capsys.readouterr().err == f"rnnlab: error: {message}\n"


@pytest.mark.slow
def test_the_export_names_the_neutral_baseline_it_used_by_default(tmp_path):
    out = tmp_path / "out"
    assert run("--headless", "--data", bracket_csv(tmp_path / "depth.csv"), "--neutral-token", "x", "--hidden", 8,
               "--steps", 5, "--export", out, "--quiet") == 0
    rows = read_csv(out / "attributionPanel.csv")
    baseline = {r[rows[0].index("baseline")] for r in rows[1:]}
    assert baseline == {"the token 'x' at every position (the task's neutral token: declared for depth.csv; "
                        "the default)"}
    assert json.loads((out / "config.json").read_text())["task_params"]["neutral"] == "x"
    explained = {r[rows[0].index("explained output")] for r in rows[1:]}
    assert len(explained) == 1 and explained.pop().count("at t = ") == 1  # said once (it was doubled)


def test_bad_neutral_tokens_are_one_line(tmp_path, capsys):
    data = bracket_csv(tmp_path / "depth.csv")
    assert run("--headless", "--data", data, "--neutral-token", "y", "--steps", 1) == 2
    assert capsys.readouterr().err == "rnnlab: error: the neutral token 'y' is not a symbol of depth.csv (( ) x)\n"
    assert run("--headless", "--task", "parity", "--neutral-token", "0") == 2
    assert capsys.readouterr().err == ("rnnlab: error: --neutral-token needs --data FILE (a built-in task declares "
                                       "its own neutral token)\n")


@pytest.mark.slow
def test_pattern_search_over_the_whole_file_is_exported(tmp_path, capsys):
    out = tmp_path / "out"
    assert run("--headless", "--data", TAGGED, "--hidden", 8, "--steps", 5, "--pattern-search", "1-2",
               "--pattern-threshold", "0", "--export", out, "--quiet") == 0
    assert "pattern search: 600 of 600 rows searched" in capsys.readouterr().out
    rows = read_csv(out / "patternSearchPanel.csv")
    assert rows[0] == ["rank", "example", "t", "score", "text"] and len(rows) == 11
    assert all(r[1].startswith("data row ") for r in rows[1:]) and int(rows[1][3]) >= int(rows[-1][3])


@pytest.mark.parametrize("argv,message", [
    (["--pattern-search", "3-1", "--export", "o"], "--pattern-search must be START-END, whole numbers with 1 <= "
                                                   "START <= END (e.g. 2-4); got '3-1'"),
    (["--pattern-search", "1-2"], "--pattern-search needs --export DIR (the pattern search panel's files hold the "
                                  "matches)"),
    (["--pattern-threshold", "0.5"], "--pattern-threshold needs --pattern-search START-END"),
    (["--pattern-search", "1-2", "--pattern-threshold", "3", "--export", "o"],
     "--pattern-threshold must be from -1 to 1; got 3.0"),
    (["--pattern-search", "1-99", "--export", "o"], "--pattern-search 1-99: the example on screen has"),
])
def test_bad_pattern_search_flags_are_one_line(tmp_path, capsys, argv, message):
    argv = [str(tmp_path / a) if a == "o" else a for a in argv]
    assert run("--headless", "--task", "parity", *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnlab: error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_the_window_gets_the_neutral_token_from_the_command_line(monkeypatch, tmp_path, capsys):
    opened = []
    monkeypatch.setattr("app.window.gui.run_gui", lambda *a, **k: opened.append((a, k)) or 0)
    data = bracket_csv(tmp_path / "depth.csv", rows=20)
    assert run("--data", data, "--neutral-token", "x") == 0
    assert opened == [((None, str(data)), {"model_path": None, "neutral": "x"})]
    assert run("--neutral-token", "x") == 2
    assert capsys.readouterr().err == ("rnnlab: error: --neutral-token needs --data FILE (a built-in task declares "
                                       "its own neutral token)\n")
