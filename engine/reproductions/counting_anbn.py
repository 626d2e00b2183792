"""Weiss, Goldberg & Yahav 2018: an LSTM learns to count (a^n b^n) and generalises to n beyond its
training range; a GRU does not. The deck's "LSTMs are more flexible".

Both cells are trained as next-symbol predictors on ^ a^n b^n $ with n drawn from 1..``train_max``.
Once the first b is read, the rest is determined: after the k-th b the next symbol is b for k < n and
$ at k = n. A model *recognises* a^n b^n for a given n when all those n predictions are right. The
measure is the largest n up to which every n is recognised, tested far beyond the training range,
and how well one LSTM memory unit tracks the count (#a - #b) read so far (Pearson r on n = 2 x
train_max, the strongest unit; for the GRU its hidden units, which are its only state).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series

A, B, END, START = 0, 1, 2, 3  # a, b, $ (end), ^ (start, input only)
MODELS = (("LSTM", "lstm", 1), ("GRU", "gru", 0))


def batch(ns) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs ^ a^n b^n (padded with $) and next-symbol targets (-100 where there is nothing to predict)."""
    L = 2 * max(ns) + 1
    x = torch.full((len(ns), L), END)
    y = torch.full((len(ns), L), -100)
    for i, n in enumerate(ns):
        x[i, :2 * n + 1] = torch.tensor([START] + [A] * n + [B] * n)
        y[i, :2 * n + 1] = torch.tensor([A] * n + [B] * n + [END])
    return x, y


class Counter(nn.Module):
    def __init__(self, cell: str, hidden: int):
        super().__init__()
        self.embed = nn.Embedding(4, 4)
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(4, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 3)

    def forward(self, x):
        return self.out(self.rnn(self.embed(x))[0])  # (B, L, 3)


@torch.no_grad()
def recognised(model, n: int) -> tuple[bool, float]:
    """(all n determined predictions right, the fraction right) for a^n b^n."""
    x, _ = batch([n])
    p = model(x)[0].argmax(-1)[n + 1:2 * n + 1]  # after the 1st .. n-th b
    want = torch.tensor([B] * (n - 1) + [END])
    right = (p == want).float()
    return bool(right.all()), float(right.mean())


@torch.no_grad()
def counter_r(model, cell: str, n: int) -> float:
    """max over units |Pearson r| between the state (LSTM: c_t) and #a - #b read so far, on a^n b^n."""
    x, _ = batch([n])
    out, state = model.rnn(model.embed(x))
    if cell == "lstm":  # the memory cell c_t at every step: run step by step to collect it
        h = c = torch.zeros(1, 1, model.rnn.hidden_size)
        cs = []
        for t in range(x.shape[1]):
            _, (h, c) = model.rnn(model.embed(x[:, t:t + 1]), (h, c))
            cs.append(c[0, 0])
        states = torch.stack(cs).numpy()
    else:
        states = out[0].numpy()
    count = np.cumsum([0] + [1] * n + [-1] * n)  # after ^, each a, each b
    best = 0.0
    for u in range(states.shape[1]):
        s = states[:, u]
        if s.std() > 1e-9:
            best = max(best, abs(float(np.corrcoef(s, count)[0, 1])))
    return best


