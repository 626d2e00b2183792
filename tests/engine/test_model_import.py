"""Model in: a folder whose weights were changed with plain PyTorch opens, and the trace RNN Lab shows equals a
plain nn.RNN/GRU/LSTM run of those weights (1e-5), for each cell, 2 layers, bidirectional, the attention head and
a learned initial state. Bad folders are refused with one line, and the running session loses nothing."""
import json
import pickle
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.model_io.reader import read_model_folder
from engine.model_io.spec import ModelFolderError
from engine.model_io.writer import export_model

CASES = {
    "rnn_tanh_2l_bi": ("parity", dict(cell="rnn_tanh", num_layers=2, bidirectional=True)),
    "rnn_relu_2l": ("parity", dict(cell="rnn_relu", num_layers=2)),
    "gru_2l_bi_attention": ("dna_motif", dict(cell="gru", num_layers=2, bidirectional=True)),
    "lstm_2l_bi_concat_tagger": ("tagging", dict(cell="lstm", num_layers=2, bidirectional=True, merge="concat")),
    "lstm_learned_h0_attention": ("sentiment", dict(cell="lstm", h0="learned")),
}


def make_session(task, changes, hidden=6):
    cfg = LabConfig.for_task(task)
    return LabSession(replace(cfg, model=replace(cfg.model, hidden_size=hidden, embedding_dim=5, **changes),
                              train=replace(cfg.train, batch_size=8)))


def export(session, folder):
    export_model(folder, session.model, session.task, session.config.train, session.trainer.step_count)
    return folder


def change_weights_with_plain_torch(folder, seed=1):
    """What a researcher does: load model.pt, put other weights in, save it again."""
    state = torch.load(folder / "model.pt", weights_only=True)
    g = torch.Generator().manual_seed(seed)
    new = {k: torch.randn(v.shape, generator=g) * 0.5 for k, v in state.items()}
    torch.save(new, folder / "model.pt")
    return new


def plain_run(state, spec, inputs):
    """Every layer's states (L, D, T, H) and the head's reported outputs, with torch.nn modules only."""
    cell, H, L = spec["cell"], spec["hidden_size"], spec["num_layers"]
    D = 2 if spec["bidirectional"] else 1
    if spec["input"]["kind"] == "tokens":
        x = nn.functional.embedding(inputs, state["embed.weight"])  # (1, T, E)
    else:
        x = inputs @ state["embed.weight"].T + state["embed.bias"]
    make = {"lstm": nn.LSTM, "gru": nn.GRU}.get(cell)
    layers, layer_in = [], x
    for layer in range(L):
        size = layer_in.shape[-1]
        module = make(size, H, batch_first=True, bidirectional=D == 2) if make else \
            nn.RNN(size, H, nonlinearity=cell[4:], batch_first=True, bidirectional=D == 2)
        module.load_state_dict({k.removeprefix("encoder.").replace(f"_l{layer}", "_l0"): v for k, v in state.items()
                                if k.startswith("encoder.") and f"_l{layer}" in k})
        hx = None
        if "h0" in state:
            h = state["h0"][layer * D:(layer + 1) * D].unsqueeze(1)  # (D, 1, H)
            hx = (h, state["c0"][layer * D:(layer + 1) * D].unsqueeze(1)) if cell == "lstm" else h
        with torch.no_grad():
            out, _ = module(layer_in, hx)  # (1, T, D*H)
        layers.append(out[0].reshape(-1, D, H).permute(1, 0, 2).numpy())  # (D, T, H)
        layer_in = out
    top = layer_in[0]  # (T, D*H)
    merged = top[:, :H] + top[:, H:] if D == 2 and spec["merge"] == "sum" else top
    kind = spec["output"]["kind"]
    with torch.no_grad():
        if kind == "per_step":
            out = torch.softmax(merged @ state["head.weight"].T + state["head.bias"], -1)
        elif kind == "attention":
            alpha = torch.softmax((merged @ state["attn.weight"].T).squeeze(-1), 0)
            out = torch.softmax((alpha[:, None] * merged).sum(0) @ state["head.weight"].T + state["head.bias"], -1)
        else:
            fin = top[-1, :H] if D == 1 else (top[-1, :H] + top[0, H:] if spec["merge"] == "sum"
                                              else torch.cat([top[-1, :H], top[0, H:]]))
            out = torch.softmax(fin @ state["head.weight"].T + state["head.bias"], -1)
    return np.stack(layers), out.numpy()


