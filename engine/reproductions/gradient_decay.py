"""Bengio, Simard & Frasconi 1994: a recurrent network that stores information robustly (its state sits
in the basin of attractors whose Jacobian eigenvalues are all |lambda| < 1) passes back gradients that
shrink exponentially with the time gap, so learning long-term dependencies by gradient descent is hard.

Measured on a tanh RNN trained on the 3-bit flip-flop (which latches three bits): the norm of the
state Jacobian ||dh_T / dh_(T-k)|| along real trajectories, against k, and the decay per step that
the stable fixed points' top eigenvalue predicts."""
from __future__ import annotations

import numpy as np
import torch

from engine.analysis import batch_states, fixed_points
from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series
from engine.reproductions.training import train

EXPONENTIAL = 0.9  # R^2 of the straight-line fit of log ||J|| against k
VANISHED = 1e-3  # ||dh_T / dh_(T-k)|| at the largest gap must be below this


def jacobian_norms(hidden: np.ndarray, w_hh: np.ndarray) -> np.ndarray:
    """(B, K) spectral norms ||dh_T / dh_(T-k)||, k = 1..K = T - 1, for a tanh RNN whose step Jacobian is
    dh_t / dh_(t-1) = diag(1 - h_t^2) W_hh; ``hidden`` (B, T, H) the states h_1..h_T."""
    B, T, H = hidden.shape
    out = np.zeros((B, T - 1))
    for b in range(B):
        product = np.eye(H)
        for k in range(1, T):
            t = T - k  # multiply in the step from h_(t-1) to h_t, going back in time
            product = product @ ((1.0 - hidden[b, t] ** 2)[:, None] * w_hh)
            out[b, k - 1] = np.linalg.norm(product, 2)
    return out


