"""``--data FILE`` on the command line: every panel and a generated sample in the export, the file's
SHA-256 in config.json, sessions that carry their data, compare mode, and one line + exit 2 for
every bad file."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from tests.engine.test_data_files import BAD_FILES, write

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"
TEXT = EXAMPLES / "coriolanus_act1.txt"
PANELS = ["sequenceStrip", "unrolledView", "hiddenHeatmap", "gatesPanel", "attentionPanel", "gradientPanel",
          "curvesPanel", "vanishingPanel", "counterfactualPanel", "equationsPanel", "gateStatsPanel"]


def run(*argv):
    return main([str(a) for a in argv])


@pytest.mark.slow
def test_text_file_run_exports_every_panel_and_a_generated_sample(tmp_path):
    out = tmp_path / "out"
    assert run("--headless", "--data", TEXT, "--steps", 300, "--export", out, "--quiet") == 0
    names = {p.name for p in out.iterdir()}
    no_data = {"attentionPanel", "counterfactualPanel", "patternSearchPanel"}  # no attention head, nothing asked
    assert {f"{p}.{ext}" for p in PANELS for ext in ("png", "svg", "csv") if not (ext == "csv" and p in no_data)} \
        <= names
    for p in PANELS:
        with Image.open(out / f"{p}.png") as im:
            assert np.asarray(im.convert("L"), dtype=float).std() > 5, p  # drawn, not blank
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "text_file"
    assert config["data"]["sha256"] == hashlib.sha256(TEXT.read_bytes()).hexdigest()
    assert config["data"]["file"] == TEXT.name and config["data"]["bytes"] == TEXT.stat().st_size
    header, sample = (out / "generated.txt").read_text(encoding="utf-8").split("\n", 1)
    assert header.startswith("# 400 characters sampled") and "step 300" in header
    assert len(sample) > 400 and set(sample) <= set(TEXT.read_text(encoding="utf-8")) | {"\n"}


@pytest.mark.slow
def test_csv_runs_save_a_session_that_opens_without_the_file(tmp_path, capsys):
    data = tmp_path / "majority.csv"
    data.write_bytes((EXAMPLES / "majority_ab.csv").read_bytes())
    assert run("--headless", "--data", data, "--hidden", 8, "--steps", 5, "--save", tmp_path / "run.rnnlab",
               "--quiet") == 0
    data.unlink()
    assert run("--headless", "--open", tmp_path / "run.rnnlab", "--steps", 5, "--export", tmp_path / "out",
               "--quiet") == 0
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["step"] == 10 and config["data"]["file"] == "majority.csv"
    assert not (tmp_path / "out" / "generated.txt").exists()  # only a language model generates


def test_compare_mode_on_a_data_file(tmp_path):
    out = tmp_path / "cmp"
    assert run("--headless", "--data", EXAMPLES / "people_places.csv", "--compare", "uni,bi", "--hidden", 8,
               "--steps", 5, "--export", out, "--quiet") == 0
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "tagged_file" and len(config["task_params"]["data"]) == 64
    assert config["data"]["file"] == "people_places.csv" and config["data"]["sha256"] == config["task_params"]["data"]
    assert (out / "compare_curves.png").exists()


@pytest.mark.parametrize("name,content,message", [b for b in BAD_FILES if b[0] != "rows.csv"],
                         ids=[b[0] for b in BAD_FILES if b[0] != "rows.csv"])
def test_bad_data_file_is_one_line_and_exit_2(tmp_path, capsys, name, content, message):
    path = write(tmp_path, name, content)
    assert run("--headless", "--data", path, "--steps", 1, "--export", tmp_path / "out") == 2
    assert capsys.readouterr().err == f"rnnlab: error: {message}\n"
    assert not (tmp_path / "out").exists()  # nothing was written


@pytest.mark.parametrize("argv,message", [
    (["--data", "X.csv", "--task", "adding"], "--data and --task cannot be combined: the data file decides the task"),
    (["--task", "adding", "--fold-case"], "--fold-case needs --data FILE"),
    (["--data", "X.csv", "--open", "run.rnnlab"], "--data and --open cannot be combined: a session file holds "
                                                  "its own data"),
])
def test_bad_data_flags(capsys, argv, message):
    assert run("--headless", *argv) == 2
    assert capsys.readouterr().err == f"rnnlab: error: {message}\n"


def test_folder_as_data_file_in_a_subprocess_has_no_traceback(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--headless", "--data", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2
    assert res.stderr == f"rnnlab: error: {tmp_path} is a folder, not a data file\n"
