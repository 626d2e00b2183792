"""Sussillo & Barak 2013: a tanh RNN trained on the 3-bit flip-flop stores its 2^3 memories as 8
stable fixed points of its zero-input dynamics, with saddle points between them."""
from __future__ import annotations

import itertools

import numpy as np
import torch

from engine.analysis import batch_states, fit_pca, fixed_points, hidden_part
from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, Series
from engine.reproductions.training import train

MEMORIES = ["".join(p) for p in itertools.product("+-", repeat=3)]  # the 8 sign patterns


def pattern(values) -> str:
    return "".join("+" if v > 0 else "-" for v in values)


class FlipFlop(Reproduction):
    name = "flipflop"
    title = "3-bit flip-flop: 8 memories, 8 stable fixed points"
    citation = ("D. Sussillo, O. Barak (2013). Opening the Black Box: Low-Dimensional Dynamics in "
                "High-Dimensional Recurrent Neural Networks. Neural Computation 25(3), 626-649; "
                "section 3.1 and figure 2 (3-bit flip-flop).")
    published = ("under zero input the trained network has 8 stable fixed points, one for each of the 2^3 "
                 "memories, and saddle points between them")
    panels = ("stateSpacePanel", "sequenceStrip", "hiddenHeatmap")
    keep = "tanh RNN"
    minutes = 1.5

    def settings(self, quick: bool = False) -> dict:
        if quick:
            return {"hidden": 32, "seq_len": 64, "steps": 400, "lr": 1e-2, "batch": 32, "starts": 96,
                    "search_seconds": 8.0, "trajectories": 16}
        return {"hidden": 64, "seq_len": 64, "steps": 1200, "lr": 3e-3, "batch": 32, "starts": 256,
                "search_seconds": 60.0, "trajectories": 64}

    def run(self, s: dict, seed: int, ctx) -> dict:
        cfg = LabConfig("flipflop", {"seq_len": s["seq_len"], "pulse_percent": 5},
                        ModelConfig(cell="rnn_tanh", hidden_size=s["hidden"], embedding_dim=16),
                        TrainConfig(lr=s["lr"], batch_size=s["batch"], max_norm=5.0, seed=seed))
        ctx.part(0, 2)
        run = train(ctx, self.keep, cfg, s["steps"], eval_every=max(10, s["steps"] // 30))
        model, task = run["trainer"].model, run["task"]
        ctx.part(1, 2)
        inputs, _ = task.sample_batch(s["trajectories"], torch.Generator().manual_seed(5000 + seed))
        fp = fixed_points(model, None, n_starts=s["starts"], seed=seed, inputs=inputs,
                          budget_s=s["search_seconds"], progress=lambda f, text: ctx.report(f, text))
        states = batch_states(model, inputs)["hidden"][0, 0]  # (B, T, H)
        h = hidden_part(fp)  # (K, H)
        with torch.no_grad():
            readout = model.head(torch.as_tensor(h, dtype=torch.float32)).numpy() if len(h) else np.zeros((0, 3))
        return {"curve_steps": run["steps"], "curve_mse": run["metric"], "final_mse": run["final"],
                "states": states, "points": h, "fixed": fp["fixed"], "stable": fp["stable"], "q": fp["q"],
                "top_abs": fp["top_abs"], "n_unstable": (np.abs(fp["eigenvalues"]) > 1).sum(1),
                "readout": readout, "summary": fp["summary"], "timed_out": fp["timed_out"]}

    @staticmethod
    def _kinds(m: dict):
        stable = m["fixed"] & m["stable"]
        saddle = m["fixed"] & ~m["stable"]
        return stable, saddle

    def verdict(self, m: dict, s: dict) -> Verdict:
        stable, saddle = self._kinds(m)
        decoded = sorted({pattern(r) for r in m["readout"][stable]})
        text = (f"{int(stable.sum())} stable fixed points decoding to {len(decoded)} of the 8 memories, "
                f"{int(saddle.sum())} saddles (task MSE {m['final_mse']:.3f})")
        if stable.sum() == 8 and len(decoded) == 8 and saddle.sum() > 0:
            return Verdict(True, text)
        why = []
        if m["final_mse"] > 0.05:
            why.append(f"the network did not learn the task (MSE {m['final_mse']:.3f} > 0.05)")
        if len(decoded) < 8:
            missing = ", ".join(p for p in MEMORIES if p not in decoded)
            why.append(f"no stable point was found for {missing}")
        if stable.sum() > len(decoded):
            why.append(f"{int(stable.sum()) - len(decoded)} extra stable points repeat a memory")
        if saddle.sum() == 0:
            why.append("the search found no saddle")
        if m["timed_out"]:
            why.append("the search stopped at its time budget")
        return Verdict(False, text, "; ".join(why) or "see the table")

    def table(self, m: dict):
        stable, saddle = self._kinds(m)
        rows = []
        for i in range(len(m["q"])):
            kind = "stable" if stable[i] else "saddle" if saddle[i] else "slow point"
            y = m["readout"][i]
            rows.append([i, kind, float(m["q"][i]), float(m["top_abs"][i]), int(m["n_unstable"][i]),
                         float(y[0]), float(y[1]), float(y[2]), pattern(y)])
        return ["point", "kind", "q", "top_abs_eigenvalue", "unstable_directions", "readout_1", "readout_2",
                "readout_3", "memory"], rows

    def figure(self, m: dict, s: dict) -> Figure:
        states = m["states"]
        pca = fit_pca(states.reshape(-1, states.shape[-1]), 3)
        traj = pca.project(states.reshape(-1, states.shape[-1])).reshape(states.shape[0], states.shape[1], -1)
        pts = pca.project(m["points"]) if len(m["points"]) else np.zeros((0, 3))
        stable, saddle = self._kinds(m)
        labels = tuple(pattern(r) for r in m["readout"][stable])
        plots = []
        for a, b in ((0, 1), (0, 2)):
            series = [Series("trajectories" if i == 0 else "", traj[i, :, a], traj[i, :, b], faint=True)
                      for i in range(min(len(traj), 24))]
            series.append(Series("stable fixed point", pts[stable, a], pts[stable, b], kind="scatter", color=2,
                                 size=11, labels=labels))
            series.append(Series("saddle", pts[saddle, a], pts[saddle, b], kind="scatter", color=1, symbol="o",
                                 filled=False, size=9))
            plots.append(Plot(f"PC{a + 1} vs PC{b + 1}: filled stable, open saddle", f"PC{a + 1}", f"PC{b + 1}",
                              tuple(series), equal_aspect=True, legend="none"))
        return Figure("3-bit flip-flop: fixed points of the zero-input dynamics", tuple(plots),
                      "Hidden-state trajectories (thin lines) and the fixed points under zero input, in the "
                      "top principal components of the states (Sussillo & Barak's figure 2 is the same view "
                      "in 3-D). Filled: stable fixed points, labelled with the memory the readout decodes "
                      "there; open: saddles.")

    def differences(self, s: dict) -> str:
        return (f"- {s['hidden']} tanh units instead of 1000, trained by Adam (learning rate {s['lr']:g}, "
                f"{s['steps']} steps of batch {s['batch']}) instead of Hessian-free optimisation.\n"
                f"- Pulses occur with probability 5% per step and channel; every channel pulses at t = 1.\n"
                f"- Fixed points: {s['starts']} starts from states on {s['trajectories']} trajectories (with "
                "noise), Adam then Gauss-Newton on q(h) = 1/2 |F(h, 0) - h|^2 (the app's fixed-point search), "
                f"at most {s['search_seconds']:g} s; a point is fixed when q < 1e-12 and stable when every "
                "eigenvalue of dF/dh has |lambda| < 1.")