class GradientDecay(Reproduction):
    name = "bengio_gradient_decay"
    title = "Gradients vanish exponentially where a network latches information"
    citation = ("Y. Bengio, P. Simard, P. Frasconi (1994). Learning Long-Term Dependencies with Gradient Descent "
                "is Difficult. IEEE Transactions on Neural Networks 5(2), 157-166; section 4 (theorems on "
                "robust latching and vanishing gradients).")
    published = ("when a recurrent network latches information robustly (in the basin of attractors with all "
                 "|lambda| < 1), the derivative of the state with respect to states k steps earlier vanishes "
                 "exponentially in k")
    panels = ("vanishingPanel", "gradientPanel", "stateSpacePanel")
    keep = "tanh RNN"
    minutes = 1.5

    def settings(self, quick: bool = False) -> dict:
        if quick:
            return {"hidden": 32, "steps": 400, "lr": 1e-2, "seq_len": 60, "examples": 8, "starts": 64,
                    "search_seconds": 6.0}
        return {"hidden": 64, "steps": 1200, "lr": 3e-3, "seq_len": 120, "examples": 32, "starts": 128,
                "search_seconds": 30.0}

    def run(self, s: dict, seed: int, ctx) -> dict:
        cfg = LabConfig("flipflop", {"seq_len": 64, "pulse_percent": 5},
                        ModelConfig(cell="rnn_tanh", hidden_size=s["hidden"], embedding_dim=16),
                        TrainConfig(lr=s["lr"], batch_size=32, max_norm=5.0, seed=seed))
        ctx.part(0, 2)
        run = train(ctx, self.keep, cfg, s["steps"], eval_every=max(10, s["steps"] // 30))
        model = run["trainer"].model
        ctx.part(1, 2)
        task = run["task"].__class__(seq_len=s["seq_len"], pulse_percent=5)  # longer trials than trained on
        inputs, _ = task.sample_batch(s["examples"], torch.Generator().manual_seed(7000 + seed))
        hidden = batch_states(model, inputs)["hidden"][0, 0].astype(np.float64)  # (B, T, H)
        w_hh = model.encoder.weight_hh_l0.detach().double().numpy()
        ctx.report(0.1, "Jacobian products along the trajectories")
        norms = jacobian_norms(hidden, w_hh)  # (B, T - 1)
        fp = fixed_points(model, None, n_starts=s["starts"], seed=seed, inputs=inputs[:, :64],
                          budget_s=s["search_seconds"], progress=lambda f, text: ctx.report(0.2 + 0.8 * f, text))
        stable = fp["fixed"] & fp["stable"]
        lam = float(fp["top_abs"][stable].max()) if stable.any() else float("nan")
        k = np.arange(1, norms.shape[1] + 1, dtype=np.float64)
        log_mean = np.log(np.maximum(norms, 1e-300)).mean(0)  # log of the geometric mean over examples
        slope, intercept = np.polyfit(k, log_mean, 1)
        fit = intercept + slope * k
        r2 = 1.0 - ((log_mean - fit) ** 2).sum() / max(((log_mean - log_mean.mean()) ** 2).sum(), 1e-300)
        return {"k": k, "norms": norms, "geo_mean": np.exp(log_mean), "rate": float(np.exp(slope)),
                "r2": float(r2), "fixed_lambda": lam, "n_stable": int(stable.sum()), "mse": run["final"]}

    def verdict(self, m: dict, s: dict) -> Verdict:
        last = float(m["geo_mean"][-1])
        text = (f"||dh_T/dh_(T-k)|| falls by a factor {m['rate']:.3f} per step (straight-line fit of the log, "
                f"R^2 = {m['r2']:.3f}) to {last:.1e} at k = {len(m['k'])}; the stable fixed points' top |lambda| "
                f"is {m['fixed_lambda']:.3f} ({m['n_stable']} stable points, task MSE {m['mse']:.3f})")
        why = []
        if m["r2"] < EXPONENTIAL:
            why.append(f"the decay is not a straight line on the log scale (R^2 {m['r2']:.2f})")
        if not last < VANISHED:
            why.append(f"the gradient has not vanished (still {last:.1e} at k = {len(m['k'])})")
        if m["mse"] > 0.05:
            why.append("the network did not learn to latch the three bits")
        return Verdict(not why, text, "; ".join(why))

    def table(self, m: dict):
        rows = [[int(k), float(g), float(np.min(m["norms"][:, i])), float(np.max(m["norms"][:, i]))]
                for i, (k, g) in enumerate(zip(m["k"], m["geo_mean"], strict=True))]
        return ["gap_k", "geometric_mean_norm", "min_norm", "max_norm"], rows

    def figure(self, m: dict, s: dict) -> Figure:
        k = m["k"]
        series = [Series("one trial" if b == 0 else "", k, m["norms"][b], faint=True)
                  for b in range(min(12, len(m["norms"])))]
        series.append(Series("geometric mean", k, m["geo_mean"], color=1, width=3))
        if np.isfinite(m["fixed_lambda"]):
            series.append(Series(f"|lambda|^k of the stable fixed points ({m['fixed_lambda']:.2f})", k,
                                 m["geo_mean"][0] * m["fixed_lambda"] ** (k - 1), color=2))
        plot = Plot("How far back a gradient reaches", "gap k (steps)", "||dh_T / dh_(T-k)||", tuple(series),
                    (RefLine(1.0, "no decay"),), log_y=True, legend="bottom-left")
        return Figure("Vanishing gradients in a latching tanh RNN", (plot,),
                      "Spectral norm of the state Jacobian product over k steps, along trajectories of a tanh RNN "
                      "that latches the three flip-flop bits (log scale: a straight line is exponential decay), "
                      "and the decay the stable fixed points' largest eigenvalue predicts.")

    def differences(self, s: dict) -> str:
        return (f"- The paper proves the decay for any robust latch and shows it on small toy problems; here one "
                f"{s['hidden']}-unit tanh RNN trained on the 3-bit flip-flop ({s['steps']} Adam steps) is measured "
                f"on {s['examples']} trials of {s['seq_len']} steps.\n"
                "- The gradient factor is measured directly (the norm of the Jacobian product), not through the "
                "success rate of training on a latch problem.")
