"""Sessions keep the attribution settings and the last fixed-point search (issue 29 item 3); an entry that
does not fit the model (a tampered or foreign file) is dropped, never a crash."""
import numpy as np
import torch

from engine.lab.config import LabConfig
from engine.lab.session import LabSession


def searched_session():
    s = LabSession(LabConfig.for_task("parity"))
    for _ in range(10):
        s.step()
    status = s.request_fixed_points(x_const="0", budget_s=30.0, n_starts=16)
    while status["state"] == "running":
        status = s.request_fixed_points_step()
    s.request_attribution_options(method="gradient_x_input", baseline="1")
    return s


def test_a_saved_session_brings_back_its_search_and_attribution_settings(tmp_path):
    s = searched_session()
    path = tmp_path / "run.rnnlab"
    s.save(path)
    back = LabSession.load(path)
    want, got = s.analyses.hidden.fp_result, back.analyses.hidden.fp_result
    assert got is not None and got["x_label"] == want["x_label"] and got["step"] == 10
    np.testing.assert_array_equal(got["points"], want["points"])
    np.testing.assert_array_equal(got["eigenvalues"], want["eigenvalues"])
    assert got["settings"]["n_starts"] == 16
    assert back.analyses.attribution_options["method"] == "gradient_x_input"
    assert back.analyses.attribution_options["baseline"] == "1"
    back.analyses.wanted = {"state_space"}
    fixed = back.snapshot().analysis["state_space"]["fixed"]  # drawn again after opening
    assert fixed is not None and len(fixed["q"]) == len(want["q"])


def test_a_tampered_search_entry_is_dropped(tmp_path):
    s = searched_session()
    path = tmp_path / "run.rnnlab"
    s.save(path)
    payload = torch.load(path, weights_only=True)
    payload["extra"]["fixed_points"]["points"] = torch.zeros(3, 999, dtype=torch.float64)  # wrong shape
    payload["extra"]["attribution_options"] = {"method": "made_up", "baseline": "1"}
    torch.save(payload, path)
    back = LabSession.load(path)
    assert back.analyses.hidden.fp_result is None
    assert back.analyses.attribution_options["method"] == "integrated_gradients"  # the default stays
