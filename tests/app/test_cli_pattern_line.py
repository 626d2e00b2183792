"""The headless pattern search's summary line says what "the whole data set" was: for a built-in task a fixed
sample the task generates (its count the engine's), for a data file every row."""
from argparse import Namespace
from dataclasses import replace
from pathlib import Path

from app.cli.pattern_flags import run_after_training
from engine.analysis.search.dataset import GENERATED
from engine.lab.session import LabConfig, LabSession
from tests.engine.test_data_tasks import session_on

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
ARGS = Namespace(pattern_search="1-2", pattern_threshold=0.0, quiet=True)


def test_a_generating_task_says_its_data_set_is_a_generated_sample(capsys):
    cfg = LabConfig.for_task("parity", seq_len=6)
    session = LabSession(replace(cfg, model=replace(cfg.model, hidden_size=4)))
    result = run_after_training(session, ARGS)
    line = capsys.readouterr().out.strip()
    assert result["searched"] == result["total"] == GENERATED
    assert line.startswith(f"pattern search: {GENERATED:,} of {GENERATED:,} sequences searched")
    assert f"searched: {GENERATED:,} sequences the task generates" in line  # a sample, not every sequence


def test_the_help_names_the_samples_size():
    from app.cli.main import build_parser

    text = " ".join(build_parser().format_help().split())
    assert f"a fixed sample of {GENERATED:,} it generates" in text


def test_a_data_file_says_every_row():
    session = session_on(EXAMPLES / "majority_ab.csv", hidden=4)
    result = run_after_training(session, ARGS)
    assert result["searched"] == 800 and result["data_set"].startswith("every row of majority_ab.csv (800 rows")