class CountingAnbn(Reproduction):
    name = "counting_anbn"
    title = "Counting a^n b^n: the LSTM generalises beyond the training n, the GRU does not"
    citation = ("G. Weiss, Y. Goldberg, E. Yahav (2018). On the Practical Computational Power of Finite Precision "
                "RNNs for Language Recognition. ACL 2018, arXiv:1805.04908; section 5, figure 1 (a^n b^n).")
    published = ("trained on a^n b^n with n <= 100, the LSTM recognises it up to n of about 256 and beyond, "
                 "its memory cells counting; the GRU fails soon after the training range (about n = 40)")
    panels = ()
    keep = ""  # a plain next-symbol model: nothing for the window to keep
    minutes = 3.5

    def settings(self, quick: bool = False) -> dict:
        return {"train_max": 20, "test_max": 100, "hidden": 8, "steps": 1200 if quick else 2000, "batch": 32,
                "lr": 1e-2}

    def run(self, s: dict, seed: int, ctx) -> dict:
        out = {}
        for i, (label, cell, _colour) in enumerate(MODELS):
            ctx.part(i, len(MODELS))
            torch.manual_seed(seed)
            model = Counter(cell, s["hidden"])
            opt = torch.optim.Adam(model.parameters(), lr=s["lr"])
            g = torch.Generator().manual_seed(seed)
            for step in range(1, s["steps"] + 1):
                ns = torch.randint(1, s["train_max"] + 1, (s["batch"],), generator=g).tolist()
                x, y = batch(ns)
                loss = nn.functional.cross_entropy(model(x).reshape(-1, 3), y.reshape(-1), ignore_index=-100)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                if step % 100 == 0:
                    ctx.report(0.9 * step / s["steps"],
                               f"{label}: step {step} of {s['steps']}, loss {float(loss.detach()):.4f}")
            model.eval()
            ns = np.arange(1, s["test_max"] + 1)
            results = [recognised(model, int(n)) for n in ns]
            ok = np.array([r[0] for r in results])
            upto = int(np.argmin(ok)) if not ok.all() else int(ns[-1])  # every n = 1..upto recognised
            out[label] = {"n": ns, "recognised": ok.astype(np.float64),
                          "fraction": np.array([r[1] for r in results]), "up_to": upto,
                          "counter_r": counter_r(model, cell, 2 * s["train_max"])}
            ctx.report(1.0, f"{label}: recognises every n up to {upto}")
        return {"models": out}

    def verdict(self, m: dict, s: dict) -> Verdict:
        lstm, gru = m["models"]["LSTM"], m["models"]["GRU"]
        N = s["train_max"]
        text = (f"trained on n <= {N}: the LSTM recognises every n up to {lstm['up_to']}, the GRU up to "
                f"{gru['up_to']} (tested to {s['test_max']}); the best unit's |r| with #a - #b at n = {2 * N}: "
                f"LSTM memory cell {lstm['counter_r']:.3f}, GRU state {gru['counter_r']:.3f}")
        why = []
        if lstm["up_to"] <= N:
            why.append(f"the LSTM did not generalise beyond n = {N}")
        if lstm["up_to"] <= gru["up_to"]:
            why.append("the GRU reached as far as the LSTM")
        return Verdict(not why, text, "; ".join(why) or
                       "at this scale (8 units, n <= 20, 2,000 steps) both ranges are shorter than the paper's")

    def table(self, m: dict):
        rows = []
        for label, r in m["models"].items():
            rows += [[label, int(n), bool(ok), float(f)] for n, ok, f in
                     zip(r["n"], r["recognised"], r["fraction"], strict=True)]
        return ["model", "n", "recognised", "fraction_of_determined_predictions_right"], rows

    def figure(self, m: dict, s: dict) -> Figure:
        series = tuple(Series(f"{label} (every n up to {m['models'][label]['up_to']})", m["models"][label]["n"],
                              m["models"][label]["fraction"], color=colour) for label, _, colour in MODELS)
        plot = Plot(f"a^n b^n, trained on n <= {s['train_max']}", "n", "determined predictions right", series,
                    (RefLine(1.0, "all right: recognised"),), y_range=(0.0, 1.05), legend="bottom-left")
        return Figure("Counting: LSTM vs GRU beyond the training range", (plot,),
                      f"For each n, the share of the n determined predictions (b ... b $ after the first b) the "
                      f"model gets right; 1 means a^n b^n is recognised. Training used n = 1..{s['train_max']} "
                      "only: everything to the right of it is generalisation.")

    def differences(self, s: dict) -> str:
        return (f"- Trained on n <= {s['train_max']} (the paper: n <= 100), tested to n = {s['test_max']} (the "
                f"paper: to 1,000); {s['hidden']} units (the paper: 10), Adam {s['lr']:g}, batch {s['batch']}, "
                f"{s['steps']} steps.\n- Recognition is judged by greedy next-symbol predictions at the "
                "determined positions, as in the paper; the counting unit is found by correlation, not by eye.")
