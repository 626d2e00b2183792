"""Engine requests are declared once (engine.process.protocol.REQUESTS): a request of another kind is refused where
it is made, the session answers every declared kind, and every kind the window or the panels send is declared."""
import ast
from pathlib import Path

import pytest

from engine.lab.compare_session import CompareSession
from engine.lab.session import LabSession
from engine.process import fault_hooks
from engine.process import protocol as P
from engine.process.loop import LOOP_REQUESTS, handler_table

ROOT = Path(__file__).resolve().parents[2]


def test_an_undeclared_request_is_refused_where_it_is_made():
    P.Request(1, "weights")  # control
    with pytest.raises(ValueError, match="unknown engine request 'weigths'"):
        P.Request(1, "weigths")


def test_the_session_answers_exactly_the_declared_requests():
    fault_hooks.install(LabSession)
    answered = set(handler_table(LabSession)) | set(LOOP_REQUESTS)
    assert answered == set(P.REQUESTS)
    methods = {name[len("request_"):] for name in dir(LabSession) if name.startswith("request_")}
    assert methods <= set(P.REQUESTS), f"request methods nobody declared: {methods - set(P.REQUESTS)}"
    assert set(handler_table(CompareSession)) <= set(P.REQUESTS)


def literal_kinds() -> set[str]:
    """Every string literal passed as the first argument of a .request(...) / .call(...) in the window's code."""
    kinds = set()
    for package in ("app", "widgets"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("request", "call") and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    kinds.add(node.args[0].value)
    return kinds


def test_every_request_the_window_sends_is_declared():
    kinds = literal_kinds()
    assert {"save", "open", "reset"} <= kinds  # the scan finds them (control)
    assert kinds <= set(P.REQUESTS), f"undeclared: {kinds - set(P.REQUESTS)}"
