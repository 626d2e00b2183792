"""Where the cell view draws each cell: the deck's gating diagrams as nodes and wires (scene units).

Inputs enter on the left (h_{t−1}, c_{t−1} at the top, x_t at the bottom), outputs leave on the right
(h_t, c_t); every gate is a node (σ, tanh, ⊙, +, 1−). A wire is named by its key in the engine's
``cell_wires`` payload (``engine.analysis.cell_step.WIRES``); it is a polyline, a strip of unit colours
at ``at`` and a stage: the forward pulse lights stage 0, 1, 2... in turn (BPTT runs them backwards).
Labels are the deck's symbols; ``{p}`` is the previous step (t−1, or t+1 on the backward chain).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    key: str
    kind: str  # "in", "out", "sigma", "tanh", "relu", "mul", "add", "one_minus", "linear"
    label: str
    x: float
    y: float
    tip: str = ""


@dataclass(frozen=True)
class Wire:
    name: str  # payload key
    label: str  # the deck's symbol ({p}: the previous step's subscript)
    points: tuple  # ((x, y), ...) from source to destination
    at: tuple  # (x, y) centre of the unit strip
    stage: int
    kind: str  # colour scale: "gate" (0, 1), "state" (−1, 1), "pre" (−2, 2)


@dataclass(frozen=True)
class Layout:
    cell: str
    nodes: tuple
    wires: tuple
    width: float = 1000.0
    height: float = 560.0
    # extra lines with no strip, (points, arrowhead): taps of a bus, the same vector drawn again
    taps: tuple = ()

    @property
    def stages(self) -> int:
        return 1 + max(w.stage for w in self.wires)

    def wire(self, name: str) -> Wire:
        return next(w for w in self.wires if w.name == name)


def _simple(cell: str) -> Layout:
    phi = "tanh" if cell == "rnn_tanh" else "relu"
    nodes = (Node("h_prev", "in", "h{p}", 40, 80), Node("x", "in", "xₜ", 40, 400),
             Node("W_hh", "linear", "W_hh", 300, 80, "W_hh h_{t−1} + b_hh"),
             Node("W_xh", "linear", "W_xh", 300, 400, "W_xh x_t + b_ih"),
             Node("add", "add", "+", 560, 240), Node("phi", phi, "tanh" if phi == "tanh" else "ReLU", 740, 240),
             Node("h", "out", "hₜ", 960, 240))
    wires = (Wire("h_prev", "h{p}", ((40, 80), (262, 80)), (150, 80), 0, "state"),
             Wire("x", "xₜ", ((40, 400), (262, 400)), (150, 400), 0, "state"),
             Wire("wh", "W_hh h{p}+b_hh", ((338, 80), (560, 80), (560, 226)), (445, 80), 1, "pre"),
             Wire("wx", "W_xh xₜ+b_ih", ((338, 400), (560, 400), (560, 254)), (445, 400), 1, "pre"),
             Wire("pre", "pre-activation", ((574, 240), (718, 240)), (645, 240), 2, "pre"),
             Wire("h", "hₜ", ((762, 240), (960, 240)), (865, 240), 3, "state"))
    return Layout(cell, nodes, wires)


def _gru() -> Layout:
    nodes = (Node("h_prev", "in", "h{p}", 40, 60), Node("x", "in", "xₜ", 40, 520),
             Node("sig_r", "sigma", "σ", 240, 420, "r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr): reset gate"),
             Node("sig_z", "sigma", "σ", 660, 420, "z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz): update gate"),
             Node("W_hn", "linear", "W_hn", 240, 120, "W_hn h_{t−1} + b_hn"),
             Node("mul_r", "mul", "⊙", 240, 250), Node("tanh_n", "tanh", "tanh", 520, 250,
                                                        "n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))"),
             Node("one_minus", "one_minus", "1−", 760, 330), Node("mul_zn", "mul", "⊙", 760, 250),
             Node("mul_zh", "mul", "⊙", 660, 60), Node("add", "add", "+", 760, 60),
             Node("h", "out", "hₜ", 960, 60))
    wires = (Wire("h_prev", "h{p}", ((40, 60), (646, 60)), (140, 60), 0, "state"),
             Wire("x", "xₜ", ((40, 520), (660, 520)), (140, 520), 0, "state"),
             Wire("r", "rₜ", ((240, 402), (240, 264)), (240, 340), 1, "gate"),
             Wire("z", "zₜ", ((660, 402), (660, 74)), (660, 360), 1, "gate"),
             Wire("hn", "W_hn h{p}+b_hn", ((240, 134), (240, 236)), (240, 190), 1, "pre"),
             Wire("r_hn", "rₜ ⊙ (…)", ((254, 250), (496, 250)), (375, 250), 2, "pre"),
             Wire("one_minus_z", "1 − zₜ", ((760, 316), (760, 264)), (820, 292), 2, "gate"),
             Wire("zh", "zₜ ⊙ h{p}", ((674, 60), (746, 60)), (710, 30), 2, "state"),
             Wire("n", "nₜ", ((544, 250), (746, 250)), (625, 250), 3, "state"),
             Wire("zn", "(1 − zₜ) ⊙ nₜ", ((760, 236), (760, 74)), (820, 160), 4, "state"),
             Wire("h", "hₜ", ((774, 60), (960, 60)), (875, 60), 5, "state"))
    taps = (((90, 60), (90, 480), (660, 480), (660, 438)), ((240, 480), (240, 438)),  # h_{t−1} to r, z
            ((240, 60), (240, 106)),  # h_{t−1} to W_hn
            ((660, 330), (744, 330)),  # z to 1−
            ((240, 520), (240, 438)), ((520, 520), (520, 266)), ((660, 520), (660, 438)))  # x to r, n, z
    taps = tuple((pts, True) for pts in taps)
    return Layout("gru", nodes, wires, taps=taps)


def _lstm() -> Layout:
    nodes = (Node("c_prev", "in", "c{p}", 40, 60), Node("h_prev", "in", "h{p}", 40, 470),
             Node("x", "in", "xₜ", 40, 530),
             Node("sig_f", "sigma", "σ", 240, 370, "f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf): forget gate"),
             Node("sig_i", "sigma", "σ", 360, 370, "i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi): input gate"),
             Node("tanh_g", "tanh", "tanh", 480, 370, "g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg): candidate"),
             Node("sig_o", "sigma", "σ", 640, 370, "o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho): output gate"),
             Node("mul_f", "mul", "⊙", 240, 60), Node("mul_i", "mul", "⊙", 480, 230),
             Node("add", "add", "+", 480, 60), Node("tanh_c", "tanh", "tanh", 780, 200),
             Node("mul_o", "mul", "⊙", 780, 370), Node("c", "out", "cₜ", 960, 60), Node("h", "out", "hₜ", 960, 370))
    wires = (Wire("c_prev", "c{p}", ((40, 60), (226, 60)), (130, 60), 0, "pre"),
             Wire("h_prev", "h{p}", ((40, 470), (180, 470)), (110, 470), 0, "state"),
             Wire("x", "xₜ", ((40, 530), (180, 530)), (110, 530), 0, "state"),
             Wire("f", "fₜ", ((240, 352), (240, 74)), (240, 250), 1, "gate"),
             Wire("i", "iₜ", ((360, 352), (360, 230), (466, 230)), (360, 295), 1, "gate"),
             Wire("g", "gₜ", ((480, 352), (480, 244)), (480, 295), 1, "state"),
             Wire("o", "oₜ", ((640, 352), (640, 250), (720, 250), (720, 370), (764, 370)), (640, 300), 1, "gate"),
             Wire("fc", "fₜ ⊙ c{p}", ((254, 60), (466, 60)), (360, 60), 2, "pre"),
             Wire("ig", "iₜ ⊙ gₜ", ((480, 216), (480, 74)), (480, 150), 2, "state"),
             Wire("c", "cₜ", ((494, 60), (960, 60)), (640, 60), 3, "pre"),
             Wire("tanh_c", "tanh cₜ", ((780, 222), (780, 356)), (780, 290), 4, "state"),
             Wire("h", "hₜ", ((794, 370), (960, 370)), (880, 370), 5, "state"))
    taps = ((((180, 470), (180, 500), (640, 500), (640, 388)), True),  # the [h_{t−1}; x_t] bus
            (((180, 530), (180, 500)), False),
            (((240, 500), (240, 388)), True), (((360, 500), (360, 388)), True), (((480, 500), (480, 388)), True),
            (((780, 60), (780, 186)), True))  # c_t to tanh
    return Layout("lstm", nodes, wires, taps=taps)


def squeezed(lay: Layout, k: float = 0.78) -> Layout:
    """The same diagram narrower by ``k`` (x only): docks are narrow, strips keep their size."""
    def x(v):
        return 40 + (v - 40) * k

    def px(a, b):  # a wire's end at a node keeps its distance from the node (arrowheads on its edge)
        near = [n.x for n in lay.nodes if abs(n.y - b) <= 45 and abs(n.x - a) <= 50 and n.kind not in ("in", "out")]
        return x(a) if not near else x(min(near, key=lambda v: abs(v - a))) + (a - min(near, key=lambda v: abs(v - a)))

    def pts(points):
        return tuple((px(a, b), b) for a, b in points)

    nodes = tuple(Node(n.key, n.kind, n.label, x(n.x), n.y, n.tip) for n in lay.nodes)
    wires = tuple(Wire(w.name, w.label, pts(w.points), (x(w.at[0]), w.at[1]), w.stage, w.kind) for w in lay.wires)
    taps = tuple((pts(p), head) for p, head in lay.taps)
    return Layout(lay.cell, nodes, wires, x(lay.width), lay.height, taps)


LAYOUTS = {cell: squeezed(lay) for cell, lay in (("rnn_tanh", _simple("rnn_tanh")), ("rnn_relu", _simple("rnn_relu")),
                                                  ("gru", _gru()), ("lstm", _lstm()))}


def layout(cell: str) -> Layout:
    return LAYOUTS[cell]
