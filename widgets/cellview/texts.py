"""What every wire of the cell view says on hover: its formula with the operands' values, or (in the
gradient view) dL/d(wire) with the chain rule through the one node that reads it.

Values are the engine's ``cell_wires`` payload (the numbers the strips draw); a gate's pre-activation
operands come from the trace (``preact_x`` / ``preact_h``, see ``widgets.explain.states``).
"""
from __future__ import annotations

import numpy as np

from widgets.explain.states import explain_gate, explain_state
from widgets.explain.text import adding_up, chain_name, num, paren, product
from widgets.parts.notation import arrow

GATES = {"lstm": {"f": "forget", "i": "input", "g": "cell_candidate", "o": "output"},
         "gru": {"r": "reset", "z": "update", "n": "new"}}
# wire -> (formula, operands, how the value follows from them)
FORMULAS = {
    "fc": ("fₜ·c{p}", ("f", "c_prev"), "mul"), "ig": ("iₜ·gₜ", ("i", "g"), "mul"),
    "c": ("fₜ⊙c{p} + iₜ⊙gₜ", ("fc", "ig"), "add"), "tanh_c": ("tanh(cₜ)", ("c",), "tanh"),
    "r_hn": ("rₜ·(W_hn h{p} + b_hn)", ("r", "hn"), "mul"), "one_minus_z": ("1 − zₜ", ("z",), "one_minus"),
    "zn": ("(1 − zₜ)·nₜ", ("one_minus_z", "n"), "mul"), "zh": ("zₜ·h{p}", ("z", "h_prev"), "mul"),
    "pre": ("(W_xh xₜ + b_ih) + (W_hh h{p} + b_hh)", ("wx", "wh"), "add"),
}
H_FORMULAS = {"lstm": ("oₜ·tanh(cₜ)", ("o", "tanh_c"), "mul"), "gru": ("(1 − zₜ)⊙nₜ + zₜ⊙h{p}", ("zn", "zh"), "add"),
              "rnn_tanh": ("tanh(pre)", ("pre",), "tanh"), "rnn_relu": ("ReLU(pre)", ("pre",), "relu")}
PLAIN = {"x": "the step's input", "h_prev": "the state this step reads", "c_prev": "the memory this step reads",
         "hn": "W_hn h{p} + b_hn: the recurrent part of the candidate",
         "wx": "W_xh xₜ + b_ih: the input's part", "wh": "W_hh h{p} + b_hh: the previous state's part"}
# wire -> (the node's output it feeds, the other factor of that node or None for a sum)
CONSUMER = {"f": ("fc", "c_prev"), "c_prev": ("fc", "f"), "i": ("ig", "g"), "g": ("ig", "i"),
            "o": ("h", "tanh_c"), "tanh_c": ("h", "o"), "fc": ("c", None), "ig": ("c", None),
            "r": ("r_hn", "hn"), "hn": ("r_hn", "r"), "zn": ("h", None), "zh": ("h", None),
            "one_minus_z": ("zn", "n"), "n": ("zn", "one_minus_z"), "wx": ("pre", None), "wh": ("pre", None)}
OPS = {"mul": lambda a: a[0] * a[1], "add": lambda a: a[0] + a[1], "tanh": lambda a: np.tanh(a[0]),
       "one_minus": lambda a: 1 - a[0], "relu": lambda a: max(a[0], 0.0)}


