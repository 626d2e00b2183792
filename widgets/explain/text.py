"""Number formatting and the deck's names for the explain texts (plain Unicode text, no markup)."""
from __future__ import annotations

import math
import re

from widgets.parts.notation import arrow

MINUS = "−"


def num(v: float, decimals: int = 3) -> str:
    """A value as a tooltip prints it: 3 decimals, scientific for the very small or large, Unicode minus."""
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("∞" if v > 0 else f"{MINUS}∞")
    s = f"{v:.3e}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5) else f"{v:.{decimals}f}"
    return s.replace("-", MINUS)


def read(s: str) -> float:
    """A number as ``num`` printed it, read back (ValueError for ∞ and nan)."""
    return float(s.replace(MINUS, "-"))


def product(values) -> float:
    """a·b: a combine for ``adding_up`` (as ``math.fsum`` is a sum's)."""
    return values[0] * values[1]


def fixed(v: float, decimals: int = 3) -> str:
    """A value in fixed point, as panels that never switch to scientific print it (0.000 for 0.0004)."""
    return f"{float(v):.{decimals}f}".replace("-", MINUS)


def adding_up(values, total: float, combine=math.fsum, most: int = 6, shown: int = 3, form=num) -> int:
    """Decimals for ``values`` (3, or more) at which ``combine`` of them as printed prints as ``total`` does
    (printed with ``shown`` decimals): operands rounded to 3 decimals each need not add up in the digits shown
    ("0.109 − 0.063 = 0.045", the exact sum being 0.0453); at 4 they do ("0.1086 − 0.0633 = 0.045"), so a
    reader's arithmetic checks out. A function of one printed number is the same question ("tanh(0.2875) =
    0.280": ``combine`` the function). ``form`` prints a number (``num``, or ``fixed`` for a panel that prints
    0.000 where ``num`` would print 4.000e-04). A result printed in scientific form asks for as many places as
    its last digit ("0.49291370 − 0.49345710 = −5.434e-04", not "0.493 − 0.493 = −5.434e-04")."""
    want = form(total, shown)
    if "e" in want and math.isfinite(total):
        most = max(most, min(12, 1 - math.floor(math.log10(last_unit(want, shown)))))
    before = None
    for decimals in range(3, most + 1):
        texts = [form(v, decimals) if math.isfinite(v) else v for v in map(float, values)]
        if texts == before:  # (operands in scientific form: more places print nothing new)
            break
        printed = [read(t) if isinstance(t, str) else t for t in texts]
        if rounds_to(combine(printed), total, shown, form):
            return decimals
        before = texts
    return 3  # (a scientific or non-finite operand: its digits are what they are)


def quotient(a: float, b: float, value: float) -> str:
    """a / b = value in digits that check out (a softmax's p_t / p_max over Σ_j p_j / p_max)."""
    k = adding_up((a, b), value, lambda v: v[0] / v[1] if v[1] else float("nan"))
    return f"{num(a, k)} / {num(b, k)} = {num(value)}"


def rounds_to(exact: float, total: float, decimals: int = 3, form=num) -> bool:
    """Whether ``exact`` may be printed as ``form(total, decimals)`` is: the same text, or within half a unit of
    its last digit, a tie rounding either way (−0.2895 is −0.289 or −0.290 to a reader)."""
    want = form(total, decimals)
    if form(exact, decimals) == want:
        return True
    try:
        return abs(exact - read(want)) <= 0.5 * last_unit(want, decimals) * (1 + 1e-9) + 1e-15
    except ValueError:  # ∞, nan
        return False


def last_unit(text: str, decimals: int = 3) -> float:
    """The value of a printed number's last digit: 10^−decimals in fixed point, 10^(e−3) in num's scientific
    form (4 significant digits: 5.434e−04 ends in 1e−07)."""
    if "e" in text:
        return 10.0 ** (int(text.split("e")[1].replace(MINUS, "-")) - 3)
    return 10.0 ** -decimals


def through(f, x: float, value: float, shown: int = 3) -> int:
    """Decimals for ``x`` at which ``f`` of ``x`` as printed prints as ``value`` does (at ``shown`` decimals):
    "tanh(0.287) = 0.280" is one unit off (tanh(0.287) = 0.2793) where "tanh(0.2875) = 0.280" is not."""
    return adding_up((x,), value, lambda v: f(v[0]), shown=shown)


def paren(v: float, decimals: int = 3) -> str:
    """A negative factor in a product gets parentheses: 0.300·(−0.200)."""
    s = num(v, decimals)
    return f"({s})" if s.startswith(MINUS) else s


def terms(values, decimals: int = 3) -> str:
    """a + b − c: a sum written with its signs."""
    out = ""
    for k, v in enumerate(values):
        s = num(v, decimals)
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
