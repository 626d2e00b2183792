"""The deck as an index: assets/lecture/slides.toml covers every slide of the deck in order, is
validated on load (one line per problem), prints with --list-slides, and loads without torch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.lecture.slides import SlidesError, deck_keys, load_slides, mismatches

ROOT = Path(__file__).resolve().parents[2]
DECK = """# Title

---

## First heading

text

---

![50% center](img/picture.svg)

---

"A quote" => "A qt"
"""


def test_index_covers_every_slide_of_the_deck_in_order():
    from engine.reproductions import list_results

    slides, keys = load_slides(results=list_results()), deck_keys()
    assert len(keys) == 35  # the deck: 35 slides between its "---" lines
    assert mismatches(slides, keys) == []
    assert [s.number for s in slides] == list(range(1, 36))
    assert keys[2] == "pixellated_cat.png" and keys[3].startswith('"This is an example"')
    assert all(s.how() for s in slides)
    from app.lecture.slides import lesson_title
    lessons = {s.lesson for s in slides if s.lesson}
    assert len(lessons) == 9 and lesson_title("vanishing") == "Vanishing gradients"


def test_deck_keys_and_mismatches_on_a_small_deck(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    keys = deck_keys(deck)
    assert keys == ["Title", "First heading", "picture.svg", '"A quote" => "A qt"']
    slides = load_slides(write(tmp_path, *(f'heading = "{h}"\nhelp = "start"' for h in
                                          ("Title", "First heading", "(picture) picture.svg", "A quote"))))
    # negative controls: a wrong heading and a missing slide are both reported
    assert mismatches(slides, keys) == [f"slide 4: the deck's {keys[3]!r} is not in the heading 'A quote'"]
    assert "the deck has 4 slides, the index 3" in mismatches(slides[:3], keys)


def write(tmp_path, *bodies) -> Path:
    path = tmp_path / "slides.toml"
    path.write_text("".join(f"[[slide]]\n{b}\n\n" for b in bodies), encoding="utf-8")
    return path


BAD = [
    ('heading = "A"\nhelp = "start"\n[[slide', "not valid TOML"),
    ('heading = "A"\npanel = "noSuchPanel"', "unknown panel 'noSuchPanel'"),
    ('heading = "A"\npreset = "nosuch"', "unknown Lecture preset 'nosuch'"),
    ('heading = "A"\nview = "sideways"', "unknown view 'sideways'"),
    ('heading = "A"\nhelp = "nosuch"', "unknown help page"),
    ('heading = "A"\npanel = "curvesPanel"\ncolour = "red"', "unknown key colour"),
    ('panel = "curvesPanel"', "no heading"),
    ('heading = "A"\nnote = "just a note"', "says neither how it is shown"),
    ('heading = "A"\nnot_shown = "why"\npanel = "curvesPanel"', "not_shown cannot be combined with panel"),
    ('heading = "A"\npanel = "curvesPanel"\ncell = "gru"', "cell needs a preset"),
    ('heading = "A"\npreset = "gating"\ncell = "transformer"', "unknown cell 'transformer'"),
    ('heading = "A"\nview = "compare"', "go together"),
    ('heading = "A"\nview = "compare"\ncompare = "gru"', "compare must name 2 to 4 cells"),
    ('heading = ""\nhelp = "start"', "heading must be a non-empty string"),
    ('heading = 3\nhelp = "start"', "heading must be a non-empty string"),
    ('heading = "A"\nresult = "nosuch"', "unknown classic result 'nosuch'"),
    ('heading = "A"\nhelp = "start"\nlesson = "nosuch"', "unknown lesson 'nosuch'"),
]


@pytest.mark.parametrize("body,needle", BAD)
def test_a_bad_slides_file_is_refused_with_one_line(tmp_path, body, needle):
    path = write(tmp_path, 'heading = "Fine"\nhelp = "start"', body)
    with pytest.raises(SlidesError) as info:
        load_slides(path, results=["nonlinear_parity"])
    message = str(info.value)
    assert needle in message and "\n" not in message
    assert message.startswith("slides.toml:")
    if "TOML" not in needle:
        assert "slide 2" in message  # names the slide


def test_list_slides_prints_one_line_per_slide(capsys):
    assert main(["--list-slides"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 35
    assert lines[0].startswith("1. Recurrent Neural Networks -> ")
    assert lines[10] == "11. RNNs for tagging -> preset tagging + lesson tagging"
    assert lines[-1] == "35. RNNs in PyTorch -> preset pytorch + lesson pytorch"


def test_loading_the_slides_needs_no_torch():
    code = ("import sys; from app.lecture.slides import load_slides; n = len(load_slides()); "
            "print(n, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["35", "False"], out.stderr
