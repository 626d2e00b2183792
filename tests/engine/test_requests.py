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


_CLIENT_KEYWORDS = {"on_done", "on_error", "refresh", "timeout"}  # the client's own, not sent to the engine


def literal_requests() -> list[tuple[str, str, set[str], bool]]:
    """(where, kind, keyword names sent, sends **kwargs) for every .request("kind", ...) / .call("kind", ...)."""
    found = []
    for package in ("app", "widgets"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("request", "call") and node.args
                        and isinstance(node.args[0], ast.Constant) and node.args[0].value in P.REQUESTS):
                    names = {k.arg for k in node.keywords if k.arg is not None} - _CLIENT_KEYWORDS
                    splat = any(k.arg is None for k in node.keywords)
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0].value, names, splat))
    return found


def signature_problems(kind: str, names: set[str], splat: bool, handler) -> list[str]:
    """What is wrong with sending ``names`` to ``handler``: an argument it has no parameter for, or a required one
    left out (a typo would otherwise surface only as a TypeError in the engine, as a silently empty panel)."""
    import inspect

    params = list(inspect.signature(handler).parameters.values())[1:]  # without self
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    named = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    required = {p.name for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    problems = [f"{kind}: no parameter {n!r}" for n in sorted(names - named) if not takes_any]
    if not splat:
        problems += [f"{kind}: required {n!r} not sent" for n in sorted(required - names)]
    return problems


def test_every_request_the_window_sends_fits_the_handlers_signature():
    """The wire carries Request(id, kind, args); the arguments are typed by the handler's signature, and every
    literal request in the window and panels must fit it."""
    fault_hooks.install(LabSession)
    table = handler_table(LabSession)
    sent = literal_requests()
    assert len(sent) > 20 and any(kind == "save" and "path" in names for _, kind, names, _s in sent)  # control
    problems = [f"{where}: {p}" for where, kind, names, splat in sent if kind in table
                for p in signature_problems(kind, names, splat, table[kind])]
    assert not problems, "\n".join(problems)


def test_the_signature_check_catches_a_misspelt_and_a_missing_argument():
    handler = handler_table(LabSession)["save"]
    assert signature_problems("save", {"path"}, False, handler) == []
    assert signature_problems("save", {"pth"}, False, handler) == ["save: no parameter 'pth'",
                                                                   "save: required 'path' not sent"]
    fixed = handler_table(LabSession)["fixed_points"]  # **settings takes any name: only the engine can refuse it
    assert signature_problems("fixed_points", {"budget"}, False, fixed) == []
