"""Options given without --headless are used by the window or refused in one line: never dropped in silence
(``python main.py --task adding --cell lstm`` used to open the default task)."""
import pytest

from app.cli import main as cli
from app.cli.window_flags import ignored_by_window


@pytest.fixture
def opened(monkeypatch):
    calls = []
    monkeypatch.setattr("app.window.gui.run_gui", lambda *a, **k: calls.append((a, k)) or 0)
    return calls


@pytest.mark.parametrize("argv, named", [
    (["--task", "adding", "--cell", "lstm"], "--task, --cell apply only with --headless"),
    (["--hidden", "64"], "--hidden applies only with --headless"),
    (["--data", "assets/examples/majority_ab.csv", "--no-bidirectional"], "--no-bidirectional applies"),
    (["--seeds", "3"], "--seeds applies"),
    (["--fixed-points"], "--fixed-points applies"),
])
def test_an_option_the_window_would_drop_is_refused_in_one_line(argv, named, opened, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert named in err and err.count("\n") == 1, err
    assert opened == []  # no window opened on something else than was asked


def test_what_the_window_honours_opens_it(opened, tmp_path):
    assert cli.main(["--data", "assets/examples/majority_ab.csv"]) == 0  # control: honoured, not refused
    session = tmp_path / "run.rnnlab"
    session.write_bytes(b"")
    assert cli.main(["--open", str(session)]) == 0  # --open works as the positional file does
    assert [a[0] for a, _k in opened] == [None, str(session)]


def test_every_option_is_either_used_by_the_window_or_refused():
    """A walk over the parser (options added later are covered): set each one and see it named."""
    parser = cli.build_parser()
    honoured = {"session", "open", "data", "model", "neutral_token", "headless"}
    for action in parser._actions:
        if not action.option_strings or action.dest in honoured or action.dest == "help":
            continue
        args = parser.parse_args([])
        setattr(args, action.dest, object())
        assert ignored_by_window(parser, args), action.dest
    args = parser.parse_args([])
    assert ignored_by_window(parser, args) == []  # negative control: nothing given, nothing refused