@pytest.mark.parametrize("name", list(CASES))
def test_weights_changed_with_plain_torch_show_in_the_trace(tmp_path, name):
    torch.set_num_threads(1)
    task, changes = CASES[name]
    before = make_session(task, changes)
    folder = export(before, tmp_path / name)
    new = change_weights_with_plain_torch(folder)
    spec = json.loads((folder / "model.json").read_text())
    session = LabSession.from_model(folder)  # what --model DIR runs
    session.example = before.example  # the same example both ways
    trace = session.probe()
    hidden, outputs = plain_run(new, spec, session.example[0])
    assert trace.hidden.shape == hidden.shape
    np.testing.assert_allclose(trace.hidden, hidden, atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace.outputs, outputs, atol=1e-5, rtol=0)
    # negative control: the model as exported (before the change) shows other states
    old = before.probe()
    assert np.abs(old.hidden - hidden).max() > 1e-2
    # and the imported model trains on: one step changes the weights, the loss is finite
    stats = session.step()
    assert np.isfinite(stats.loss) and session.trainer.step_count == 1


def test_a_hand_written_folder_opens(tmp_path):
    """A folder written with plain PyTorch only (no RNN Lab export): nn.GRU weights and a short model.json."""
    vocab = ["0", "1"]
    g = torch.Generator().manual_seed(0)
    gru = nn.GRU(4, 5, batch_first=True)
    state = {"embed.weight": torch.randn(2, 4, generator=g),
             **{f"encoder.{k}": torch.randn(v.shape, generator=g) for k, v in gru.state_dict().items()},
             "head.weight": torch.randn(2, 5, generator=g), "head.bias": torch.zeros(2)}
    tmp_path.joinpath("model.json").write_text(json.dumps({
        "format": "rnnlab-model", "format_version": 1, "cell": "gru", "hidden_size": 5, "num_layers": 1,
        "embedding_dim": 4, "input": {"kind": "tokens", "vocab": vocab},
        "output": {"kind": "final", "labels": ["even", "odd"]}, "task": {"name": "parity", "params": {}}}))
    torch.save(state, tmp_path / "model.pt")
    session = LabSession.from_model(tmp_path)
    spec = json.loads((tmp_path / "model.json").read_text())
    hidden, outputs = plain_run(state, {**spec, "bidirectional": False, "merge": "sum"}, session.example[0])
    trace = session.probe()
    np.testing.assert_allclose(trace.hidden, hidden, atol=1e-5, rtol=0)
    np.testing.assert_allclose(trace.outputs, outputs, atol=1e-5, rtol=0)
    assert session.config.train == LabConfig.for_task("parity").train  # no "train": the task's preset
    # every analysis and the fixed-point search run on it as on a model trained here
    snap = session.request_full_snapshot()
    assert snap.step == 0 and snap.analysis and np.array_equal(snap.trace.hidden, trace.hidden)
    status = session.request_fixed_points(None, 1, budget_s=1.0)
    while status["state"] == "running":
        status = session.request_fixed_points_step()
    assert status["state"] == "done" and len(session.analyses.hidden.fp_result["points"]) >= 1


# ---- bad folders ----------------------------------------------------------------------------------
class Hostile:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('x')",))


def _edit_json(folder, **changes):
    spec = json.loads((folder / "model.json").read_text())
    spec.update(changes)
    (folder / "model.json").write_text(json.dumps(spec))


def _edit_state(folder, fn):
    state = torch.load(folder / "model.pt", weights_only=True)
    fn(state)
    torch.save(state, folder / "model.pt")


def _set(state, key, value):
    state[key] = value


