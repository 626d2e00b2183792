"""Every command-line example in ``--help`` and the README runs, and every menu path the Help pages
and the lecture notes name exists.

An example that names a file that does not exist, or a flag that was renamed, fails here. The
examples run as written, in a scratch folder, with changes that keep the test short: --steps is cut
to 2, exports are drawn at --scale 0.25 without the per-step frames of index.html (the GIF is still
written), and the desktop launcher is installed under a scratch $XDG_DATA_HOME. Examples that open
the window are parsed and checked up to the point where the window would start (it is replaced by
a stub that records what it was asked to open). "notes.txt" stands for the user's own file.
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from app.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = (("bash", "scripts/run.sh"), ("python", "main.py"), ("rnnlab",), ("rnnlab-gui",))


def command(line: str) -> list[str] | None:
    """The arguments of an example line ("python main.py --list-tasks   what it does"), or None."""
    text = re.split(r"\s{2,}#?|\s+#", line.strip(), maxsplit=1)[0]
    if not text.startswith(tuple(" ".join(prog) + " " for prog in PROGRAMS)) and text not in \
            {" ".join(prog) for prog in PROGRAMS}:
        return None
    words = shlex.split(text)
    for prog in PROGRAMS:
        if tuple(words[:len(prog)]) == prog:
            return words[len(prog):]
    return None


def help_examples() -> list[list[str]]:
    return [c for line in cli.EPILOG.splitlines() if (c := command(line)) is not None]


def readme_examples() -> list[list[str]]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [c for line in lines if line.startswith("    ") and (c := command(line)) is not None]


def scaled(args: list[str]) -> list[str]:
    out = list(args)
    for i, a in enumerate(out[:-1]):
        if a == "--steps":
            out[i + 1] = "2"
    if "--export" in out and "--scale" not in out:
        out += ["--scale", "0.25"]
    return out


def run_examples(examples, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    shutil.copy(ROOT / "assets/examples/coriolanus_act1.txt", tmp_path / "notes.txt")
    from app.export import figures

    export_all = figures.export_all
    monkeypatch.setattr(figures, "export_all", lambda *a, **k: export_all(*a, **{**k, "frames": False}))
    opened = []
    monkeypatch.setattr("app.window.gui.run_gui", lambda *args, **kwargs: opened.append((args, kwargs)) or 0)
    window = [a for a in examples if "--headless" not in a]
    headless = [a for a in examples if "--headless" in a]
    for args in headless + window:  # a window example may open what a headless one saved
        args = scaled(args)
        code = cli.main(args)
        err = capsys.readouterr().err
        assert code == 0, f"example `{shlex.join(args)}` exited {code}: {err.strip()}"
    early = {"--version", "--install-desktop", "--uninstall-desktop"}  # (and every --list-...): no window
    assert len(opened) == sum(1 for a in window if not any(o in early or o.startswith("--list") for o in a))


def test_help_examples_name_existing_files():
    """Fast check of the class: every path an example names exists (or is made by an earlier one)."""
    made = {"notes.txt"}
    for args in help_examples() + readme_examples():
        for flag, value in zip(args, args[1:], strict=False):
            if flag in ("--save", "--export"):
                made.add(value)
        for flag, value in zip(args, args[1:], strict=False):
            if flag in ("--data", "--open"):
                assert value in made or (ROOT / value).is_file(), f"{shlex.join(args)}: {value} does not exist"
    assert len(help_examples()) >= 8 and len(readme_examples()) >= 6


def test_the_check_sees_a_missing_file():
    """Negative control: the example --help used to give."""
    args = command("  python main.py --headless --data assets/examples/frankenstein_letter1.txt --steps 3")
    assert args[:2] == ["--headless", "--data"] and not (ROOT / args[2]).exists()


def example_groups() -> list[list[list[str]]]:
    """Each distinct example (after scaling), preceded by the examples that make what it opens (a saved session,
    an exported model, an installed launcher): one group per example, so parallel workers can share them."""
    unique = list({tuple(scaled(a)): a for a in help_examples() + readme_examples()}.values())
    makers = {}
    for args in unique:
        for flag, value in zip(args, args[1:], strict=False):
            if flag in ("--save", "--export-model"):
                makers[value] = args
        if "--install-desktop" in args:
            makers["--uninstall-desktop"] = args
    groups = []
    for args in unique:
        needs = [only_making(makers[word]) for word in args if word in makers and makers[word] is not args]
        groups.append(needs + [args])
    return groups


def only_making(args: list[str]) -> list[str]:
    """An example run only for the file it saves: without its figures (they are checked in its own group)."""
    out, skip = [], False
    for word in args:
        if skip:
            skip = False
        elif word in ("--export", "--scale"):
            skip = True
        elif word != "--gif":
            out.append(word)
    return out


def test_an_example_that_opens_a_saved_file_runs_after_the_one_that_saves_it():
    groups = {shlex.join(g[-1]): g for g in example_groups()}
    opener = next(g for key, g in groups.items() if "--open run.rnnlab" in key)
    assert len(opener) == 2 and "--save" in opener[0] and "--export" not in opener[0]
    assert len(example_groups()) >= 14


@pytest.mark.slow
@pytest.mark.parametrize("group", example_groups(), ids=lambda group: shlex.join(group[-1])[:60])
def test_every_help_and_readme_example_runs(group, tmp_path, monkeypatch, capsys):
    """--help's and the README's examples, each distinct command once (after what it opens is made)."""
    run_examples(group, tmp_path, monkeypatch, capsys)


MENU_PATH = re.compile(r"\b(Lecture|Run|File|View|Help) > ([A-Z][\w' -]*?)(?=[.,:;)]|\s\(|$| and | to | or )")


def menu_paths(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2).strip()) for m in MENU_PATH.finditer(text)]


def test_every_menu_path_in_help_and_notes_exists(qtbot):
    from PySide6.QtWidgets import QApplication

    from app.classroom.help_pages import GETTING_STARTED, PAGES
    from app.lecture.presets import load_presets
    from app.window.main_window import MainWindow

    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    items = {}
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is not None:
            items[top.text().replace("&", "")] = [a.text().replace("&", "") for a in menu.actions()]
    texts = [f"{p.shows} {p.read} {p.try_}" for p in PAGES.values()] + [p.note for p in load_presets()] + \
        [re.sub(r"<[^>]+>", "", body) for _title, body in GETTING_STARTED]
    found = [path for text in texts for path in menu_paths(text)]
    assert len(found) >= 5
    for menu, item in found:
        assert menu in items, f"no {menu} menu"
        words = item.lower().split()
        assert any(all(w in t.lower() for w in words[:2]) for t in items[menu]), \
            f"{menu} > {item}: no such item in {items[menu]}"
    QApplication.processEvents()
