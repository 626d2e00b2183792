"""The command line as a user runs it: headless training, the export folder, sessions, bad input."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from app.cli.main import main
from app.panels import registry as panel_registry
from engine import list_tasks, load_session
from engine.lab.session import LabConfig

ROOT = Path(__file__).resolve().parents[2]
PANELS = [spec.name for spec in panel_registry.PANELS]  # every registered panel is exported
TIME_INDEXED = ["unrolledView", "hiddenHeatmap", "gatesPanel", "gradientPanel", "sequenceStrip"]


def run(*argv):
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    code = run("--headless", "--task", "adding", "--cell", "gru", "--hidden", 12, "--seq-len", 12, "--steps", 30,
               "--seed", 4, "--export", out, "--gif", "--save", out.parent / "run.rnnlab", "--quiet")
    assert code == 0
    return out


def test_headless_run_writes_every_file(exported):
    names = {p.name for p in exported.iterdir()}
    # an adding model has no attention head, no next character, no pattern was searched and nobody asked for
    # a counterfactual: never an empty CSV for those
    no_data = {"attentionPanel", "counterfactualPanel", "nextCharPanel", "patternSearchPanel"}
    expected = {f"{p}.{ext}" for p in PANELS for ext in ("png", "svg", "csv") if not (ext == "csv" and p in no_data)}
    expected |= {"trace.npz", "config.json", "time_sweep.gif", "index.html", "frames",
                 "unitExplorerPanel_states.npz"}  # (the unit explorer's h and c, for a paper)
    assert expected <= names and names - expected <= {f"{p}.csv" for p in no_data}  # (a CSV may carry a note)
    assert not [n for n in names if n.endswith(".part")]


@pytest.mark.parametrize("panel", PANELS)
def test_pngs_decode_and_are_not_blank(exported, panel):
    with Image.open(exported / f"{panel}.png") as im:
        img = np.asarray(im.convert("L"), dtype=float)
    assert img.shape[0] > 50 and img.shape[1] > 100
    assert img.std() > 5, "the picture is a flat colour"


@pytest.mark.parametrize("panel", PANELS)
def test_svgs_parse_as_xml(exported, panel):
    root = ET.parse(exported / f"{panel}.svg").getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 10


def test_csvs_have_headers_and_t_rows(exported):
    T = 12
    for panel in TIME_INDEXED:
        lines = (exported / f"{panel}.csv").read_text().strip().splitlines()
        assert lines[0].startswith("t,"), panel
        assert len(lines) == 1 + T, panel
    curves = (exported / "curvesPanel.csv").read_text().strip().splitlines()
    assert curves[0].split(",")[:3] == ["step", "loss", "MSE"]  # the metric column is named for the task
    assert len(curves) == 1 + 30


def test_config_json_round_trips(exported, tmp_path):
    data = json.loads((exported / "config.json").read_text())
    cfg = LabConfig.from_dict(data)
    assert cfg.model.cell == "gru" and cfg.model.hidden_size == 12 and cfg.task_params == {"seq_len": 12}
    assert cfg.train.seed == 4 and data["step"] == 30
    session = load_session(exported.parent / "run.rnnlab")
    assert session.model_config == cfg.model and session.train_config == cfg.train


def test_trace_npz_holds_the_probe(exported):
    z = np.load(exported / "trace.npz")
    assert z["hidden"].shape == (1, 1, 12, 12)
    assert set(k for k in z.files if k.startswith("gates.")) == {"gates.reset", "gates.update", "gates.new"}
    assert z["grad_norm"].shape == (1, 1, 12)


def test_gif_has_t_frames(exported):
    with Image.open(exported / "time_sweep.gif") as gif:
        assert gif.n_frames == 12


def test_resumed_session_matches_uninterrupted_run(tmp_path):
    common = ("--headless", "--task", "parity", "--cell", "lstm", "--hidden", 8, "--seed", 11, "--quiet")
    assert run(*common, "--steps", 20, "--save", tmp_path / "a.rnnlab") == 0
    assert run("--headless", "--open", tmp_path / "a.rnnlab", "--steps", 15, "--save", tmp_path / "b.rnnlab",
               "--quiet") == 0
    assert run(*common, "--steps", 35, "--save", tmp_path / "c.rnnlab") == 0
    b, c = load_session(tmp_path / "b.rnnlab"), load_session(tmp_path / "c.rnnlab")
    assert b.step == c.step == 35
    for (k, x), y in zip(b.trainer.model.state_dict().items(), c.trainer.model.state_dict().values(), strict=True):
        assert torch.equal(x, y), k


def test_list_tasks_prints_every_task(capsys):
    assert run("--list-tasks") == 0
    out = capsys.readouterr().out
    for name in list_tasks():
        assert name in out
    lines = {line.split()[0]: line for line in out.splitlines()}
    # each line ends its first sentence whole: brackets closed, no ellipsis or quoted bracket cuts it
    assert lines["sentiment"].endswith("Sentiment with attention: Is a short review positive or negative?")
    assert lines["dyck1"].endswith("and none is left open.")
    for line in lines.values():
        assert line[-1] in ".?!" and line.count("(") - line.count("'('") == line.count(")") - line.count("')'")


def test_first_sentence_stops_at_the_sentence_end_only():
    from app.cli.main import first_sentence

    assert first_sentence("Words (good, great, ... / bad). Next one.") == "Words (good, great, ... / bad)."
    assert first_sentence("Pick '(' or ')'. Then more.") == "Pick '(' or ')'."
    assert first_sentence('He said "Stop. Now" and left. Then.') == 'He said "Stop. Now" and left.'
    assert first_sentence("No end") == "No end."
    # negative control: the old split at the first ". " cut inside the ellipsis
    assert "Words (good, great, ... / bad). Next one.".split(". ")[0] != "Words (good, great, ... / bad)"


BAD = [
    (["--headless", "--task", "nosuch", "--steps", "1"], "unknown task"),
    (["--headless", "--task", "adding", "--cell", "transformer"], "cell"),
    (["--headless", "--task", "adding", "--hidden", "100000"], "hidden_size"),
    (["--headless", "--task", "adding", "--lr", "-1"], "lr"),
    (["--headless", "--task", "adding", "--lr", "nan"], "lr"),
    (["--headless", "--task", "adding", "--seq-len", "0"], "seq_len"),
    (["--headless", "--task", "adding", "--steps", "-5"], "--steps"),
    (["--headless", "--task", "adding", "--hidden", "ten"], "invalid int"),
    (["--headless", "--open", "NOFILE.rnnlab"], "cannot open"),
]


@pytest.mark.parametrize("argv,needle", BAD)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnlab: error:"), err
    assert needle in err[0]


def test_unreadable_session_and_unwritable_export(tmp_path, capsys):
    bad = tmp_path / "bad.rnnlab"
    bad.write_bytes(os.urandom(300))
    assert run("--headless", "--open", bad, "--steps", 1) == 2
    assert "not a readable" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run("--headless", "--task", "adding", "--steps", 1, "--export", blocker / "out") == 2
    err = capsys.readouterr().err
    assert "cannot export" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.rnnlab", "file"]


def test_subprocess_error_has_no_traceback(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--headless", "--task", "adding", "--layers", "9"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "num_layers" in res.stderr
    assert res.stderr.count("\n") == 1
