"""An explain text's arithmetic checks out in the digits it prints. Operands rounded to 3 decimals each need
not give the printed result: a gate's tooltip read "σ(0.109 − 0.063) = σ(0.045)" and "tanh(0.181 + 0.107) =
tanh(0.287)", which a student adding the two numbers on screen finds wrong. Results stay the exact values
(rounded, as every other panel prints them); where 3 decimals do not add up the operands get a 4th (or more):
"σ(0.1086 − 0.0633) = σ(0.045)" (widgets.explain.text.adding_up). Checked for each cell type on every text of
the gates, the heatmap (h and the LSTM's c), the cell view (every wire's value and gradient), the gate
products, the gradient norms, the BPTT terms and the Equations tab, by recomputing each printed expression from
its printed operands; the old rule (3 decimals always) fails all of them; the controls are the pairs that read
wrong. A function's own step counts too: "σ(−0.903) = 0.289" was one unit off (σ(−0.903) = 0.2884)."""
from __future__ import annotations

import math
import re

import pytest

from engine.analysis import bptt_summary, gate_products
from tests.widgets.test_cell_view import setup as cell_setup
from tests.widgets.test_explain_panels import setup
from widgets.cellview.texts import explain_wire
from widgets.explain.readout import explain_bptt, explain_grad_norm, explain_product
from widgets.explain.states import explain_gates, explain_state
from widgets.explain.text import MINUS, adding_up, fixed, num, quotient, rounds_to, through
from widgets.gates.gate_products_panel import factor_text

N = rf"({MINUS}?\d+\.\d+)(?![\de])"  # a number printed in fixed point
P = rf"\(?{N}\)?"  # ... perhaps in parentheses (a negative factor)
CHECKS = [  # (pattern, what the printed operands give)
    (rf"(σ|tanh|ReLU)\({N} ([+{MINUS}]) {N}\) = \1\({N}\)",
     lambda m: (m[1] + (m[3] if m[2] == "+" else -m[3]), m[4])),
    (rf"tanh\({N} \+ {N}·{P}\) = tanh\({N}\)", lambda m: (m[0] + m[1] * m[2], m[3])),
    (rf"= \(1 {MINUS} {N}\)·{P} \+ {N}·{P} = {N}", lambda m: ((1 - m[0]) * m[1] + m[2] * m[3], m[4])),
    (rf"= {N}·{P} \+ {N}·{P} = {N}", lambda m: (m[0] * m[1] + m[2] * m[3], m[4])),
    (rf"= {N}·{P} = {N}(?![·\d])", lambda m: (m[0] * m[1], m[2])),
    (rf"= {N} × {N} = {N}", lambda m: (m[0] * m[1], m[2])),
    (rf"{N} × {N}\n= {N}", lambda m: (m[0] * m[1], m[2])),  # the gate products' numbers beside their rows
    (rf"= {N} \+ {P} = {N}", lambda m: (m[0] + m[1], m[2])),
    (rf"= 1 {MINUS} {N} = {N}", lambda m: (1 - m[0], m[1])),
    (rf"= {N} / {N} = {N}", lambda m: (m[0] / m[1], m[2])),  # a softmax's p_t / p_max over Σ_j p_j / p_max
    (rf"(?<!·)(σ|tanh|ReLU)\({N}\) = {N}(?![·\d])", lambda m: (ACT[m[0]](m[1]), m[2])),  # the function's own step
    (rf"= {N}·tanh\({N}\) = \1·{P}", lambda m: (math.tanh(m[1]), m[2])),  # o·tanh(c) = o·(tanh c)
    (rf"= {N}·tanh\({N}\) = {N}(?![·\d])", lambda m: (m[0] * math.tanh(m[1]), m[2])),  # o·tanh(c) = h
]
ACT = {"σ": lambda v: 1 / (1 + math.exp(-v)), "tanh": math.tanh, "ReLU": lambda v: max(v, 0.0)}


def value(s: str):
    return s if s in ("σ", "tanh", "ReLU", "+", MINUS) else float(s.replace(MINUS, "-"))


def check(text: str) -> int:
    """Every printed expression of ``text`` recomputed from its printed operands prints as its printed result;
    returns how many were checked."""
    checked = 0
    for pattern, compute in CHECKS:
        for groups in re.findall(pattern, text):
            got, shown = compute([value(g) for g in groups])
            decimals = len(groups[-1].split(".")[1])  # (the result, printed last)
            assert rounds_to(got, shown, decimals), f"{got:.6f} is not {num(shown, decimals)} in: {text}"
            checked += 1
    return checked


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_every_printed_expression_gives_its_printed_result(cell):
    model, _, inputs, targets, trace = setup(cell)
    bptt = bptt_summary(model, inputs, targets)
    checked = 0
    for t in range(1, trace.seq_len + 1):
        for u in range(trace.hidden_size):
            checked += check(explain_gates(trace, 0, 0, t, u)) + check(explain_state(trace, 0, 0, t, u))
            if cell == "lstm":
                checked += check(explain_state(trace, 0, 0, t, u, "c"))
        checked += check(explain_grad_norm(trace, t)) + check(explain_bptt(trace, bptt, "weight_hh_l0", "W_hh", t))
    assert checked >= 2 * trace.seq_len * trace.hidden_size, checked


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_every_cell_view_and_product_text_gives_its_printed_result(cell):
    model, _, _, trace, payload = cell_setup(cell, layers=1, bidir=False)
    checked = 0
    for t in range(1, trace.seq_len + 1):
        for u in range(trace.hidden_size):
            for wire in (w for w in payload["values"] if w != "x"):  # (x has the embedding's size)
                for gradient in (False, True):
                    checked += check(explain_wire(trace, payload, 0, 0, t, u, wire, gradient=gradient))
    if cell != "rnn_tanh":
        products = gate_products(model, trace)
        for t in range(1, trace.seq_len + 1):
            for u in range(trace.hidden_size):
                checked += check(explain_product(products, 0, 0, t, u))
                for _name, _title, factors in products["products"]:  # (the numbers the panel paints)
                    checked += check(factor_text(u, *(float(f[2][0, 0, t - 1, u]) for f in factors)))
    assert checked >= trace.seq_len * trace.hidden_size, checked


