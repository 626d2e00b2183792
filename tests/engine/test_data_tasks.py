"""Training on the user's files: each kind learns below (or above) its constant baseline on held-out
data in a few hundred steps, and a saved session carries its data, so it reopens after the file is
deleted and continues exactly like the run that was never interrupted."""
import hashlib
import random
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from engine import SessionError
from engine.lab.config import LabConfig
from engine.lab.session import LabSession
from engine.tasks.data.data_files import REGISTRY, open_data
from engine.tasks.data.data_tasks import task_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"


def contains_ab_csv(path: Path, rows: int = 400) -> Path:
    rng = random.Random(5)
    lines = ["sequence,label"]
    for _ in range(rows):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(3, 10)))
        lines.append(f"{s},{'yes' if 'ab' in s else 'no'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def session_on(path, hidden=24, **train) -> LabSession:
    name, params = task_for(open_data(path))
    cfg = LabConfig.for_task(name, **params)
    cfg = replace(cfg, model=replace(cfg.model, hidden_size=hidden, embedding_dim=16),
                  train=replace(cfg.train, **train))
    return LabSession(cfg)


def train(session, steps):
    for _ in range(steps):
        session.step()


@pytest.mark.slow
def test_text_model_beats_the_unigram_baseline_on_held_out_text():
    s = session_on(EXAMPLES / "coriolanus_act1.txt", hidden=48, batch_size=16)
    s.configure(replace(s.config, task_params={**s.config.task_params, "seq_len": 32}))
    before = s.task.heldout_bits(s.model)
    train(s, 300)
    after = s.task.heldout_bits(s.model)
    assert before > s.task.baseline  # an untrained model is worse than counting letters
    assert after < s.task.baseline - 0.6, (after, s.task.baseline)
    text = s.task.generate(s.model, "MARCIUS:\n", 200, 0.8, torch.Generator().manual_seed(0))
    assert len(text) == 200 and set(text) <= set(s.task.vocabulary.symbols)


def test_acceptor_beats_the_majority_class_on_held_out_rows(tmp_path):
    s = session_on(contains_ab_csv(tmp_path / "ab.csv"), hidden=16)
    chance = s.task.baseline
    train(s, 300)
    assert s.task.heldout_metric(s.model) > min(0.95, chance + 0.25), (s.task.heldout_metric(s.model), chance)


def test_tagger_beats_the_majority_tag_on_held_out_rows():
    s = session_on(EXAMPLES / "people_places.csv", hidden=16)
    assert s.model.config.bidirectional  # the preset reads both ways: the next word decides
    train(s, 200)
    assert s.task.heldout_metric(s.model) > s.task.baseline + 0.35
    # negative control: the same model untrained is near or below the baseline
    fresh = session_on(EXAMPLES / "people_places.csv", hidden=16)
    assert fresh.task.heldout_metric(fresh.model) < s.task.baseline + 0.35


@pytest.mark.parametrize("source", ["text", "labelled", "tagged"])
def test_saved_session_reopens_without_the_file_and_continues_identically(tmp_path, source):
    src = {"text": EXAMPLES / "coriolanus_act1.txt", "tagged": EXAMPLES / "people_places.csv"}.get(source)
    path = tmp_path / (src.name if src else "ab.csv")
    if src:
        path.write_bytes(src.read_bytes())
    else:
        contains_ab_csv(path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    s = session_on(path, hidden=12, batch_size=8)
    train(s, 15)
    s.save(tmp_path / "run.rnnlab")
    path.unlink()
    REGISTRY._files.clear()  # as on another machine: only the session file is left
    reopened = LabSession.load(tmp_path / "run.rnnlab")
    assert reopened.task.params["data"] == sha and sha[:16] in reopened.task.description
    assert reopened.task.info()["data"]["sha256"] == sha
    assert reopened.task.vocab == s.task.vocab and reopened.task.classes == s.task.classes
    uninterrupted = [s.step().loss for _ in range(10)]
    resumed = [reopened.step().loss for _ in range(10)]
    assert resumed == uninterrupted
    for (name, a), b in zip(s.model.state_dict().items(), reopened.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_a_session_whose_embedded_data_was_altered_is_refused(tmp_path):
    s = session_on(contains_ab_csv(tmp_path / "ab.csv"), hidden=8)
    s.save(tmp_path / "run.rnnlab")
    payload = torch.load(tmp_path / "run.rnnlab", weights_only=True)
    payload["data"]["sha256"] = "f" * 64
    torch.save(payload, tmp_path / "bad.rnnlab")
    REGISTRY._files.clear()
    with pytest.raises(SessionError, match="^bad.rnnlab: the embedded data file does not match its SHA-256$"):
        LabSession.load(tmp_path / "bad.rnnlab")


def test_config_without_the_open_file_says_to_open_it_again(tmp_path):
    s = session_on(contains_ab_csv(tmp_path / "ab.csv"), hidden=8)
    REGISTRY._files.clear()
    with pytest.raises(ValueError, match=r"is not open; open the file again \(File > Open data\)$"):
        LabConfig.from_dict(s.config.to_dict())


def test_lengths_limit_the_training_rows(tmp_path):
    s = session_on(contains_ab_csv(tmp_path / "ab.csv"), hidden=8)
    s.configure(replace(s.config, task_params={**s.config.task_params, "min_len": 5, "seq_len": 6}))
    g = torch.Generator().manual_seed(0)
    assert {s.task.sample_batch(4, g)[0].shape[1] for _ in range(40)} == {5, 6}
    with pytest.raises(ValueError, match="must be a whole number from 3 to 10"):
        s.configure(replace(s.config, task_params={**s.config.task_params, "seq_len": 11}))
