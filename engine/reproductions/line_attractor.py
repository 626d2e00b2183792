"""Maheswaranathan, Williams, Golub, Ganguli & Sussillo 2019: a recurrent sentiment classifier
integrates evidence along a line attractor: its slow points lie on a line (one principal component
holds most of their variance) and the top Jacobian eigenvalue there is about 1."""
from __future__ import annotations

import numpy as np
import torch

from engine.analysis import batch_states, fit_pca, fixed_points, hidden_part
from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series
from engine.reproductions.training import train

LINE = 0.9  # PC1 of the slow points must explain at least this share of their variance
EIG_LO, EIG_HI = 0.9, 1.05  # the median top |lambda| at the slow points must be about 1
MIN_POINTS = 10
MAX_GAP = 0.25  # a line, not two clusters: no empty stretch longer than this share of the points' PC1 extent
NEAR = 1.0  # a slow point counts when a visited state lies within this share of the states' RMS radius


def visited(points: np.ndarray, states: np.ndarray) -> np.ndarray:
    """(K,) bool: the points that lie among the states the reviews visit (a saturated GRU also has slow
    points far outside, where every unit is pinned and nothing moves; the paper's starts never go there)."""
    if len(points) == 0:
        return np.zeros(0, dtype=bool)
    radius = np.sqrt(((states - states.mean(0)) ** 2).sum(1).mean())
    d2 = ((points ** 2).sum(1)[:, None] - 2 * points @ states.T + (states ** 2).sum(1)[None, :])  # (K, N)
    return np.sqrt(np.maximum(d2.min(1), 0.0)) < NEAR * radius


