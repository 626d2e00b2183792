"""The notebook API (rnnlab.py): importable without Qt, the README example runs, and what it returns agrees
with independent computations (the session's probe, torch's own nn.GRU step, a reloaded model)."""
import io
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

import rnnlab

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "pyqtgraph", "app.window", "app.export", "widgets")


def python(code: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)  # rnnlab must choose offscreen itself
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_import_and_training_load_no_qt_and_a_figure_loads_it_offscreen(tmp_path):
    code = f"""
import json, sys
QT = {QT!r}
loaded = lambda: sorted({{m.split(".")[0] if m.startswith(("PySide6", "pyqtgraph")) else m for m in sys.modules
                         if m.startswith(QT)}})
import rnnlab
after_import = loaded()
lab = rnnlab.Lab(task="parity", hidden=4)
lab.train(2); lab.trace(); lab.attribution(); lab.export_model("m")
after_work = loaded()
lab.figure("gatesPanel")
import os
print(json.dumps([after_import, after_work, "PySide6" in loaded(), os.environ.get("QT_QPA_PLATFORM")]))
"""
    proc = python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after_import, after_work, qt_at_figure, platform = json.loads(proc.stdout.strip().splitlines()[-1])
    assert after_import == [] and after_work == []
    assert qt_at_figure and platform == "offscreen"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## In a notebook or a script"):]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_the_readme_example_runs_as_written(tmp_path):
    code = readme_example()
    assert 9 <= len([line for line in code.splitlines() if line.strip()]) <= 12  # "a 10-line example"
    proc = python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout.splitlines()
    assert out[0].startswith("{'step': 300, 'loss':")
    assert "fixed point" in " ".join(out) or "slow point" in " ".join(out)
    with Image.open(tmp_path / "heatmap.png") as im:
        assert np.asarray(im.convert("L"), dtype=float).std() > 5
    assert (tmp_path / "parity.rnnlab").stat().st_size > 1000
    assert {p.name for p in (tmp_path / "parity_gru").iterdir()} >= {"model.pt", "model.json", "load_model.py"}


@pytest.fixture(scope="module")
def lab():
    lab = rnnlab.Lab(task="parity", cell="gru", hidden=8, seed=3)
    lab.train(40)
    return lab


def test_trace_is_the_sessions_probe_of_the_shown_example(lab):
    tr = lab.trace()
    again = lab.session.probe()
    assert tr.hidden.shape == (1, 1, len(tr.tokens), 8) and np.array_equal(tr.hidden, again.hidden)
    tokens = lab.example("0110")
    assert tokens == ("0", "1", "1", "0") and lab.trace().tokens == tokens
    with pytest.raises(ValueError, match="unknown symbol"):
        lab.example("012")
    assert len(lab.history()["loss"]) == 40 and lab.step == 40


def test_fixed_points_are_fixed_under_torchs_own_gru_step(lab):
    fp = lab.fixed_points(budget_s=1.5)
    h = torch.tensor(fp["best_point"], dtype=torch.float32).view(1, 1, -1)  # (layers, batch, H)
    token = fp["x_label"].split("'")[1]
    x = lab.model.embed(torch.tensor([[lab.session.task.vocab.index(token)]]))  # (1, 1, E)
    with torch.no_grad():
        out, _ = lab.model.encoder(x, h)  # one step of nn.GRU from h* with x* held
    assert torch.allclose(out.view(-1), h.view(-1), atol=1e-4)
    moved = lab.model.encoder(x, h + 0.5)[0].detach()  # negative control: a point off it moves
    assert (moved.view(-1) - (h + 0.5).view(-1)).abs().max() > 1e-2


def test_pattern_search_over_the_generated_data_set(lab):
    whole = lab.pattern_search(2, 3, threshold=0.0)
    assert whole["searched"] == whole["total"] == 2048 and whole["scope"] == "data set"
    reference = lab.pattern_search(2, 3, threshold=0.0, whole_data_set=False)
    np.testing.assert_array_equal(whole["units"], reference["units"])  # the same pattern, searched more widely
    assert whole["matches"][0]["score"] >= reference["matches"][0]["score"]


def test_attribution_adds_up_to_the_output_change(lab):
    a = lab.attribution()
    assert a.scores.shape == (len(lab.trace().tokens),)
    assert abs(a.total - (a.output - a.baseline_output)) <= 1e-3 * max(1.0, abs(a.output - a.baseline_output))


def test_figure_is_the_panels_export(lab, tmp_path):
    fig = lab.figure("hiddenHeatmap")
    with Image.open(io.BytesIO(fig._repr_png_())) as im:
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.shape[1] > 400 and pixels.std() > 5
    assert pixels.mean() > 128  # light theme by default: a white page for a paper
    assert ET.fromstring(fig._repr_svg_()).tag.endswith("svg")
    rows = fig.csv.strip().splitlines()
    assert rows[0].startswith("t,") and len(rows) == 1 + len(lab.trace().tokens)
    assert fig.save(tmp_path / "h.svg").read_text().startswith("<?xml")
    with pytest.raises(ValueError, match="save as .png, .svg or .csv"):
        fig.save(tmp_path / "h.jpg")
    with pytest.raises(ValueError, match="no panel 'nope'"):
        lab.figure("nope")
    assert "hiddenHeatmap" in rnnlab.panels() and "parity" in rnnlab.tasks()


def test_save_open_and_export_from_model_round_trip(lab, tmp_path):
    lab.save(tmp_path / "run.rnnlab")
    opened = rnnlab.Lab.open(tmp_path / "run.rnnlab")
    assert opened.step == lab.step and opened.config == lab.config
    lab.export_model(tmp_path / "m")
    again = rnnlab.Lab.from_model(tmp_path / "m")
    x = lab.session.example[0]
    with torch.no_grad():
        assert torch.equal(again.model(x), lab.model(x))
    assert again.step == 0 and "gru, H=8" in repr(again)


@pytest.mark.parametrize("kwargs, message", [
    (dict(task="parity", hiden=3), "no setting hiden"),
    (dict(task="chess"), "unknown task 'chess'"),
    (dict(task="parity", cell="transformer"), "cell must be one of"),
    (dict(task="parity", lr=-1.0), "lr must be in"),
])
def test_bad_settings_are_one_line_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        rnnlab.Lab(**kwargs)
    assert "\n" not in str(err.value)


def test_a_lab_on_a_data_file_with_clipping_off():
    lab = rnnlab.Lab(data=ROOT / "assets" / "examples" / "people_places.csv", hidden=4, clip=False, seq_len=None)
    assert lab.config["task"] == "tagged_file" and lab.config["model"]["bidirectional"] is True  # the preset
    assert lab.config["train"]["clip"] is False and lab.train(1)["step"] == 1
    clipped = rnnlab.Lab(task="parity", clip=2.5, seq_len=6).config
    assert clipped["train"]["clip"] is True and clipped["train"]["max_norm"] == 2.5
    assert clipped["task_params"]["seq_len"] == 6
