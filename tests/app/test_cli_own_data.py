"""The user's own data on the command line: --attention on a labelled CSV exports the weights alpha_i (and the
attribution beside them); a task without the option refuses the flag in one line."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from tests.engine.test_data_attention import marker_csv

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
