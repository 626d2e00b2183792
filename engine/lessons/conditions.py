"""The checkable parts of a lesson step: ``expect`` conditions and ``{placeholders}`` in the reveal.

Torch-free. A condition is a string ``"OP RHS"`` with OP one of < <= > >= == != and RHS a number, a
measure (``metric``, ``rnn.grad_ratio`` for step ``rnn``'s), or a number times a measure
(``"< 0.5 * baseline"``). Text that states an outcome (``reveal``, ``why``) may hold numbers only
inside ``{placeholders}``, filled from the run: a number written out would be a claim nobody checks.
"""
from __future__ import annotations

import math
import operator
import re
import string
from dataclasses import dataclass

OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt,
       ">": operator.gt}
_COND = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")
_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
# a digit that is notation, not a quantity: after a letter, _ or ^ (h_1, W_hh, x2, log2, 10^3 is not)
_TIME_INDEX = re.compile(r"\b[tTi]\s*=\s*\d+")
_BARE_NUMBER = re.compile(r"(?<![A-Za-z_^→←\d./])\d[\d,.]*(?:[eE][-+]?\d+)?%?")


@dataclass(frozen=True)
class Condition:
    measure: str  # "metric" or "step_id.metric"
    op: str
    factor: float | None  # RHS = factor * ref, or factor alone when ref is None
    ref: str | None
    literal: str | None = None  # == / != against a text measure, e.g. "(5, 3, 20)"
    source: str = ""

    def refs(self) -> list[str]:
        return [self.measure] + ([self.ref] if self.ref else [])

    def holds(self, values: dict) -> bool:
        have = values[self.measure]
        if self.literal is not None:
            return OPS[self.op](str(have), self.literal)
        want = (self.factor if self.factor is not None else 1.0) * (values[self.ref] if self.ref else 1.0)
        try:
            have, want = float(have), float(want)
        except (TypeError, ValueError):
            return False
        if math.isnan(have) or math.isnan(want):
            return False
        return OPS[self.op](have, want)

    def describe(self, values: dict) -> str:
        """"grad_ratio 3.2e-07 < 0.01" with the numbers of this run."""
        have = values.get(self.measure)
        if self.literal is not None:
            return f"{self.measure} {have} {self.op} {self.literal}"
        rhs = self.source.split(None, 1)[1] if " " in self.source.strip() else self.source
        if self.ref:
            rhs = f"{rhs.strip()} = {fmt_value((self.factor or 1.0) * values.get(self.ref, math.nan))}"
        return f"{self.measure} {fmt_value(have)} {self.op} {rhs.strip()}"


def fmt_value(v) -> str:
    if isinstance(v, str):
        return v
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{v:.4g}"


def parse_condition(measure: str, text) -> Condition:
    """``parse_condition("metric", "> 0.9")``. ValueError names what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"expect.{measure} must be a string such as \"< 0.01\" or \"> 0.5 * baseline\"; got {text!r}")
    m = _COND.match(text)
    if not m:
        raise ValueError(f"expect.{measure} = {text!r}: start with < <= > >= == or !=, then a number or a measure")
    op, rhs = m.groups()
    if _NUMBER.match(rhs):
        return Condition(measure, op, float(rhs), None, source=text)
    if "*" in rhs:
        left, right = (s.strip() for s in rhs.split("*", 1))
        if not _NUMBER.match(left) or not _REF.match(right):
            raise ValueError(f"expect.{measure} = {text!r}: write NUMBER * MEASURE, e.g. \"< 0.5 * baseline\"")
        return Condition(measure, op, float(left), right, source=text)
    if _REF.match(rhs):
        return Condition(measure, op, None, rhs, source=text)
    if op in ("==", "!="):
        return Condition(measure, op, None, None, literal=rhs, source=text)
    raise ValueError(f"expect.{measure} = {text!r}: {rhs!r} is neither a number nor a measure name")


_NOTATION = re.compile(r"([_^])\{([^{}]*)\}")  # h_{t-1}, x_{i+1}, 10^{-3}: maths, not placeholders


def _parse(text: str):
    """string.Formatter().parse of ``text`` with the maths' ``_{...}`` / ``^{...}`` kept as text."""
    return string.Formatter().parse(_NOTATION.sub(r"\1{{\2}}", text))


def placeholders(text: str) -> list[tuple[str, str]]:
    """[(field, format spec)] of the ``{field:spec}`` in ``text``. ValueError on broken braces."""
    out = []
    for _literal, field, spec, conv in _parse(text):
        if field is None:
            continue
        if not field or conv:
            raise ValueError("a placeholder must name a measure, e.g. {metric:.2f}")
        if not _REF.match(field):
            raise ValueError(f"{{{field}}} is not a measure name (letters, digits, _ and one '.')")
        out.append((field, spec or ""))
    return out


def bare_numbers(text: str) -> list[str]:
    """Numbers written out in ``text`` outside ``{placeholders}`` (notation such as h_1 is fine)."""
    outside = "".join(lit for lit, *_ in _parse(text))
    outside = _NOTATION.sub("", outside)  # digits in sub- and superscripts are notation
    outside = _TIME_INDEX.sub("", outside)  # "at t = 1" names a step, it claims nothing
    return [m.group(0).rstrip(".,") for m in _BARE_NUMBER.finditer(outside)]


def fill(text: str, values: dict) -> str:
    """``text`` with each ``{measure:spec}`` replaced by its measured value."""
    out = []
    for literal, field, spec, _conv in _parse(text):
        out.append(literal)
        if field is not None:
            v = values.get(field, math.nan)
            try:
                out.append(format(v, spec))
            except (TypeError, ValueError):
                out.append(fmt_value(v))
    return "".join(out)
