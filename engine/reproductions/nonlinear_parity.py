"""The deck's "f and g are non-linear activation functions", shown: with g the identity, the recurrence
h_t = W_hh h_{t-1} + W_xh x_t + b collapses to one matrix power per position,

    h_T = sum_t W_hh^(T-t) (W_xh x_t + b)        (h_0 = 0),

so the output is an affine function of the inputs, and parity (XOR of the bits) is not linearly
separable (Minsky & Papert 1969): the linear RNN cannot learn it, whatever its weights; the same
network with g = tanh can. The linear side is the app's own model with its encoder's activation
removed (``IdentityRNN``: the same parameters as ``nn.RNN``); the collapse is checked on the trained
linear model by computing every logit from the matrix powers alone.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series
from engine.reproductions.training import eval_column, eval_name, overlap_text, train

SOLVED = 0.99  # accuracy on every string that counts as learned
FAILS = 0.75  # a linear model stays below this (an affine threshold of the bits)
EVAL_SIZE = 512  # strings in the evaluation batch of the curves
EVAL_KEYS = ("eval_size", "eval_seen", "eval_distinct_seen")  # what train() measured of it
MODELS = (("g = tanh", False, 1), ("g = identity (linear)", True, 0))


class IdentityRNN(nn.RNN):
    """``nn.RNN``'s parameters with no activation: h_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh."""

    def forward(self, x, hx=None):  # x (B, T, E), batch_first, one layer, one direction
        w_ih, w_hh, b_ih, b_hh = self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0, self.bias_hh_l0
        h = x.new_zeros(x.shape[0], self.hidden_size) if hx is None else hx[0]
        xp = x @ w_ih.t() + b_ih + b_hh  # (B, T, H)
        out = []
        for t in range(x.shape[1]):
            h = xp[:, t] + h @ w_hh.t()  # (B, H)
            out.append(h)
        out = torch.stack(out, 1)  # (B, T, H)
        return out, h.unsqueeze(0)


def linearise(model) -> None:
    """Take the activation out of a one-layer, one-direction simple RNN model (in place)."""
    cfg = model.config
    if cfg.cell != "rnn_tanh" or cfg.num_layers != 1 or cfg.bidirectional or cfg.h0 != "zero":
        raise ValueError("linearise takes a one-layer, one-direction tanh RNN starting from h_0 = 0")
    model.encoder.__class__ = IdentityRNN


@torch.no_grad()
def collapsed_logits(model, inputs: torch.Tensor) -> np.ndarray:
    """The linear model's logits from the matrix powers alone (float64): y = W_hy h_T + b_y with
    h_T = sum_t W_hh^(T-t) (W_xh e(x_t) + b), e the embedding. (B, C)."""
    enc = model.encoder
    w = enc.weight_hh_l0.double().numpy()
    u = (model.embed(inputs).double() @ enc.weight_ih_l0.double().t()
         + (enc.bias_ih_l0 + enc.bias_hh_l0).double()).numpy()  # (B, T, H): W_xh x_t + b
    T = u.shape[1]
    powers = [np.linalg.matrix_power(w, T - 1 - t) for t in range(T)]  # W_hh^(T-t), t counted from 1
    h = sum(u[:, t] @ powers[t].T for t in range(T))  # (B, H)
    return h @ model.head.weight.double().numpy().T + model.head.bias.double().numpy()


def all_inputs(T: int) -> torch.Tensor:
    """Every bit string of length T, (2^T, T)."""
    return torch.tensor([[(i >> (T - 1 - k)) & 1 for k in range(T)] for i in range(2 ** T)])


