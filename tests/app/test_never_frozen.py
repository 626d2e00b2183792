"""Issue 25, "never frozen": the window asks the engine and gets answers by callback; the only request it
waits for is the save before closing (EngineClient.call blocks the GUI thread for as long as it takes)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {("app/window/file_actions.py", "save_before_close"),  # the window is closing: waiting is right
           ("app/window/controller.py", "call")}  # (the wrapper itself)


def blocking_calls(folder: Path):
    """(file, enclosing function) of every ``<something>.call(...)`` on the engine client or controller."""
    found = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call":
                    target = ast.unparse(node.func.value)
                    if target.endswith(("controller", "client", "engine")):
                        found.add((path.relative_to(ROOT).as_posix(), func.name))
    return found


def test_the_window_waits_for_the_engine_only_when_saving_before_close():
    calls = blocking_calls(ROOT / "app")
    assert ("app/window/file_actions.py", "save_before_close") in calls  # the scan finds what is there
    assert calls - ALLOWED == set(), "blocking engine calls from the window: make them requests with callbacks"
