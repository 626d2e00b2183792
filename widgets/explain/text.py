"""Number formatting and the deck's names for the explain texts (plain Unicode text, no markup)."""
from __future__ import annotations

import math
import re

from widgets.parts.notation import arrow

MINUS = "−"


def num(v: float) -> str:
    """A value as a tooltip prints it: 3 decimals, scientific for the very small or large, Unicode minus."""
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("∞" if v > 0 else f"{MINUS}∞")
    s = f"{v:.3e}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5) else f"{v:.3f}"
    return s.replace("-", MINUS)


def paren(v: float) -> str:
    """A negative factor in a product gets parentheses: 0.300·(−0.200)."""
    s = num(v)
    return f"({s})" if s.startswith(MINUS) else s


def terms(values) -> str:
    """a + b − c: a sum written with its signs."""
    out = ""
    for k, v in enumerate(values):
        s = num(v)
        if k == 0:
            out = s
        elif s.startswith(MINUS):
            out += f" {MINUS} {s[1:]}"
        else:
            out += f" + {s}"
    return out


def sym(name: str, d: int, D: int, t, unit=None) -> str:
    """h→_3[1], c_2, z←_5[0]: a vector of one chain at step t (1-based), optionally one unit."""
    s = f"{name}{arrow(d, D)}_{t}"
    return s if unit is None else f"{s}[{unit}]"


def prev_step(t: int, d: int) -> int:
    """The step whose state step t reads: t−1 forward, t+1 on the backward chain (1-based)."""
    return t - 1 if d == 0 else t + 1


def chain_name(layer: int, d: int, D: int) -> str:
    return f"layer {layer + 1}" + ("", " forward", " backward")[(d + 1) if D == 2 else 0]


_NUMBER = re.compile(rf"[{MINUS}-]?(?:\d+\.\d+(?:e[+{MINUS}-]?\d+)?|nan|∞)")


def last_value(text: str) -> float:
    """The value a text explains: the last number of its first line (tests compare it with the trace)."""
    found = _NUMBER.findall(text.splitlines()[0])
    s = found[-1].replace(MINUS, "-")
    return {"nan": math.nan, "∞": math.inf, "-∞": -math.inf}.get(s, None) or float(s)
