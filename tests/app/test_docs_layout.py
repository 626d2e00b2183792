"""The layout the README and ARCHITECTURE.md describe is the code's: every subpackage of app/, widgets/ and
engine/ is named in both, and nothing named there is missing."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "widgets", "engine")


def subpackages() -> set[str]:
    return {f"{top}/{d.name}" for top in PACKAGES for d in (ROOT / top).iterdir()
            if d.is_dir() and (d / "__init__.py").exists()}


def readme_tree() -> set[str]:
    text = (ROOT / "README.md").read_text()
    named = set()
    for top in PACKAGES:
        line = re.search(rf"^{top}/ +[^\n]*$", text, re.M)
        assert line, f"README's layout tree has no line for {top}/"
        named |= {f"{top}/{name}" for name in re.findall(r"(\w+)/", line.group(0).split(None, 1)[1])}
    return named


def architecture_tree() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    named, top = set(), None
    for line in text.splitlines():
        head = re.match(r"^(\w+)/\s", line)
        if head:
            top = head.group(1) if head.group(1) in PACKAGES else None
            continue
        sub = re.match(r"^  (\w+)/\s", line)
        if sub and top:
            named.add(f"{top}/{sub.group(1)}")
    return named


@pytest.mark.parametrize("tree", [readme_tree, architecture_tree], ids=["README", "ARCHITECTURE"])
def test_the_documented_tree_is_the_code(tree):
    named, actual = tree(), subpackages()
    assert named, "no tree found (control)"
    assert named == actual, f"documented but missing: {sorted(named - actual)}; undocumented: {sorted(actual - named)}"
