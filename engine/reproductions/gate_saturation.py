"""Karpathy, Johnson & Fei-Fei 2015, figure 4: how often each gate of a character-level LSTM is
left-saturated (< 0.1) or right-saturated (> 0.9), unit by unit and layer by layer."""
from __future__ import annotations

import numpy as np

from engine.analysis import batch_states, unit_saturation
from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, Series
from engine.reproductions.training import train

GATES = ("forget", "input", "output")
ALWAYS = 0.9  # a forget gate right-saturated this often keeps its cell (an "integrator")
MARGIN = 0.05  # "much less saturated": the first layer's gates at least 5 points less often than every other layer's


class GateSaturation(Reproduction):
    name = "gate_saturation"
    title = "Gate saturation of a character-level LSTM"
    citation = ("A. Karpathy, J. Johnson, L. Fei-Fei (2015). Visualizing and Understanding Recurrent Networks. "
                "arXiv:1506.02078 (ICLR 2016 workshop); section 4.2 and figure 4 (gate activation statistics).")
    published = ("some forget gates are right-saturated (> 0.9) nearly all the time, cells that remember over long "
                 "spans, and the gates of the first layer are much less often saturated than those of higher "
                 "layers (scatter plots; the paper gives no fractions)")
    panels = ("gateSaturationPanel", "gateStatsPanel", "gatesPanel")
    keep = "LSTM"
    minutes = 2.5

    def settings(self, quick: bool = False) -> dict:
        if quick:
            return {"layers": 2, "hidden": 48, "steps": 400, "seq_len": 64, "batch": 32, "lr": 5e-3,
                    "eval_windows": 16, "eval_len": 100}
        return {"layers": 2, "hidden": 64, "steps": 1500, "seq_len": 64, "batch": 32, "lr": 3e-3,
                "eval_windows": 22, "eval_len": 100}

    def run(self, s: dict, seed: int, ctx) -> dict:
        cfg = LabConfig("charlm", {"seq_len": s["seq_len"]},
                        ModelConfig(cell="lstm", hidden_size=s["hidden"], num_layers=s["layers"], embedding_dim=32),
                        TrainConfig(lr=s["lr"], batch_size=s["batch"], max_norm=5.0, seed=seed))
        run = train(ctx, self.keep, cfg, s["steps"], eval_every=max(10, s["steps"] // 25), eval_size=64)
        model, task = run["trainer"].model, run["task"]
        held = task.heldout  # the end of the text, never trained on (the paper: validation data)
        T = s["eval_len"]
        n = min(s["eval_windows"], len(held) // T)  # the held-out text is about 2,200 characters
        inputs = held[: n * T].reshape(n, T)  # (n, T)
        gates = unit_saturation(batch_states(model, inputs)["gates"])  # {gate: {"left"/"right": (L, 1, H)}}
        return {"curve_steps": run["steps"], "curve_bits": run["metric"], "bits": run["final"], "windows": n,
                "heldout_bits": task.heldout_bits(model), "baseline_bits": task.baseline,
                "left": {g: gates[g]["left"][:, 0] for g in GATES},  # (L, H)
                "right": {g: gates[g]["right"][:, 0] for g in GATES}}

    @staticmethod
    def layer_saturation(m: dict) -> np.ndarray:
        """(L,) mean fraction of time a gate (forget, input, output) of the layer is saturated either way."""
        return np.mean([m["left"][g] + m["right"][g] for g in GATES], axis=(0, 2))

    def verdict(self, m: dict, s: dict) -> Verdict:
        per_layer = self.layer_saturation(m)
        keepers = int((m["right"]["forget"] > ALWAYS).sum())
        text = (f"{keepers} forget gates right-saturated > {ALWAYS:.0%} of the time; gates saturated "
                + ", ".join(f"{v:.0%} of the time in layer {i + 1}" for i, v in enumerate(per_layer))
                + f" (held-out {m['heldout_bits']:.2f} bits/char, unigram {m['baseline_bits']:.2f})")
        why = []
        if keepers == 0:
            why.append(f"no forget gate is right-saturated over {ALWAYS:.0%} of the time after {s['steps']} steps "
                       "(the paper trains for days on 3M characters)")
        if len(per_layer) > 1 and not per_layer[0] < per_layer[1:].min() - MARGIN:
            why.append(f"the first layer's gates are not clearly less saturated (by {MARGIN:.0%} or more) than "
                       "the second layer's")
        if m["heldout_bits"] >= m["baseline_bits"]:
            why.append("the model does not beat letter frequencies on held-out text (it overfitted the small corpus)")
        return Verdict(not why, text, "; ".join(why))

    def table(self, m: dict):
        rows = []
        for g in GATES:
            L, H = m["left"][g].shape
            rows += [[g, layer + 1, u, float(m["left"][g][layer, u]), float(m["right"][g][layer, u])]
                     for layer in range(L) for u in range(H)]
        return ["gate", "layer", "unit", "fraction_left_saturated", "fraction_right_saturated"], rows

    def figure(self, m: dict, s: dict) -> Figure:
        plots = []
        for g in GATES:
            L = m["left"][g].shape[0]
            series = tuple(Series(f"layer {layer + 1}", m["left"][g][layer], m["right"][g][layer], kind="scatter",
                                  color=[0, 1, 2, 4][layer % 4], size=7) for layer in range(L))
            plots.append(Plot(f"{g} gate", "fraction left-saturated (< 0.1)", "fraction right-saturated (> 0.9)",
                              series, x_range=(0.0, 1.0), y_range=(0.0, 1.0), legend="top-right"))
        return Figure("Gate saturation of a character-level LSTM", tuple(plots),
                      "Each dot is one gate unit: how often (over held-out text) its value is below 0.1 (x) or "
                      "above 0.9 (y), coloured by layer, as in Karpathy et al.'s figure 4. A forget gate near "
                      "the top-left corner keeps its cell almost always; dots near (0, 0) are rarely saturated.")

    def differences(self, s: dict) -> str:
        return (f"- Two chapters of Alice in Wonderland (about 25,000 characters, 34 symbols) instead of War and "
                f"Peace (3.3M characters) or the Linux kernel; {s['layers']} layers of {s['hidden']} units "
                f"instead of the paper's larger 3-layer models.\n"
                f"- Adam (learning rate {s['lr']:g}), {s['steps']} steps of {s['batch']} windows of "
                f"{s['seq_len']} characters, instead of RMSProp for tens of epochs.\n"
                f"- Saturation is measured on up to {s['eval_windows']} held-out windows of {s['eval_len']} "
                "characters (the last 10% of the text, about 2,200 characters), each from a zero state.")
