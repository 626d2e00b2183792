"""A model folder exported after opening one says how many steps the model was trained in all: a model trained
50 steps, opened (File > Open model…, --model, Lab.from_model) and trained 10 more was exported as "trained 10
steps" (README.md) with "steps_trained": 10 (model.json). Walks every way to open a folder (the window's request,
the command line's and the notebook's from_model) and both files; controls: a folder without steps_trained
counts from 0, and a model rebuilt after opening (another cell) is not the opened one."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

import rnnlab
from engine.lab.session import LabSession


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "parity50"
    lab = rnnlab.Lab("parity", hidden=8)
    lab.train(50)
    lab.export_model(path)
    return path


def exported(session, path) -> tuple[int, str]:
    session.request_export_model(str(path))
    return json.loads((path / "model.json").read_text("utf-8"))["steps_trained"], (path / "README.md").read_text()


def opened_by_window(folder):
    session = LabSession()
    session.request_open_model(str(folder))
    return session


@pytest.mark.parametrize("open_", [lambda f: LabSession.from_model(f), opened_by_window,
                                   lambda f: rnnlab.Lab.from_model(f).session], ids=["cli", "window", "notebook"])
def test_steps_before_opening_are_counted(folder, tmp_path, open_):
    session = open_(folder)
    for _ in range(10):
        session.step()
    steps, readme = exported(session, tmp_path / "again")
    assert steps == 60 and "trained\n60 steps (50 of them before" in readme


def test_controls_no_steps_in_the_folder_and_a_rebuilt_model(folder, tmp_path):
    spec = json.loads((folder / "model.json").read_text("utf-8"))
    del spec["steps_trained"]  # a model.json written by hand
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("model.pt", "load_model.py"):
        (bare / name).write_bytes((folder / name).read_bytes())
    (bare / "model.json").write_text(json.dumps(spec), "utf-8")
    session = LabSession.from_model(bare)
    session.step()
    assert exported(session, tmp_path / "a")[0] == 1
    session = LabSession.from_model(folder)
    session.request_configure(replace(session.config, model=replace(session.config.model, cell="lstm")).to_dict())
    session.step()
    steps, readme = exported(session, tmp_path / "b")
    assert steps == 1 and "before it was last opened" not in readme
