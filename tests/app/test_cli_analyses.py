"""Headless --fixed-points [--x-star] and --attribution METHOD --baseline B: the export holds what a paper
needs, checked against the engine run independently on the saved session; bad values stop before training."""
import csv

import numpy as np
import pytest
import torch

from app.cli.main import main
from engine import load_session
from engine.analysis import attribution


def run(*argv):
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_analyses") / "out"
    code = run("--headless", "--task", "parity", "--cell", "gru", "--hidden", 4, "--steps", 30, "--seed", 2,
               "--fixed-points", "--x-star", "0", "--fp-budget", 60, "--attribution", "gradient_x_input",
               "--baseline", "1", "--export", out, "--save", out.parent / "run.rnnlab", "--quiet", "--no-gif")
    assert code == 0
    return out, load_session(out.parent / "run.rnnlab")


def test_fixed_points_are_exported_as_full_vectors_that_stay_put(exported):
    out, session = exported
    data = np.load(out / "stateSpacePanel_fixed_points.npz")
    points, q = data["points"], data["q"]
    assert len(points) >= 1 and points.shape[1] == 4 and str(data["x_label"]) == "token '0' held fixed"
    model = session.trainer.model
    enc = model.encoder.double()
    with torch.no_grad():  # independent: one step of torch's fused GRU from each exported state, under "0"
        x = model.embed.double()(torch.tensor([[model.task.vocab.index("0")]]))
        _, h = enc(x.expand(len(points), 1, -1), torch.as_tensor(points)[None])
    model.float()
    np.testing.assert_allclose(0.5 * ((h[0].numpy() - points) ** 2).sum(1), q, atol=1e-9)
    with open(out / "stateSpacePanel_fixed_points.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0][0].startswith("# ") and "x*: token '0' held fixed" in rows[1][0]
    header = rows[2]
    assert header[:5] == ["point", "kind", "q", "top |lambda|", "unstable eigenvalues"] and header[-1] == "h4_l1"
    np.testing.assert_allclose(np.array(rows[3][-4:], float), points[0], rtol=1e-7)


def test_attribution_export_names_its_method_and_baseline(exported):
    out, session = exported
    with open(out / "attributionPanel.csv") as f:
        rows = list(csv.DictReader(f))
    assert {r["method"] for r in rows} == {"gradient_x_input"}
    assert {r["baseline"] for r in rows} == {"the token '1' at every position"}
    from engine.lab.session import LabSession

    lab = LabSession.load(out.parent / "run.rnnlab")
    inputs, targets = lab.example
    a = attribution(lab.model, inputs, targets, "gradient_x_input", baseline="1")
    np.testing.assert_allclose([float(r["attribution"]) for r in rows], a.scores, atol=1e-5)
    assert float(rows[0]["f(x)"]) == pytest.approx(a.output, abs=1e-5)
    assert float(rows[0]["f(baseline)"]) == pytest.approx(a.baseline_output, abs=1e-5)
    assert [int(r["t"]) for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("flags,message", [
    (["--fixed-points", "--x-star", "7"], "--x-star must be a token"),
    (["--attribution", "saliency"], "--attribution must be one of"),
    (["--baseline", "9"], "baseline must be 'zero' or one of the task's symbols"),
    (["--x-star", "0"], "--x-star and --fp-budget need --fixed-points"),
    (["--fixed-points", "--bidirectional"], "left-to-right"),
])
def test_bad_analysis_flags_stop_before_training(tmp_path, capsys, flags, message):
    code = run("--headless", "--task", "parity", "--hidden", 4, "--steps", 10_000_000, "--export", tmp_path / "o",
               *flags)
    assert code == 2
    assert message in capsys.readouterr().err


def test_analysis_flags_need_an_export(capsys):
    assert run("--headless", "--task", "parity", "--fixed-points") == 2
    assert "need --export" in capsys.readouterr().err


def test_unit_explorer_exports_the_states_it_ranks(exported):
    from engine.lab.session import LabSession

    out, _ = exported
    data = np.load(out / "unitExplorerPanel_states.npz")
    lab = LabSession.load(out.parent / "run.rnnlab")
    ref = lab.analyses.hidden.reference(lab)  # the reference examples, from the saved model
    n = data["h"].shape[2]
    np.testing.assert_allclose(data["h"], ref["states"]["hidden"][:, :, :n], atol=1e-6)
    assert data["tokens"].shape == (n, data["h"].shape[3]) and list(data["kinds"]) == ["h"]  # a GRU has no c
    # the file says over which examples r was computed: all the reference examples, not the n it holds
    from engine.analysis.hidden_live import REF_BATCH
    from engine.analysis.units import task_features

    ranked = int(data["ranked_over"])
    assert ranked == REF_BATCH > n and f"over all {ranked} reference examples" in str(data["layout"])
    feature = task_features(lab.task, ref["inputs"])[str(data["features"][0])]  # (B, T), all reference examples
    h = ref["states"]["hidden"][0, 0]  # (B, T, H)
    x, y = feature.reshape(-1) - feature.mean(), h.reshape(-1, h.shape[-1]) - h.reshape(-1, h.shape[-1]).mean(0)
    r = (x @ y) / np.sqrt((x @ x) * (y * y).sum(0))
    np.testing.assert_allclose(data["corr"][0, 0, 0, 0], r, atol=1e-4)
    fx = feature[:n].reshape(-1) - feature[:n].mean()  # control: r over the held examples alone is another r
    fy = h[:n].reshape(-1, h.shape[-1]) - h[:n].reshape(-1, h.shape[-1]).mean(0)
    r_few = (fx @ fy) / np.sqrt((fx @ fx) * (fy * fy).sum(0))
    assert np.abs(data["corr"][0, 0, 0, 0] - r_few).max() > 1e-3


def test_trace_npz_holds_the_reference_examples(exported):
    from engine.lab.session import LabSession

    out, _ = exported
    data = np.load(out / "trace.npz")
    lab = LabSession.load(out.parent / "run.rnnlab")
    ref = lab.analyses.hidden.reference(lab)
    np.testing.assert_array_equal(data["reference.inputs"], ref["inputs"].numpy())
    np.testing.assert_array_equal(data["reference.targets"], ref["targets"].numpy())
    assert data["reference.proj"].shape[:4] == (1, 1) + tuple(ref["inputs"].shape)
