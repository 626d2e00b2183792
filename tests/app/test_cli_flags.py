"""Every boolean option of the command line can be turned off again (--no-X), and --help says what applies
when a flag is absent: the task's preset, as the tasks themselves define it."""
import argparse
from pathlib import Path

import pytest

from app.cli.headless import config_from_args
from app.cli.main import build_parser, main
from app.cli.usage import UsageError
from engine import list_tasks
from engine.lab.config import LabConfig

ROOT = Path(__file__).resolve().parents[2]
TAGGED = ROOT / "assets" / "examples" / "people_places.csv"
# things to do (and every --list-*), not settings; --no-clip is the off form of --clip MAX_NORM
COMMANDS = {"--version", "--install-desktop", "--uninstall-desktop", "--no-clip"}


def parse(*argv):
    return build_parser().parse_args([str(a) for a in argv])


def test_every_boolean_option_has_a_no_form():
    flags = [a for a in build_parser()._actions if a.nargs == 0 and a.option_strings != ["-h", "--help"]]
    settings = [a for a in flags
                if not set(a.option_strings) & COMMANDS and not a.option_strings[0].startswith("--list-")]
    assert {a.option_strings[0] for a in settings} >= {"--headless", "--fold-case", "--bidirectional", "--gif",
                                                       "--timelapse", "--light", "--quiet"}
    for action in settings:
        assert isinstance(action, argparse.BooleanOptionalAction), action.option_strings
        assert f"--no-{action.option_strings[0][2:]}" in action.option_strings


def test_no_bidirectional_turns_off_a_bidirectional_preset():
    """A tagged CSV trains a bidirectional model by default; --no-bidirectional makes it one-directional."""
    preset = config_from_args(parse("--headless", "--data", TAGGED))
    assert preset.model.bidirectional is True  # the control: the preset is bidirectional
    off = config_from_args(parse("--headless", "--data", TAGGED, "--no-bidirectional"))
    assert off.model.bidirectional is False
    assert off.model.hidden_size == preset.model.hidden_size and off.task == preset.task  # nothing else changed
    on = config_from_args(parse("--headless", "--task", "parity", "--bidirectional"))
    assert on.model.bidirectional is True and LabConfig.for_task("parity").model.bidirectional is False


@pytest.mark.parametrize("argv, attr, value", [
    (["--fold-case", "--no-fold-case"], "fold_case", False), (["--no-fold-case", "--fold-case"], "fold_case", True),
    (["--gif", "--no-gif"], "gif", False), (["--quiet", "--no-quiet"], "quiet", False),
    (["--light"], "light", True), ([], "light", False), ([], "bidirectional", None),
    (["--bidirectional", "--no-bidirectional"], "bidirectional", False)])
def test_the_last_of_a_flag_and_its_no_form_wins(argv, attr, value):
    assert getattr(parse(*argv), attr) is value


def test_no_fold_case_without_data_is_accepted_but_fold_case_is_not():
    config_from_args(parse("--headless", "--task", "parity", "--no-fold-case"))
    with pytest.raises(UsageError, match="--fold-case needs --data"):
        config_from_args(parse("--headless", "--task", "parity", "--fold-case"))


def test_compare_refuses_either_direction_flag_with_uni_bi(capsys):
    for flag in ("--bidirectional", "--no-bidirectional"):
        assert main(["--headless", "--task", "parity", "--compare", "uni,bi", flag, "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "cannot be combined with --compare" in err


def test_help_names_every_tasks_preset_values(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    table = text[text.index("preset values"):].splitlines()
    header = table[2].split()
    assert header[:5] == ["task", "cell", "hidden", "layers", "bidirectional"]
    rows = {line.split()[0]: dict(zip(header, line.split(), strict=True)) for line in table[3:3 + len(list_tasks())]}
    assert set(rows) == set(list_tasks())
    for name, row in rows.items():  # against the configuration a run without flags really gets
        cfg = LabConfig.for_task(name)
        assert row["cell"] == cfg.model.cell and int(row["hidden"]) == cfg.model.hidden_size, name
        assert row["bidirectional"] == ("yes" if cfg.model.bidirectional else "no"), name
        assert float(row["lr"]) == cfg.train.lr and int(row["batch-size"]) == cfg.train.batch_size, name
        assert row["clip"] == (f"{cfg.train.max_norm:g}" if cfg.train.clip else "off"), name
    tagged = next(line for line in table if line.strip().startswith("--data .csv tokens,tags"))
    assert " yes " in tagged  # the data file's tagger is bidirectional, as config_from_args finds
