"""What a headless run prints as its held-out metric is what its exported curves hold as held-out at that step:
the command line printed 'step 300: held-out MSE 0.0035 on fresh examples' (the trainer's own evaluation
stream) while the same run's curvesPanel.csv and figure held 0.0032 at step 300 (the window's fixed set), and a
200-step run printed four evaluations its CSV did not hold at all. Walks every line a run prints (stderr on the
way, stdout at the end) for a built-in task, a labelled CSV and a text; the last value is also computed
independently from the saved model on the fixed examples; control: the trainer's own stream gives another
number."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import torch

from app.cli.main import main
from engine.lab.session import LabSession
from engine.training.held_out import SEED_OFFSET

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
LINE = re.compile(r"step (\d+): held-out (.+?) (-?[\d.]+(?:e-?\d+)?) on ")


@pytest.mark.slow  # (a run and a full export each, ~18 s)
@pytest.mark.parametrize("args", [["--task", "adding", "--hidden", 8],
                                  ["--data", EXAMPLES / "majority_ab.csv", "--hidden", 8],
                                  ["--data", EXAMPLES / "coriolanus_act1.txt", "--hidden", 8, "--seq-len", 32]],
                         ids=["adding", "labelled_csv", "text"])
def test_every_printed_held_out_value_is_the_exported_curves(tmp_path, capsys, args):
    out, saved = tmp_path / "out", tmp_path / "run.rnnlab"
    assert main(["--headless", *map(str, args), "--steps", "120", "--export", str(out), "--save", str(saved)]) == 0
    captured = capsys.readouterr()
    printed = {int(s): float(v) for s, _name, v in LINE.findall(captured.err + captured.out)}
    assert sorted(printed) == [50, 100, 120], captured.err[-600:] + captured.out
    with open(out / "curvesPanel.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("held-out ") and h != "held-out loss")
    held = {int(r[0]): float(r[column]) for r in rows[1:] if r[column]}
    assert sorted(held) == sorted(printed)
    for step, value in printed.items():
        assert held[step] == pytest.approx(value, abs=6e-5), (step, held[step], value)
    if args[0] == "--task":  # independent: the saved model's MSE on the fixed examples (4 batches, seeded)
        session = LabSession.load(saved)
        task, model, bs = session.task, session.model.eval(), session.trainer.config.batch_size
        g = torch.Generator().manual_seed(session.trainer.config.seed + SEED_OFFSET)
        with torch.no_grad():
            mse = [float(task.loss(model(x), y)) for x, y in (task.sample_batch(bs, g) for _ in range(4))]
        assert sum(mse) / 4 == pytest.approx(printed[120], abs=6e-5)
        own = session.trainer.evaluate()["metric"]  # control: the trainer's own stream, what was printed before
        assert abs(own - printed[120]) > 1e-4