def test_the_pair_that_read_wrong():
    parts = (0.1086, -0.0633)  # the exact sum, 0.0453, prints 0.045
    old = (num(parts[0]), num(parts[1]), num(sum(parts)))  # the control: 3 decimals always
    assert old == ("0.109", f"{MINUS}0.063", "0.045") and num(0.109 - 0.063) != old[2]  # does not add up
    k = adding_up(parts, sum(parts))
    assert (k, num(parts[0], k), num(parts[1], k)) == (4, "0.1086", f"{MINUS}0.0633")
    assert num(math.fsum(float(num(p, k).replace(MINUS, "-")) for p in parts)) == "0.045"


def test_a_function_of_a_printed_number_gives_its_printed_value():
    x = 0.28749  # tanh(x) = 0.27981 prints 0.280; the control: x at 3 decimals, tanh(0.287) = 0.27935, is 0.279
    assert num(math.tanh(float(num(x)))) != num(math.tanh(x))
    k = through(math.tanh, x, math.tanh(x))
    assert (k, num(x, k)) == (4, "0.2875") and num(math.tanh(0.2875)) == "0.280"
    a, b = 0.54362, 2.87014  # a / b = 0.18941; the control: 0.544 / 2.870 = 0.18955 prints 0.190
    assert num(float(num(a)) / float(num(b))) != num(a / b)
    assert quotient(a, b, a / b) == "0.5436 / 2.8701 = 0.189"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_equations_panels_arithmetic_gives_its_printed_results(qtbot, cell):
    """The Equations tab prints the same sums and products (c_t, h_t, the bidirectional sum, the head's input)."""
    from tests.widgets.test_equations_panel import make, show
    from widgets.gates.equations_panel import EquationsPanel

    panel = EquationsPanel()
    qtbot.addWidget(panel)
    task, _m, _x, trace, config = make("parity", cell=cell, bidirectional=True, seq_len=8)
    checked = 0
    for d in (0, 1):
        for t in range(trace.seq_len):
            for u in range(trace.hidden_size):
                show(panel, task, trace, config, 0, d, t, u)
                checked += check(panel.plain_text())
    assert checked >= 2 * trace.seq_len * trace.hidden_size, checked  # (each view: h_t, and the LSTM's c_t)


def test_panels_that_print_fixed_point_check_their_digits_in_fixed_point():
    """The Equations tab and the gate products print 0.001 where a tooltip prints 6.360e-04: their digits are
    chosen for what they print (``form=fixed``). Controls: a saturated gate's c_t with digits chosen as a tooltip
    prints them, and a bidirectional sum near 0 at 3 places, were one unit off."""
    f, c_prev, i, g = 0.000636, 2.982, 0.348, -0.296  # c_t = f·c + i·g = −0.10111
    c = f * c_prev + i * g

    def c_text(form):
        k = adding_up((f, c_prev, i, g), c, lambda v: v[0] * v[1] + v[2] * v[3], form=form)
        return f"= {fixed(f, k)}·{fixed(c_prev, k)} + {fixed(i, k)}·({fixed(g, k)}) = {fixed(c)}"

    fwd, bwd = 0.4929137, -0.4934571  # the sum, −0.0005434, prints −0.001 (a tooltip: −5.434e-04)

    def sum_text(k):
        return f"= {fixed(fwd, k)} + ({fixed(bwd, k)}) = {fixed(fwd + bwd)}"

    right = sum_text(adding_up((fwd, bwd), fwd + bwd, form=fixed))
    for text in (c_text(fixed), right, factor_text(0, f, c_prev, f * c_prev)):
        assert check(text) == 1, text
    for wrong in (c_text(num), sum_text(3)):  # the controls
        with pytest.raises(AssertionError):
            check(wrong)
    with pytest.raises(AssertionError):  # and check() itself rejects the pair that read wrong
        check("σ(0.109 − 0.063) = σ(0.045)")


def test_a_sum_printed_in_scientific_form_gets_operands_with_its_digits():
    """Two pre-activation parts that nearly cancel: the sum prints as −5.434e−04, and at 3 (or even 6) places the
    operands read "σ(0.493 − 0.493) = σ(−5.434e−04)". They now get the places the sum's last digit asks for.
    Control: the old limit of 6 places, at which no choice adds up."""
    from widgets.explain.states import applied
    from widgets.explain.text import read

    parts = (0.4929137, -0.4934571)
    value = 1 / (1 + math.exp(-sum(parts)))
    text = applied("σ", parts, value)
    m = re.match(rf"σ\({N} {MINUS} {N}\) = σ\(({MINUS}\d\.\d{{3}}e{MINUS}\d+)\) = {N}$", text)
    assert m, text
    a, b, s = float(m[1]), float(m[2]), read(m[3])
    assert rounds_to(a - b, s) and num(a - b) == m[3], text
    assert not any(rounds_to(round(parts[0], k) + round(parts[1], k), s) for k in range(3, 7))  # the control
