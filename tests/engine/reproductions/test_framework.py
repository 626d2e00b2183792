"""The reproductions framework: registry, the published/measured line, cancel, seeds, and the
engine-side job that a window polls (the kept model becomes the session's)."""
import time

import numpy as np
import pytest
import torch

from engine.lab.session import LabSession
from engine.reproductions import Cancelled, Outcome, Verdict, get_result, list_results, reproduce
from engine.reproductions.figure import Figure, Series
from tests.engine.reproductions.tiny import install


def test_registry_lists_the_results_and_names_the_choices():
    assert {"irnn_adding", "flipflop"} <= set(list_results())
    for name in list_results():
        info = get_result(name).info()
        assert info["name"] == name and info["title"] and info["citation"] and info["published"]
        assert 0 < info["minutes"] <= 5  # each full reproduction fits in five minutes here
    with pytest.raises(ValueError, match="unknown result 'nope'; choose from .*irnn_adding, "):
        get_result("nope")


def test_line_says_published_measured_and_why():
    o = Outcome(name="x", title="X", citation="c", published="8 points", seed=0, quick=False, settings={},
                measured={}, verdict=Verdict(False, "5 points", "the search timed out"), header=[], rows=[],
                figure=Figure("f"), differences="", seconds=1.0)
    assert o.line == "published: 8 points · measured: 5 points · not reproduced (the search timed out)"
    ok = Outcome(**{**o.__dict__, "verdict": Verdict(True, "8 points")})
    assert ok.line == "published: 8 points · measured: 8 points · reproduced"


def test_series_reject_mismatched_data():
    with pytest.raises(ValueError, match="one length"):
        Series("s", np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="2 labels for 3 points"):
        Series("s", np.zeros(3), np.zeros(3), kind="scatter", labels=("a", "b"))


def test_run_is_repeatable_reports_progress_and_keeps_the_model(monkeypatch):
    install(monkeypatch)
    seen = []
    a = reproduce("tiny", seed=3, quick=True, progress=lambda f, t: seen.append((f, t)))
    b = reproduce("tiny", seed=3, quick=True)
    c = reproduce("tiny", seed=4, quick=True)
    np.testing.assert_array_equal(a.measured["mse"], b.measured["mse"])
    assert not np.array_equal(a.measured["mse"], c.measured["mse"])  # negative control: the seed matters
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 3
    assert a.trainer is not None and a.trainer.step_count == 20 and a.config["task"] == "flipflop"
    assert a.public().trainer is None and a.public().line == a.line


def test_cancel_stops_the_run(monkeypatch):
    install(monkeypatch)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        reproduce("tiny", quick=True, cancel=cancel)


def test_global_rng_is_untouched(monkeypatch):
    install(monkeypatch)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    reproduce("tiny", quick=True)
    torch.testing.assert_close(torch.rand(3), expected)


def wait_done(session, timeout=60.0):
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        status = session.request_reproduce_status()
        if status["state"] != "running":
            return status
        time.sleep(0.05)
    raise AssertionError("the reproduction did not finish")


def test_session_runs_a_reproduction_in_the_background_and_adopts_the_model(monkeypatch):
    install(monkeypatch)
    session = LabSession()
    assert session.config.task == "adding"
    assert session.request_reproduce("tiny", seed=1, quick=True)["state"] == "running"
    with pytest.raises(ValueError, match="still running"):
        session.request_reproduce("tiny")
    status = wait_done(session)
    assert status["state"] == "done" and status["outcome"].line.startswith("published: the MSE falls")
    assert status["outcome"].trainer is None  # what crosses the pipe holds no torch model
    assert session.config.task == "flipflop" and session.trainer.step_count == 20
    assert status["config"]["model"]["hidden_size"] == 8
    snap = session.snapshot()
    assert snap.trace.output_kind == "per_step_regression" and len(snap.history["step"]) == 20
    assert session.request_reproduce_status()["state"] == "idle"


def test_session_cancel_keeps_the_old_model(monkeypatch):
    install(monkeypatch)
    session = LabSession()
    before = {k: v.clone() for k, v in session.model.state_dict().items()}
    session.request_reproduce("tiny", seed=1)
    session.request_reproduce_cancel()
    status = wait_done(session)
    assert status["state"] == "cancelled" and "outcome" not in status
    assert session.config.task == "adding"
    for k, v in session.model.state_dict().items():
        assert torch.equal(v, before[k])
    with pytest.raises(ValueError, match="unknown result"):
        session.request_reproduce("nope")
