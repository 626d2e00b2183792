"""The unit explorer on the user's own data: tags of a tagged CSV and annotation tracks (one row per token of the
data file), checked against numpy recomputations from the files themselves, with a shuffled track as the
negative control, and every bad track file refused in one line without losing the loaded tracks."""
import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from app.cli.headless import data_config
from engine.analysis import batch_states
from engine.lab.session import LabSession
from engine.tasks.data.annotations import TAG_PREFIX, TRACK_PREFIX, read_tracks

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
TAGGED = EXAMPLES / "people_places.csv"


def file_rows(path=TAGGED):
    """[(tokens, tags)] of a tagged CSV, read with the csv module alone."""
    with open(path, newline="", encoding="utf-8") as f:
        return [(t.split(), g.split()) for t, g in list(csv.reader(f))[1:]]


def write_track(path, tokens, columns: dict) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["token", *columns])
        for i, tok in enumerate(tokens):
            w.writerow([tok, *(repr(float(v[i])) for v in columns.values())])
    return path


@pytest.fixture(scope="module")
def session():
    torch.manual_seed(0)
    cfg = data_config(TAGGED)
    cfg = type(cfg)(cfg.task, cfg.task_params, type(cfg.model)(**{**cfg.model.to_dict(), "hidden_size": 8}),
                    cfg.train)
    s = LabSession(cfg)
    for _ in range(10):
        s.step()
    return s


def test_reference_positions_point_at_the_batch_tokens(session):
    ref = session.analyses.hidden.reference(session)
    tokens = [tok for toks, _ in file_rows() for tok in toks]
    shown = [[session.task.vocab[int(i)] for i in row] for row in ref["inputs"]]
    assert [[tokens[p] for p in row] for row in ref["positions"]] == shown


def test_tags_and_tracks_rank_units_as_numpy_does(session, tmp_path):
    rows = file_rows()
    tokens = [tok for toks, _ in rows for tok in toks]
    tags = [tag for _, tg in rows for tag in tg]
    # planted: unit 3 of h (left-to-right) computed row by row over the whole file, one value per token
    model, task = session.shown_model(), session.task
    unit = []
    with torch.no_grad():
        for r in range(len(rows)):
            a, b = task.offsets[r], task.offsets[r + 1]
            h = batch_states(model.eval(), torch.from_numpy(task.ids[a:b].astype(np.int64))[None])["hidden"]
            unit += list(h[0, 0, 0, :, 3])
    rng = np.random.default_rng(1)
    planted = np.array(unit)
    shuffled = rng.permutation(planted)
    noise = rng.normal(size=len(tokens))
    session.request_annotations(str(write_track(tmp_path / "t.csv", tokens, {"unit3": planted,
                                                                              "shuffled": shuffled,
                                                                              "noise": noise})))
    p = session.analyses.hidden.units(session, session.probe())
    ref = session.analyses.hidden._ref
    pos, h = ref["positions"], ref["states"]["hidden"][0, 0]  # (B, T), (B, T, H)
    feats = p["features"]
    for name, values in ((TRACK_PREFIX + "unit3", planted), (TRACK_PREFIX + "shuffled", shuffled),
                         (TAG_PREFIX + "PER", np.array([t == "PER" for t in tags], float))):
        f = feats.index(name)
        want = [np.corrcoef(h[..., u].ravel(), values[pos].ravel())[0, 1] for u in range(h.shape[-1])]
        np.testing.assert_allclose(p["corr"][f, 0, 0, 0], want, atol=1e-5)
    r_planted = np.abs(p["corr"][feats.index(TRACK_PREFIX + "unit3"), 0, 0, 0])
    assert np.argmax(r_planted) == 3 and r_planted[3] == pytest.approx(1.0, abs=1e-5)
    for control in ("shuffled", "noise"):  # no unit ranks highly against a track with no relation to the text
        assert np.abs(p["corr"][feats.index(TRACK_PREFIX + control)]).max() < 0.35
    assert p["tracks_file"] == "t.csv" and p["can_load_tracks"]