class LineAttractor(Reproduction):
    name = "line_attractor"
    title = "Sentiment: a line attractor integrates the evidence"
    citation = ("N. Maheswaranathan, A. H. Williams, M. D. Golub, S. Ganguli, D. Sussillo (2019). Reverse "
                "engineering recurrent networks for sentiment classification reveals line attractor dynamics. "
                "NeurIPS 2019 (arXiv:1906.10720); figures 2-3.")
    published = ("the fixed points of a trained sentiment RNN lie along an approximately 1-D manifold (a line "
                 "attractor) and the top eigenvalue of the Jacobian there is about 1 (|lambda| ~ 1)")
    panels = ("stateSpacePanel", "hiddenHeatmap", "curvesPanel")
    keep = "GRU"
    minutes = 2.0

    def settings(self, quick: bool = False) -> dict:
        if quick:
            return {"hidden": 24, "min_len": 10, "seq_len": 30, "steps": 400, "lr": 1e-2, "batch": 64,
                    "starts": 96, "search_seconds": 8.0}
        return {"hidden": 32, "min_len": 20, "seq_len": 50, "steps": 1200, "lr": 5e-3, "batch": 64,
                "starts": 256, "search_seconds": 60.0}

    def run(self, s: dict, seed: int, ctx) -> dict:
        cfg = LabConfig("sentiment", {"seq_len": s["seq_len"], "min_len": s["min_len"], "attention": 0},
                        ModelConfig(cell="gru", hidden_size=s["hidden"], embedding_dim=16),
                        TrainConfig(lr=s["lr"], batch_size=s["batch"], max_norm=5.0, seed=seed))
        ctx.part(0, 2)
        run = train(ctx, self.keep, cfg, s["steps"], eval_every=max(10, s["steps"] // 30), eval_size=512)
        model, task = run["trainer"].model, run["task"]
        ctx.part(1, 2)
        inputs, labels = task.sample_batch(64, torch.Generator().manual_seed(6000 + seed))
        fp = fixed_points(model, None, n_starts=s["starts"], seed=seed, inputs=inputs,
                          budget_s=s["search_seconds"], progress=lambda f, text: ctx.report(f, text))
        states = batch_states(model, inputs)["hidden"][0, 0]  # (B, T, H)
        near = visited(hidden_part(fp), states.reshape(-1, states.shape[-1]))
        fp = {k: (v[near] if isinstance(v, np.ndarray) and len(v) == len(near) else v) for k, v in fp.items()}
        points = hidden_part(fp)  # (K, H): fixed and slow points where the reviews go
        ratio = fit_pca(points, min(3, len(points))).explained_ratio if len(points) >= 3 else np.zeros(3)
        with torch.no_grad():  # P(positive) the readout gives at each point: the line spans the answers
            logits = model.head(torch.as_tensor(points, dtype=torch.float32)) if len(points) else None
            p_pos = torch.softmax(logits, -1)[:, 1].numpy() if logits is not None else np.zeros(0)
        coord = np.sort(fit_pca(points, 1).project(points)[:, 0]) if len(points) >= 3 else np.zeros(0)
        extent = coord[-1] - coord[0] if len(coord) else 0.0
        gap = float(np.diff(coord).max() / extent) if extent > 0 else 1.0
        return {"gap": gap, "curve_steps": run["steps"], "curve_acc": run["metric"], "accuracy": run["final"],
                "states": states, "labels": labels.numpy(), "points": points, "fixed": fp["fixed"],
                "q": fp["q"], "top_abs": fp["top_abs"], "eig_abs": np.abs(fp["eigenvalues"]),
                "pc_ratio": np.asarray(ratio, dtype=np.float64), "p_positive": p_pos, "x_label": fp["x_label"],
                "timed_out": fp["timed_out"], "dropped": int((~near).sum())}

    def verdict(self, m: dict, s: dict) -> Verdict:
        n, pc1 = len(m["q"]), float(m["pc_ratio"][0]) if len(m["pc_ratio"]) else 0.0
        top = float(np.median(m["top_abs"])) if n else float("nan")
        second = float(np.median(m["eig_abs"][:, 1])) if n and m["eig_abs"].shape[1] > 1 else float("nan")
        text = (f"{n} fixed and slow points among the visited states; PC1 explains {pc1:.1%} of their variance, "
                f"the widest empty stretch along it is {m['gap']:.0%} of the line; median |lambda| top {top:.3f}, "
                f"second {second:.3f} (accuracy {m['accuracy']:.1%})")
        why = []
        if n < MIN_POINTS:
            why.append(f"only {n} slow points were found")
        if pc1 < LINE:
            why.append(f"PC1 explains under {LINE:.0%}")
        if m["gap"] > MAX_GAP:
            why.append(f"the points form separate pieces along PC1 (an empty stretch of {m['gap']:.0%} of its "
                       "length), not one continuous line")
        if not EIG_LO <= top <= EIG_HI:
            why.append(f"the top eigenvalue is not about 1 ({EIG_LO:g}-{EIG_HI:g})")
        if m["accuracy"] < 0.9:
            why.append(f"the classifier reached only {m['accuracy']:.0%}")
        return Verdict(not why, text, "; ".join(why))

    def table(self, m: dict):
        rows = [[i, "fixed" if m["fixed"][i] else "slow", float(m["q"][i]), float(m["top_abs"][i]),
                 float(m["eig_abs"][i][1]) if m["eig_abs"].shape[1] > 1 else float("nan"), float(m["p_positive"][i])]
                for i in range(len(m["q"]))]
        return ["point", "kind", "q", "top_abs_eigenvalue", "second_abs_eigenvalue", "p_positive"], rows

    def figure(self, m: dict, s: dict) -> Figure:
        states = m["states"]
        flat = states.reshape(-1, states.shape[-1])
        pca = fit_pca(flat, 2)
        traj = pca.project(flat).reshape(states.shape[0], states.shape[1], 2)
        pts = pca.project(m["points"]) if len(m["points"]) else np.zeros((0, 2))
        series = [Series("negative review" if i == 0 else "", traj[b, :, 0], traj[b, :, 1], color=3, faint=True)
                  for i, b in enumerate(np.flatnonzero(m["labels"] == 0)[:16])]
        series += [Series("", traj[b, :, 0], traj[b, :, 1], color=0, faint=True)
                   for b in np.flatnonzero(m["labels"] == 1)[:16]]
        series.append(Series("fixed / slow point", pts[:, 0], pts[:, 1], kind="scatter", color=2, size=7))
        left = Plot("Slow points on the states' top 2 PCs", "PC1", "PC2", tuple(series), equal_aspect=True)
        k = min(10, m["eig_abs"].shape[1]) if len(m["q"]) else 0
        ranks = np.arange(1, k + 1, dtype=np.float64)
        spectra = [Series("", ranks, m["eig_abs"][i, :k], color=1, faint=True) for i in range(len(m["q"]))]
        if len(m["q"]):
            spectra.append(Series("median over the points", ranks, np.median(m["eig_abs"][:, :k], axis=0),
                                  color=1, width=3))
        right = Plot("Jacobian eigenvalues at the points", "rank", "|lambda|", tuple(spectra),
                     (RefLine(1.0, "|lambda| = 1"),), y_range=(0.0, 1.1), legend="bottom-left")
        return Figure("Sentiment GRU: a line attractor", (left, right),
                      "Left: hidden-state trajectories of negative (pink) and positive (blue) reviews and the "
                      f"fixed and slow points under the input {m['x_label']}, in the states' top two principal "
                      "components: the points form a line between the two answers. Right: the largest |lambda| "
                      "of the step Jacobian at each point (thin lines) and their median: one eigenvalue near 1 "
                      "(the line's direction: the state stays where the evidence put it), the rest well below.")

    def differences(self, s: dict) -> str:
        return (f"- The app's toy reviews (filler words, one or three polarity words, 'not' flips one), "
                f"{s['min_len']}-{s['seq_len']} words, instead of IMDB/Yelp reviews; a {s['hidden']}-unit GRU "
                f"classifying from its final state, trained with Adam (learning rate {s['lr']:g}, {s['steps']} "
                f"steps of batch {s['batch']}).\n"
                "- The input held during the search is the filler word 'the' (no evidence), where the paper "
                "holds the input at zero.\n"
                f"- {s['starts']} starts of the app's fixed-point search (at most {s['search_seconds']:g} s); slow "
                "points (q < 1e-4) count with the fixed points, as the paper's approximate fixed points do.")