BAD = {
    "missing folder": (lambda f: f / "nope", "no model folder"),
    "a file, not a folder": (lambda f: f / "model.pt", "is a file"),
    "no model.json": (lambda f: ((f / "model.json").unlink(), f)[1], "has no model.json"),
    "no model.pt": (lambda f: ((f / "model.pt").unlink(), f)[1], "has no model.pt"),
    "bad json": (lambda f: ((f / "model.json").write_text('{"cell": "gru",'), f)[1], "not valid JSON"),
    "not a model.json": (lambda f: ((f / "model.json").write_text('{"cell": "gru"}'), f)[1], '"format"'),
    "unknown cell": (lambda f: (_edit_json(f, cell="transformer"), f)[1], "cell must be one of"),
    "hidden size out of range": (lambda f: (_edit_json(f, hidden_size=0), f)[1], "hidden_size must be from 1"),
    "shape mismatch": (lambda f: (_edit_json(f, hidden_size=7), f)[1], "has shape"),
    "missing weight": (lambda f: (_edit_state(f, lambda s: s.pop("head.bias")), f)[1], "lacks head.bias"),
    "unexpected weight": (lambda f: (_edit_state(f, lambda s: _set(s, "h0", torch.zeros(1, 6))), f)[1],
                          "has h0 that"),
    "NaN weights": (lambda f: (_edit_state(f, lambda s: s["encoder.weight_hh_l0"].__setitem__((0, 0), float("nan"))),
                               f)[1], "NaN or infinite"),
    "integer weights": (lambda f: (_edit_state(f, lambda s: _set(s, "head.bias", torch.zeros(2, dtype=torch.int64))),
                                   f)[1], "not floating-point"),
    "hostile pickle": (lambda f: (torch.save({"head.bias": Hostile()}, f / "model.pt"), f)[1], "exec: possibly code"),
    "hostile raw pickle": (lambda f: ((f / "model.pt").write_bytes(pickle.dumps({"a": Hostile()}, protocol=2)), f)[1],
                           "possibly code"),
    "a whole module": (lambda f: (torch.save(nn.Linear(2, 2), f / "model.pt"), f)[1], "save model.state_dict()"),
    "not a torch file": (lambda f: ((f / "model.pt").write_bytes(b"\x00garbage" * 10), f)[1], "not a PyTorch"),
    "a whole list": (lambda f: (torch.save([torch.zeros(1)], f / "model.pt"), f)[1], "must hold a state_dict"),
    "unknown task": (lambda f: (_edit_json(f, task={"name": "chess", "params": {}}), f)[1], "unknown task"),
    "vocab differs from the task's": (lambda f: (_edit_json(f, input={"kind": "tokens", "vocab": ["0", "2"]}), f)[1],
                                      "only in the model: '2'"),
    "labels differ": (lambda f: (_edit_json(f, output={"kind": "final", "labels": ["odd", "even"]}), f)[1],
                      "same symbols in another order"),
    "head differs": (lambda f: (_edit_json(f, output={"kind": "attention", "labels": ["even", "odd"]}), f)[1],
                     "attention head but task parity needs a final one"),
    "no task and no data": (lambda f: (_edit_json(f, task=None), f)[1], "names no task"),
}


@pytest.fixture(scope="module")
def good_folder(tmp_path_factory):
    session = make_session("parity", dict(cell="gru"))
    return export(session, tmp_path_factory.mktemp("good") / "parity_gru")


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_folders_are_refused_with_one_line(tmp_path, good_folder, monkeypatch, kind):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(good_folder, folder)
    monkeypatch.chdir(tmp_path)
    make_bad, phrase = BAD[kind]
    target = make_bad(folder)
    with pytest.raises(ModelFolderError) as err:
        read_model_folder(target)
    message = str(err.value)
    assert phrase in message and "\n" not in message and len(message) < 300, message
    assert not (tmp_path / "PWNED").exists()  # the hostile pickle ran nothing


def test_data_file_whose_vocabulary_differs_names_the_symbols(tmp_path, good_folder):
    data = tmp_path / "other.csv"
    data.write_text("sequence,label\n" + "".join(f"{'ab' * (i % 5 + 1)},{'xy'[i % 2]}\n" for i in range(40)))
    with pytest.raises(ModelFolderError, match="vocabulary of other.csv differs.*only in the model: '0' '1'"):
        read_model_folder(good_folder, data=data)


def test_a_refused_folder_changes_nothing_in_the_running_session(tmp_path, good_folder):
    session = make_session("adding", dict(cell="lstm"))
    session.step()
    before = {k: v.clone() for k, v in session.model.state_dict().items()}
    config = session.config
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "model.json").write_text("[]")
    (bad / "model.pt").write_bytes(b"")
    with pytest.raises(ModelFolderError):
        session.request_open_model(str(bad))
    assert session.config == config and session.trainer.step_count == 1
    assert all(torch.equal(before[k], v) for k, v in session.model.state_dict().items())
    # and a good folder then replaces the model, from step 0
    result = session.request_open_model(str(good_folder))
    assert result["config"]["task"] == "parity" and session.trainer.step_count == 0
    assert "gru, H=6, on Parity" in result["summary"] and result["data_view"] is None
