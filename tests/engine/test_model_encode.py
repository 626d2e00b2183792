"""An exported model's ``encode`` reads a string as RNN Lab reads the same typed text: it dropped every space
and line break, so a language model's `model.encode("to be, or")` gave 7 ids where RNN Lab reads 9 (the space
is a character of its vocabulary, ' ' or a text file's ␣). Walks every kind of vocabulary: the built-in
character LM, a text file's LM, a CSV of characters (no whitespace in it: skipped, as RNN Lab does), a CSV of
words, and a task of digits."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import rnnlab

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
CASES = [("charlm", {}, "to be, or\nnot to be"),
         (None, {"data": EXAMPLES / "coriolanus_act1.txt"}, "First Citizen:\nBefore we proceed"),
         (None, {"data": EXAMPLES / "majority_ab.csv"}, "bcca cacaacc"),
         (None, {"data": EXAMPLES / "people_places.csv"}, "yesterday erin visited lima"),
         ("parity", {}, "01 10 1")]


def load(folder: Path):
    spec = importlib.util.spec_from_file_location(f"load_model_{folder.name}", folder / "load_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_model(folder)


@pytest.mark.parametrize("task,kw,typed", CASES, ids=["charlm", "text_file", "char_csv", "word_csv", "parity"])
def test_encode_gives_the_ids_rnn_lab_reads_for_the_typed_text(tmp_path, task, kw, typed):
    lab = rnnlab.Lab(task, hidden=4, **kw)
    lab.export_model(tmp_path / "m")
    model = load(tmp_path / "m")
    lab.example(typed)
    app_ids = lab.session.example[0].tolist()
    assert model.encode(typed).tolist() == app_ids
    model(model.encode(typed))  # (the ids run through the model)


def test_control_the_space_is_a_symbol_the_old_rule_dropped(tmp_path):
    lab = rnnlab.Lab("charlm", hidden=4)
    lab.export_model(tmp_path / "m")
    model = load(tmp_path / "m")
    typed = "to be, or"
    dropped = [c for c in typed if not c.isspace()]  # the old encode
    assert model.encode(dropped).shape[1] == 7 and model.encode(typed).shape[1] == 9
    assert " " in model.vocab
