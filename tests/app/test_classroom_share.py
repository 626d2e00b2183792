"""Export all as a shareable folder: index.html (self-contained, a time slider over T frames) and no empty CSV."""
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.panels.registry import PANELS

T = 9


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.tags, self.inputs, self.scripts = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href"):
            if key in a:
                self.refs.append(a[key])
        if tag == "input":
            self.inputs.append(a)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


pytestmark = pytest.mark.slow  # every test reads one Export all with index.html and the time sweep


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    out = tmp_path_factory.mktemp("share") / "out"
    assert main(["--headless", "--task", "adding", "--cell", "lstm", "--hidden", "8", "--seq-len", str(T),
                 "--steps", "5", "--seed", "2", "--export", str(out), "--quiet"]) == 0
    return out


def test_no_csv_is_empty_and_panels_without_data_are_explained(shared):
    csvs = list(shared.glob("*.csv"))
    assert csvs
    for path in csvs:
        lines = path.read_text().strip().splitlines()
        assert len(lines) >= 2 and lines[0], f"{path.name} has no data rows"
    page = (shared / "index.html").read_text()
    for spec in PANELS:  # a panel either has its data file or the page says why not
        figure = re.search(rf"<figure id='{spec.name}'>.*?</figure>", page, re.S).group(0)
        assert (shared / f"{spec.name}.csv").exists() or "No data file" in figure, spec.name


def test_index_html_parses_and_references_only_files_in_the_folder(shared):
    parser = Page()
    parser.feed((shared / "index.html").read_text())
    assert {"html", "body", "img", "input", "script"} <= set(parser.tags)
    assert parser.refs
    for ref in parser.refs:
        assert not re.match(r"^[a-z]+:|^//", ref), f"{ref} is not a file in the folder"
        assert (shared / ref).is_file(), f"{ref} is missing"
        assert (shared / ref).resolve().is_relative_to(shared.resolve())
    for spec in PANELS:
        assert f"{spec.name}.png" in parser.refs, spec.name
    assert "config.json" in parser.refs and "curvesPanel.png" in parser.refs


def test_the_time_slider_has_t_frames_each_a_file(shared):
    parser = Page()
    parser.feed((shared / "index.html").read_text())
    slider = next(i for i in parser.inputs if i.get("type") == "range")
    assert (int(slider["min"]), int(slider["max"])) == (1, T)
    frames = re.search(r"const frames = (\[.*?\]);", "".join(parser.scripts)).group(1)
    names = re.findall(r'"([^"]+)"', frames)
    assert len(names) == T and all((shared / n).is_file() for n in names)
    first, last = (np.asarray(Image.open(shared / n).convert("L"), dtype=float) for n in (names[0], names[-1]))
    assert first.shape == last.shape
    assert (np.abs(first - last) > 30).sum() > 300, "the frames move with t (cursor, highlighted column)"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_index_html_renders_in_a_real_browser_and_the_url_moves_the_slider(shared, tmp_path):
    shots = {}
    for fragment in ("", f"#t={T}"):
        shot = tmp_path / f"page{fragment.replace('#', '_').replace('=', '')}.png"
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1100,900", f"--screenshot={shot}", (shared / "index.html").as_uri() + fragment],
                       check=True, capture_output=True, timeout=120)
        shots[fragment] = np.asarray(Image.open(shot).convert("L"), dtype=float)
    plain, moved = shots[""], shots[f"#t={T}"]
    assert plain.std() > 20, "the page is not blank"
    assert (np.abs(plain - moved) > 30).sum() > 300, "the frame shown follows #t="
