"""Model out: an exported folder loads with load_model.py in a fresh interpreter that cannot import RNN Lab,
and gives exactly the app model's outputs (1e-6) for each cell, 2 layers, bidirectional (sum and concat),
the attention head, real inputs and a non-zero initial state."""
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.model_io.spec import FORMAT, FORMAT_VERSION
from engine.model_io.writer import export_model

CASES = {  # name: (task, model changes)
    "tanh": ("parity", dict(cell="rnn_tanh", hidden_size=8)),
    "relu_2l_bi_concat": ("parity", dict(cell="rnn_relu", hidden_size=8, num_layers=2, bidirectional=True,
                                         merge="concat")),
    "gru_2l_bi_attention": ("dna_motif", dict(cell="gru", hidden_size=8, num_layers=2, bidirectional=True)),
    "lstm_bi_tagger_random_h0": ("tagging", dict(cell="lstm", hidden_size=8, bidirectional=True, h0="random")),
    "lstm_2l_regression_learned_h0": ("adding", dict(cell="lstm", hidden_size=8, num_layers=2, h0="learned")),
    "lstm_words_attention_concat": ("sentiment", dict(cell="lstm", hidden_size=8, bidirectional=True,
                                                      merge="concat")),
}

# run in a subprocess whose cwd is the temporary folder: RNN Lab's packages are made unimportable (the
# venv holds an editable install of the checkout), then each folder's load_model.py is loaded by path
CLEAN = r"""
import importlib.abc, importlib.util, json, sys, torch
PROJECT = ("engine", "app", "widgets", "rnnlab", "rnnlab_assets", "tests")
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in PROJECT:
            raise ImportError(f"{name} must not be imported")
sys.meta_path.insert(0, Refuse())
try:
    import engine  # noqa
    raise SystemExit("the project is importable")
except ImportError:
    pass
cases = json.load(open("cases.json"))
results = {}
for name in cases:
    spec = importlib.util.spec_from_file_location(f"load_model_{name}", f"{name}/load_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model(name)
    inputs = torch.load(f"{name}/inputs.pt", weights_only=True)
    with torch.no_grad():
        out = model(inputs)
        if hasattr(model, "h0"):  # negative control: the same model from a zero initial state
            model.h0.data.zero_()
            if hasattr(model, "c0"):
                model.c0.data.zero_()
            results[name + ":zero_h0"] = model(inputs)
    results[name] = out
    results[name + ":labels"] = torch.tensor([len(model.labels)])
torch.save(results, "outputs.pt")
leaked = sorted(m for m in sys.modules if m.split(".")[0] in PROJECT)
print(json.dumps({"leaked": leaked}))
"""


def session_for(task: str, changes: dict, steps: int = 2) -> LabSession:
    cfg = LabConfig.for_task(task, **({"seq_len": 12} if task == "adding" else {}))
    session = LabSession(replace(cfg, model=replace(cfg.model, embedding_dim=6, **changes),
                                 train=replace(cfg.train, batch_size=8)))
    for _ in range(steps):
        session.step()
    if changes.get("h0") == "learned":  # after two steps a learned h0 is still close to zero: give it values
        with torch.no_grad():
            for name in ("h0", "c0"):
                if hasattr(session.model, name):
                    getattr(session.model, name).normal_(0, 0.5, generator=torch.Generator().manual_seed(3))
    return session


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    expected = {}
    for name, (task, changes) in CASES.items():
        session = session_for(task, changes)
        export_model(root / name, session.model, session.task, session.config.train, session.trainer.step_count)
        inputs, _ = session.task.sample_batch(3, torch.Generator().manual_seed(7))
        torch.save(inputs, root / name / "inputs.pt")
        session.model.eval()
        with torch.no_grad():
            expected[name] = session.model(inputs)
        expected[name + ":session"] = session
    (root / "cases.json").write_text(json.dumps(list(CASES)))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, "-c", CLEAN], cwd=root, env=env, capture_output=True, text=True,
                          timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return root, expected, torch.load(root / "outputs.pt", weights_only=True), report


def test_the_clean_interpreter_imported_nothing_of_rnn_lab(exported):
    assert exported[3]["leaked"] == []