class NonlinearParity(Reproduction):
    name = "nonlinear_parity"
    title = "f and g must be non-linear: a linear RNN cannot learn parity, tanh can"
    citation = ("M. Minsky, S. Papert (1969). Perceptrons. MIT Press: parity (XOR) is not linearly separable. "
                "The deck's Simple RNN slide: 'f and g are non-linear activation functions'.")
    published = ("with an identity activation the recurrence collapses to one matrix power per position, the "
                 "output is an affine function of the inputs, and parity is out of its reach; a tanh RNN learns it")
    panels = ("curvesPanel", "hiddenHeatmap", "unrolledView")
    keep = "g = tanh"
    minutes = 0.5

    def settings(self, quick: bool = False) -> dict:
        return {"seq_len": 5, "hidden": 16, "steps": 400 if quick else 1000, "batch": 64, "lr": 3e-2}

    def run(self, s: dict, seed: int, ctx) -> dict:
        curves, collapse = {}, None
        for i, (label, linear, _colour) in enumerate(MODELS):
            ctx.part(i, len(MODELS))
            cfg = LabConfig("parity", {"seq_len": s["seq_len"]},
                            ModelConfig(cell="rnn_tanh", hidden_size=s["hidden"], embedding_dim=8),
                            TrainConfig(lr=s["lr"], batch_size=s["batch"], seed=seed))
            run = train(ctx, label, cfg, s["steps"], eval_every=25, eval_size=EVAL_SIZE,
                        prepare=linearise if linear else None, stop=None if linear else (lambda a: a >= 0.995))
            model = run["trainer"].model
            x = all_inputs(s["seq_len"])
            with torch.no_grad():
                every = float((model(x).argmax(-1) == x.sum(1) % 2).float().mean())
            curves[label] = {"steps": run["steps"], "accuracy": run["metric"], "final": run["final"],
                             "all_inputs": every, **{k: run[k] for k in EVAL_KEYS}}
            if linear:
                with torch.no_grad():
                    direct = model(x).double().numpy()
                collapse = float(np.abs(collapsed_logits(model, x) - direct).max())
                ctx.trainers.pop(label, None)  # the window cannot show this model: keep only the tanh one
        return {"curves": curves, "collapse_error": collapse}

    def verdict(self, m: dict, s: dict) -> Verdict:
        tanh, lin = m["curves"]["g = tanh"], m["curves"]["g = identity (linear)"]
        text = (f"parity of {s['seq_len']} bits, all {2 ** s['seq_len']} strings: tanh RNN {tanh['all_inputs']:.1%}, "
                f"linear RNN {lin['all_inputs']:.1%} after {int(lin['steps'][-1])} steps; the linear model's "
                f"logits equal the matrix-power formula to {m['collapse_error']:.1e}")
        why = []
        if tanh["all_inputs"] < SOLVED:
            why.append(f"the tanh RNN did not reach {SOLVED:.0%} in {s['steps']} steps")
        if lin["all_inputs"] >= FAILS:
            why.append(f"the linear RNN reached {lin['all_inputs']:.0%}")
        if not m["collapse_error"] < 1e-3:
            why.append("the linear model's logits do not follow the matrix powers")
        return Verdict(not why, text, "; ".join(why))

    def table(self, m: dict):
        rows = []
        for label, c in m["curves"].items():
            rows += [[label, int(st), float(a)] for st, a in zip(c["steps"], c["accuracy"], strict=True)]
        return ["model", "step", eval_column("accuracy", m["curves"].values())], rows

    def figure(self, m: dict, s: dict) -> Figure:
        series = tuple(Series(label, m["curves"][label]["steps"], m["curves"][label]["accuracy"], color=colour)
                       for label, _, colour in MODELS)
        name = eval_name("accuracy", m["curves"].values())
        plot = Plot(f"Parity of {s['seq_len']} bits", "training step", name, series,
                    (RefLine(0.5, "chance"),), y_range=(0.0, 1.02), legend="bottom-right")
        return Figure("f and g must be non-linear", (plot,),
                      f"The {name} while training the same network with g = tanh and with g = identity (tanh: "
                      f"{overlap_text(m['curves']['g = tanh'], 'strings')}; there are {2 ** s['seq_len']}). "
                      "The linear one's output is an affine function of the inputs (its logits equal "
                      "sum_t W_hh^(T-t)(W_xh x_t + b) through W_hy), and parity is not linearly separable.")

    def differences(self, s: dict) -> str:
        return (f"- Parity of {s['seq_len']} bits (short: a tanh RNN trained by gradient descent finds longer parity "
                f"hard, which is another lesson); {s['hidden']} units, embedding 8, Adam {s['lr']:g}, batch "
                f"{s['batch']}, at most {s['steps']} steps (the tanh RNN stops once 99.5% of its {EVAL_SIZE} "
                f"evaluation strings are right; {s['seq_len']} bits make {2 ** s['seq_len']} strings, so "
                "training draws them too).\n- The linear RNN is nn.RNN's parameters with the activation removed; "
                "its output layer g stays the softmax the app's acceptor uses, so the claim is about the recurrence f.")
