"""The layering contract: engine/ never imports Qt; widgets/ never import torch."""
import ast
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def imported_roots(folder):
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    yield path, a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.module.split(".")[0]


def test_engine_is_qt_free():
    bad = [(p.name, m) for p, m in imported_roots("engine") if m in {"PySide6", "pyqtgraph", "app", "widgets"}]
    assert bad == []


def test_widgets_are_torch_free():
    bad = [(p.name, m) for p, m in imported_roots("widgets") if m in {"torch", "engine"}]
    assert bad == []


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports", path=str(pathlib.Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency"
    res = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_finds_nothing():
    """The lint configured in pyproject.toml holds for the whole tree."""
    exe = shutil.which("ruff", path=str(pathlib.Path(sys.executable).parent))
    assert exe, "ruff is a dev dependency"
    res = subprocess.run([exe, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