@pytest.mark.parametrize("name", list(CASES))
def test_load_model_outputs_equal_the_app_model(exported, name):
    _, expected, got, _ = exported
    assert got[name].shape == expected[name].shape
    assert torch.allclose(got[name], expected[name], atol=1e-6, rtol=0), (got[name] - expected[name]).abs().max()
    assert expected[name].abs().max() > 1e-3  # not a trivially zero output


@pytest.mark.parametrize("name", ["lstm_bi_tagger_random_h0", "lstm_2l_regression_learned_h0"])
def test_negative_control_the_initial_state_matters(exported, name):
    """The comparison can fail: the same weights from h0 = 0 give other outputs than the app's."""
    _, expected, got, _ = exported
    assert (got[name + ":zero_h0"] - expected[name]).abs().max() > 1e-4


def test_model_pt_is_a_plain_state_dict_with_torch_names(exported):
    root = exported[0]
    state = torch.load(root / "gru_2l_bi_attention" / "model.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    reference = torch.nn.GRU(6, 8, num_layers=2, bidirectional=True, batch_first=True).state_dict()
    assert {k.removeprefix("encoder.") for k in state if k.startswith("encoder.")} == set(reference)
    assert {k for k in state if not k.startswith("encoder.")} == {"embed.weight", "attn.weight", "head.weight",
                                                                  "head.bias"}
    tagger = torch.load(root / "lstm_bi_tagger_random_h0" / "model.pt", weights_only=True)
    assert tagger["h0"].shape == tagger["c0"].shape == (2, 8)  # (layers x directions, H)
    assert "h0" not in state  # a zero initial state is no tensor at all


def test_model_json_describes_the_model_and_its_task(exported):
    root, expected, _, _ = exported
    session = expected["lstm_words_attention_concat:session"]
    spec = json.loads((root / "lstm_words_attention_concat" / "model.json").read_text())
    assert spec["format"] == FORMAT and spec["format_version"] == FORMAT_VERSION
    assert (spec["cell"], spec["hidden_size"], spec["num_layers"], spec["bidirectional"], spec["merge"]) == \
        ("lstm", 8, 1, True, "concat")
    assert spec["embedding_dim"] == 6 and spec["initial_state"] == "zero"
    assert spec["input"] == {"kind": "tokens", "vocab": list(session.task.vocab)}
    assert spec["output"] == {"kind": "attention", "labels": list(session.task.classes)}
    assert spec["task"]["name"] == "sentiment" and spec["task"]["params"] == session.task.params
    assert spec["steps_trained"] == 2 and spec["train"]["batch_size"] == 8
    real = json.loads((root / "lstm_2l_regression_learned_h0" / "model.json").read_text())
    assert real["input"] == {"kind": "real", "input_dim": 2} and real["output"]["kind"] == "regression"
    assert real["initial_state"] == "learned"


def test_load_model_py_is_the_standalone_module_and_imports_only_torch_and_stdlib(exported):
    text = (exported[0] / "tanh" / "load_model.py").read_text()
    imports = {line.split()[1].split(".")[0] for line in text.splitlines()
               if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imports <= {"json", "pathlib", "torch", "sys"}, imports
    assert f'FORMAT = "{FORMAT}"' in text and f"FORMAT_VERSION = {FORMAT_VERSION}" in text


def test_the_folder_readme_example_runs(exported):
    """The usage block of README.md, run as written from the folder's parent, in a clean interpreter."""
    root = exported[0]
    readme = (root / "lstm_words_attention_concat" / "README.md").read_text()
    lines = readme[readme.index("## Use it"):].splitlines()[1:]
    code_lines = []
    for line in lines:
        if line and not line.startswith("    "):
            if code_lines:
                break
            continue
        code_lines.append(line[4:])
    code = "\n".join(code_lines)
    assert "load_model(" in code and "model.encode(" in code
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", code + "\nprint(tuple(outputs.shape))"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert proc.stdout.strip().splitlines()[-1] == "(1, 2)"  # one example, the two sentiment classes


def test_export_into_an_unwritable_place_is_one_line(tmp_path):
    session = session_for("parity", dict(cell="gru", hidden_size=4), steps=0)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="cannot create the folder") as err:
        export_model(blocker / "sub", session.model, session.task, session.config.train, 0)
    assert "\n" not in str(err.value)
    assert Path(blocker).read_text() == "x"