def test_the_example_tracks_load_and_bad_files_say_why_in_one_line(session, tmp_path):
    good = EXAMPLES / "people_places_tracks.csv"
    assert session.request_annotations(str(good)) == {"file": good.name, "tokens": 3428,
                                                       "tracks": ["before_place", "ambiguous", "position"]}
    lines = good.read_text().splitlines()
    bad = {"short": lines[:100], "word": [lines[0], lines[1].rsplit(",", 1)[0] + ",one"] + lines[2:],
           "shifted": [lines[0]] + lines[2:] + [lines[1]], "header": ["token"] + [ln.split(",")[0] for ln in lines[1:]],
           "fields": [lines[0], lines[1] + ",7"] + lines[2:]}
    expect = {"short": "has 99 rows of values but people_places.csv has 3,428 tokens",
              "word": "row 2, column 'position': 'one' is not a number", "shifted": "the token column says",
              "header": "the first line must name the tracks", "fields": "row 2 has 5 fields"}
    for name, content in bad.items():
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join(content) + "\n")
        with pytest.raises(ValueError) as err:
            session.request_annotations(str(path))
        assert expect[name] in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValueError, match="no track column 'depth'; its track columns: before_place, ambiguous"):
        session.request_annotations(str(good), ["depth"])
    p = session.analyses.hidden.units(session, session.probe())  # nothing lost: the good file's tracks stay
    assert [f for f in p["features"] if f.startswith(TRACK_PREFIX)] == [
        TRACK_PREFIX + n for n in ("before_place", "ambiguous", "position")]
    assert session.request_annotations(str(good), ["position"])["tracks"] == ["position"]


def test_built_in_tasks_have_no_tracks_and_say_so():
    from engine.lab.config import LabConfig

    s = LabSession(LabConfig.for_task("parity"))
    with pytest.raises(ValueError, match="open one first"):
        read_tracks(EXAMPLES / "people_places_tracks.csv", s.task)
    p = s.analyses.hidden.units(s, s.probe())
    assert not p["can_load_tracks"] and not any(f.startswith((TRACK_PREFIX, TAG_PREFIX)) for f in p["features"])


def test_text_and_labelled_positions_match_their_batches(tmp_path):
    from engine.tasks import make_task
    from engine.tasks.data.data_files import open_data
    from engine.tasks.data.data_tasks import task_for

    for path in (EXAMPLES / "coriolanus_act1.txt", EXAMPLES / "majority_ab.csv"):
        name, params = task_for(open_data(path))
        task = make_task(name, **params)
        ids = task.source.encoded(False).ids
        pos = task.sample_positions(8, torch.Generator().manual_seed(5))
        inputs, _ = task.sample_batch(8, torch.Generator().manual_seed(5))
        np.testing.assert_array_equal(ids[pos], inputs.numpy())


def test_a_saved_session_keeps_its_tracks_and_drops_an_entry_that_does_not_fit(session, tmp_path):
    good = EXAMPLES / "people_places_tracks.csv"
    session.request_annotations(str(good))
    session.save(tmp_path / "s.rnnlab")
    opened = LabSession.load(tmp_path / "s.rnnlab")
    p = opened.analyses.hidden.units(opened, opened.probe())
    assert p["tracks_file"] == good.name
    want = read_tracks(good, opened.task)
    np.testing.assert_array_equal(opened.analyses.hidden.tracks["position"], want["position"])
    ref = opened.analyses.hidden._ref
    f = p["features"].index(TRACK_PREFIX + "position")
    h = ref["states"]["hidden"][0, 0]
    np.testing.assert_allclose(p["corr"][f, 0, 0, 0], [np.corrcoef(h[..., u].ravel(), want["position"][ref["positions"]]
                                                                   .ravel())[0, 1] for u in range(h.shape[-1])],
                               atol=1e-5)
    entry = opened.analyses.hidden.packed_tracks(opened.task)
    short = dict(entry, values=entry["values"][:, :-1])  # one value short of the file's tokens
    fresh = LabSession.load(tmp_path / "s.rnnlab")
    fresh.analyses.hidden.tracks, fresh.analyses.hidden.tracks_of = {}, None
    fresh.analyses.hidden.restore_tracks(short, fresh.task)
    fresh.analyses.hidden.restore_tracks(dict(entry, sha256="0" * 64), fresh.task)  # another file's tracks
    assert fresh.analyses.hidden.tracks == {}


def test_the_notebook_api_ranks_against_tracks():
    import rnnlab

    lab = rnnlab.Lab(data=TAGGED, hidden=4)
    p = lab.units(tracks=EXAMPLES / "people_places_tracks.csv", columns=["position"])
    assert [f for f in p["features"] if f.startswith(TRACK_PREFIX)] == [TRACK_PREFIX + "position"]
    assert p["corr"].shape[-1] == 4
    with pytest.raises(ValueError, match="no track column 'depth'"):
        lab.units(tracks=EXAMPLES / "people_places_tracks.csv", columns=["depth"])
