"""The deck's direction notation, shared by every panel that names a state or a weight.

Bidirectional models have two chains: the forward h→_t (reads x_1..x_t, weights W→_hh) and the
backward h←_t (reads x_n..x_t, weights W←_hh); h_t without an arrow is their merge (the lecture's
sum h_t = h→_t + h←_t, or PyTorch's concat). Unidirectional models write plain h_t and W_hh.
"""
from __future__ import annotations

import numpy as np

SUB = str.maketrans("0123456789t+−-", "₀₁₂₃₄₅₆₇₈₉ₜ₊₋₋")
SUB_ANY = dict(zip("0123456789+−-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))


def subscripted(text: str) -> str:
    """Plain text with Unicode subscripts where every character has one, for painted labels:
    "c_{t−1}" -> "cₜ₋₁", "W_hn h_{t−1} + b_hn" -> "Wₕₙ hₜ₋₁ + bₕₙ"; "z_t" -> "zₜ"."""
    import re

    def sub(m):
        body = m.group(1) or m.group(2)
        return "".join(SUB_ANY[c] for c in body) if all(c in SUB_ANY for c in body) else m.group(0)

    return re.sub(r"_\{([^}]*)\}|_([A-Za-z0-9]+)", sub, text)


def arrow(d: int, num_directions: int) -> str:
    """"→" / "←" for the forward / backward chain of a bidirectional model, "" otherwise."""
    return ("→", "←")[d] if num_directions == 2 else ""


def state(name: str, d: int, num_directions: int, index: str = "t") -> str:
    """Plain text: h→_t, h←_3, c_t (``name`` is h or c)."""
    return f"{name}{arrow(d, num_directions)}_{index}"


def state_html(name: str, d: int, num_directions: int, index: str = "t") -> str:
    """Rich text: h→<sub>t</sub>."""
    return f"{name}{arrow(d, num_directions)}<sub>{index}</sub>"


def weight_html(which: str, d: int, num_directions: int) -> str:
    """W→<sub>hh</sub>, W←<sub>xh</sub>, or W<sub>hh</sub> for one direction."""
    return f"W{arrow(d, num_directions)}<sub>{which}</sub>"


def state_sub(name: str, d: int, num_directions: int, index: int) -> str:
    """Scene labels with Unicode subscripts: h→₃, h←₁₂, h₅."""
    return f"{name}{arrow(d, num_directions)}{str(index).translate(SUB)}"


def head_input_name(num_directions: int, merge: str) -> str:
    """The vector a final / regression head reads, in the deck's notation (rich text)."""
    if num_directions == 1:
        return "h<sub>n</sub>"
    return "(h→<sub>n</sub> + h←<sub>1</sub>)" if merge == "sum" else "[h→<sub>n</sub>; h←<sub>1</sub>]"


def head_input(trace) -> np.ndarray:
    """The vector (F,) the final / regression head reads (``Trace.head_input``)."""
    value = getattr(trace, "head_input", None)
    if value is not None:
        return np.asarray(value)
    top, T = trace.num_layers - 1, trace.seq_len
    fwd = trace.hidden[top, 0, T - 1]
    if trace.num_directions == 1:
        return fwd
    bwd = trace.hidden[top, 1, 0]
    return fwd + bwd if trace.merge == "sum" else np.concatenate([fwd, bwd])


def head_input_label(num_directions: int, merge: str, seq_len: int) -> str:
    """Plain text with subscripts for the scene: h₅, h→₅ + h←₁, [h→₅; h←₁]."""
    fwd, bwd = state_sub("h", 0, num_directions, seq_len), state_sub("h", 1, num_directions, 1)
    if num_directions == 1:
        return fwd
    return f"{fwd} + {bwd}" if merge == "sum" else f"[{fwd}; {bwd}]"
