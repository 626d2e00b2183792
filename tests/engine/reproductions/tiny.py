"""A tiny reproduction for the framework's tests: one module, one registry entry (monkeypatched in),
trains the flip-flop for a few steps. Its verdict is "reproduced" when the held-out MSE fell."""
from __future__ import annotations

import numpy as np

from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series
from engine.reproductions.training import train


class Tiny(Reproduction):
    name = "tiny"
    title = "Tiny: the flip-flop MSE falls"
    citation = "Nobody (2026). A test."
    published = "the MSE falls"
    panels = ("curvesPanel",)
    keep = "rnn"
    minutes = 0.1

    def settings(self, quick=False):
        return {"steps": 20 if quick else 400}

    def run(self, s, seed, ctx):
        cfg = LabConfig("flipflop", {"seq_len": 16}, ModelConfig(cell="rnn_tanh", hidden_size=8, embedding_dim=4),
                        TrainConfig(lr=1e-2, batch_size=8, seed=seed))
        run = train(ctx, self.keep, cfg, s["steps"], eval_every=5, eval_size=32)
        return {"steps": run["steps"], "mse": run["metric"], "final": run["final"]}

    def verdict(self, m, s):
        fell = m["final"] < m["mse"][0]
        return Verdict(fell, f"MSE {m['mse'][0]:.3f} -> {m['final']:.3f}", "" if fell else "it did not fall")

    def table(self, m):
        return ["step", "mse"], [[int(a), float(b)] for a, b in zip(m["steps"], m["mse"], strict=True)]

    def figure(self, m, s):
        return Figure("Tiny", (Plot("MSE", "step", "MSE", (Series("rnn", m["steps"], m["mse"]),),
                                    (RefLine(1.0, "baseline"),)),), "A caption.")

    def differences(self, s):
        return "- everything"


def install(monkeypatch) -> None:
    from engine.reproductions import registry

    monkeypatch.setitem(registry.RESULTS, Tiny.name, Tiny)


__all__ = ["Tiny", "install", "np"]
