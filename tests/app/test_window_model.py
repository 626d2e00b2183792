"""File > Export model… / Open model… and dropped model folders in the window: the engine writes and reads the
folder, every panel shows the opened model, a refused folder leaves the running model and says why."""
import json

import numpy as np
import pytest
import torch

from app.window import model_actions
from tests.app.test_main_window import make_window, wait_shown
from tests.app.test_window_data import drop, status
from tests.engine.test_model_import import change_weights_with_plain_torch, plain_run


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(model_actions, "warn", lambda window, title, text: seen.append((title, text)))
    return seen


def test_export_then_open_a_changed_model_shows_it_in_every_panel(qtbot, tmp_path, warnings):
    window = make_window(qtbot, "dna_motif", cell="gru", hidden_size=6, num_layers=2, bidirectional=True)
    folder = tmp_path / "motif_gru"
    window.models.export_model(str(folder))
    qtbot.waitUntil(lambda: (folder / "model.json").exists() and "Exported the model" in status(window),
                    timeout=20000)
    assert "Exported the model as of step 0 to" in status(window)
    assert {p.name for p in folder.iterdir()} == {"model.pt", "model.json", "load_model.py", "README.md"}
    new = change_weights_with_plain_torch(folder, seed=9)
    c, frames = window.controller, []
    original = window.models._opened

    def opened(name, result):  # the engine's answer: snapshots it sends after it show the opened model
        frames.append(max(c.shown.frame, c.latest.frame if c.latest is not None else 0))
        original(name, result)

    window.models._opened = opened
    drop(window, folder)  # a dropped folder opens as a model
    qtbot.waitUntil(lambda: "Opened the model motif_gru" in status(window), timeout=20000)
    snap = wait_shown(qtbot, window, lambda s: s.frame > frames[0])
    weights = window.controller.call("weights")["params"]
    assert all(np.array_equal(weights[k], new[k].numpy()) for k in new)  # the engine holds the changed weights
    spec = json.loads((folder / "model.json").read_text())
    inputs = torch.from_numpy(np.asarray(snap.trace.input_values)).unsqueeze(0)
    hidden, outputs = plain_run(new, spec, inputs)
    np.testing.assert_allclose(snap.trace.hidden, hidden, atol=1e-5, rtol=0)
    np.testing.assert_allclose(snap.trace.outputs, outputs, atol=1e-5, rtol=0)
    assert window.controls.values()["cell"] == "gru" and window.controls.values()["num_layers"] == 2
    assert "gru, H=6, 2 layers, bidirectional" in status(window) and not warnings


def test_a_refused_folder_leaves_the_running_model(qtbot, tmp_path, warnings):
    window = make_window(qtbot, "parity")
    before = window.controller.call("weights")
    config = window.controller.config
    (tmp_path / "model.json").write_text('{"format": "rnnlab-model", "format_version": 1}')
    (tmp_path / "model.pt").write_bytes(b"")
    window.models.open_model(str(tmp_path))
    qtbot.waitUntil(lambda: bool(warnings), timeout=20000)
    title, text = warnings[0]
    assert title == "Could not open the model" and "model.json has no cell" in text and "\n" not in text
    assert status(window).startswith("Could not open the model")
    after = window.controller.call("weights")
    assert window.controller.config == config and after["task"] == "parity"
    assert all(np.array_equal(before["params"][k], after["params"][k]) for k in before["params"])


def test_file_menu_has_open_and_export_model(qtbot):
    window = make_window(qtbot, "parity")
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    texts = [a.text() for a in file_menu.actions()]
    assert "Open model…" in texts and "Export model…" in texts
    assert texts.index("Open model…") < texts.index("Export all…") < texts.index("Export model…")
