"""rnnlab --list-results and --headless --reproduce NAME --export DIR: the line, the files, the errors."""
import json

import pytest

from app.cli.main import main
from tests.engine.reproductions.tiny import install


def run(*args):
    return main([str(a) for a in args])


def test_list_results_names_each_with_its_paper(capsys):
    from engine.reproductions import catalog

    assert run("--list-results") == 0
    out = capsys.readouterr().out
    for r in catalog():
        assert r["name"] in out and r["citation"] in out


def test_reproduce_exports_figure_data_and_readme(tmp_path, capsys, monkeypatch):
    install(monkeypatch)
    assert run("--headless", "--reproduce", "tiny", "--seed", 2, "--quick", "--quiet", "--export", tmp_path) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("published: the MSE falls · measured: MSE ") and line.endswith("· reproduced")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["README.md", "result.json", "tiny.csv", "tiny.png", "tiny.svg"]
    assert (tmp_path / "tiny.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "tiny.svg").read_bytes()
    rows = (tmp_path / "tiny.csv").read_text().splitlines()
    assert rows[0] == "step,mse" and len(rows) == 1 + 5  # steps 0, 5, 10, 15, 20
    readme = (tmp_path / "README.md").read_text()
    assert line in readme and "Nobody (2026)" in readme and "## What differs from the paper" in readme
    assert "seed 2" in readme and "(tiny.png)" in readme
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["reproduced"] is True and result["line"] == line and result["settings"] == {"steps": 20}


@pytest.mark.parametrize("args, message", [
    (("--headless", "--reproduce", "nope"), "unknown result 'nope'"),
    (("--reproduce", "flipflop"), "need --headless"),
    (("--headless", "--quick", "--task", "adding"), "--quick needs --reproduce"),
])
def test_bad_reproduce_arguments_give_one_line(args, message, capsys):
    assert run(*args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_unwritable_export_folder_fails_before_running(tmp_path, capsys, monkeypatch):
    install(monkeypatch)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run("--headless", "--reproduce", "tiny", "--export", blocker / "out") == 2
    assert "is not a folder" in capsys.readouterr().err
