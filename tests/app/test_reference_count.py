"""Every sentence on screen or in the README that counts the reference examples ("the 32 reference examples",
"over 32 examples") states the engine's number (engine.analysis.hidden_live.REF_BATCH): the widgets cannot
import it, so the number is written out and checked here."""
import re
from pathlib import Path

from engine.analysis.hidden_live import REF_BATCH

ROOT = Path(__file__).resolve().parents[2]
PATTERN = re.compile(r"(\d[\d,]*) reference examples|over (\d[\d,]*) examples")


def test_every_count_of_the_reference_examples_is_the_engines():
    files = [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("widgets").rglob("*.py"), ROOT / "README.md"]
    found = [(f.name, int((m.group(1) or m.group(2)).replace(",", "")))
             for f in files for m in PATTERN.finditer(f.read_text(encoding="utf-8"))]
    assert len(found) >= 5  # (the pattern still finds them)
    assert all(n == REF_BATCH for _name, n in found), found


def test_every_size_of_the_generated_search_sample_is_the_engines():
    from engine.analysis.search.dataset import GENERATED

    files = [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("widgets").rglob("*.py"), ROOT / "README.md"]
    found = [int(m.group(1).replace(",", "")) for f in files
             for m in re.finditer(r"sample of (\d[\d,]*)", f.read_text(encoding="utf-8"))]
    assert len(found) >= 3 and set(found) == {GENERATED}, found


def test_every_period_of_the_held_out_dots_is_the_engines():
    from app.classroom.help_pages import PAGES
    from app.panels.registry import SPECS
    from engine.training.held_out import EVERY

    texts = [PAGES["curvesPanel"].read, ROOT.joinpath("README.md").read_text(), SPECS["curvesPanel"].help]
    found = [int(m.group(1)) for t in texts
             for m in re.finditer(r"large dots[^.]*?about every (\d+) steps", t, flags=re.IGNORECASE | re.DOTALL)]
    assert len(found) == 3 and set(found) == {EVERY}, found
    assert "both on held-out data" not in SPECS["curvesPanel"].help  # (a data file's dots are the metric only)