def explain_wire(trace, payload: dict, layer: int, d: int, t: int, u: int, wire: str = "h",
                 gradient: bool = False) -> str:
    """The text of unit ``u`` of ``wire`` at step t (1-based) of one chain."""
    D, cell = payload["values"]["h"].shape[1], payload["cell"]
    pos = t - 1

    def val(name: str, which: str = "values") -> float:
        return float(payload[which][name][layer, d, pos, u])

    def lab(name: str) -> str:
        return concrete("xₜ" if name == "x" else WIRE_LABELS.get(name, name), d, D, t)

    where = f"  ({chain_name(layer, d, D)}, unit {u}, t = {t})"
    if gradient:
        g = val(wire, "grads")
        text = f"dL/d{lab(wire)}[{u}] = {num(g)}{where}"
        if wire in CONSUMER:
            out, other = CONSUMER[wire]
            go = val(out, "grads")
            if other is None:
                text = f"dL/d{lab(wire)}[{u}] = dL/d{lab(out)}[{u}] = {num(go)}{where}"
            else:
                k = adding_up((go, val(other)), g, product)
                text = (f"dL/d{lab(wire)}[{u}] = dL/d{lab(out)}[{u}]·{lab(other)}[{u}] = {num(go, k)}·"
                        f"{paren(val(other), k)} = {num(g)}{where}")
        return text + f"\nthe wire's value {lab(wire)}[{u}] = {num(val(wire))}; gradient by autograd through the step"
    if wire == "h" or wire == "c" and cell == "lstm":  # the same text as the heatmap's
        return explain_state(trace, layer, d, t, u, wire)
    gates = GATES.get(cell, {})
    if wire in gates and getattr(trace, "preact_x", None) is not None:
        return explain_gate(trace, gates[wire], layer, d, t, u) + where
    formula = H_FORMULAS[cell] if wire == "h" else FORMULAS.get(wire)
    v = val(wire)
    if formula is None:
        note = concrete(PLAIN.get(wire, ""), d, D, t)
        return f"{lab(wire)}[{u}] = {num(v)}{where}\n{note}"
    text, operands, op = formula
    ops = [val(o) for o in operands]
    k = adding_up(ops, v, OPS[op])  # (digits at which the shown operands give the shown value)
    shown = {"mul": lambda: f"{num(ops[0], k)}·{paren(ops[1], k)}",
             "add": lambda: f"{num(ops[0], k)} + {paren(ops[1], k)}", "tanh": lambda: f"tanh({num(ops[0], k)})",
             "one_minus": lambda: f"1 − {num(ops[0], k)}", "relu": lambda: f"ReLU({num(ops[0], k)})"}[op]()
    return f"{lab(wire)}[{u}] = {concrete(text, d, D, t)} = {shown} = {num(v)}{where}"


def concrete(label: str, d: int, D: int, t: int) -> str:
    """A layout label with the step's numbers: hₜ -> h_3, h{p} -> h_2 (h←_4 on the backward chain)."""
    a, prev = arrow(d, D), t - 1 if d == 0 else t + 1
    out = label.replace("h{p}", f"h{a}_{prev}").replace("c{p}", f"c{a}_{prev}")
    return out.replace("hₜ", f"h{a}_{t}").replace("cₜ", f"c{a}_{t}").replace("ₜ", f"_{t}")


WIRE_LABELS = {"h_prev": "h{p}", "c_prev": "c{p}", "h": "hₜ", "c": "cₜ", "f": "fₜ", "i": "iₜ", "g": "gₜ",
               "o": "oₜ", "r": "rₜ", "z": "zₜ", "n": "nₜ", "fc": "(fₜ⊙c{p})", "ig": "(iₜ⊙gₜ)",
               "tanh_c": "tanh(cₜ)", "hn": "(W_hn h{p} + b_hn)", "r_hn": "(rₜ⊙(W_hn h{p} + b_hn))",
               "one_minus_z": "(1 − zₜ)", "zn": "((1 − zₜ)⊙nₜ)", "zh": "(zₜ⊙h{p})", "wx": "(W_xh xₜ + b_ih)",
               "wh": "(W_hh h{p} + b_hh)", "pre": "pre"}


def wire_sources(cell: str, wire: str) -> tuple[str, ...]:
    """The wires a wire's value was computed from (highlighted while it is hovered)."""
    if wire == "h":
        return H_FORMULAS[cell][1]
    if wire in FORMULAS:
        return FORMULAS[wire][1]
    if wire in GATES.get(cell, {}):
        return ("x", "h_prev") + (("r_hn",) if wire == "n" else ())
    return {"wx": ("x",), "wh": ("h_prev",), "hn": ("h_prev",)}.get(wire, ())
