"""Hochreiter & Schmidhuber 1997, experiment 6a (temporal order): an LSTM learns which of two
distant markers came first; a simple recurrent network does not."""
from __future__ import annotations

from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig
from engine.reproductions.base import Reproduction, Verdict
from engine.reproductions.figure import Figure, Plot, RefLine, Series
from engine.reproductions.training import eval_column, eval_name, overlap_text, set_forget_bias, train

SOLVED = 0.95  # held-out accuracy that counts as solved (the paper: every output's error below 0.3)
FAILS = 0.6  # a simple RNN that learned only the second marker sits at 50%
MODELS = (("LSTM", "lstm", 2), ("tanh RNN", "rnn_tanh", 0))
PAPER_SEQUENCES = 31_390  # LSTM, experiment 6a, average over the successful trials


class TemporalOrder(Reproduction):
    name = "temporal_order"
    title = "Temporal order: LSTM solves it, a simple RNN does not"
    citation = ("S. Hochreiter, J. Schmidhuber (1997). Long Short-Term Memory. Neural Computation 9(8), "
                "1735-1780; section 5.6, experiment 6a (temporal order, 4 classes, length 100-110).")
    published = (f"LSTM solves the 4-class temporal order task at length 100-110 (after {PAPER_SEQUENCES:,} "
                 "training sequences on average), recurrent nets trained with BPTT or RTRL do not")
    panels = ("curvesPanel", "gatesPanel", "hiddenHeatmap")
    keep = "LSTM"
    minutes = 3.0

    def settings(self, quick: bool = False) -> dict:
        if quick:
            return {"seq_len": 40, "hidden": 32, "steps": 300, "batch": 64, "lr_lstm": 3e-3, "lr_rnn": 1e-3,
                    "forget_bias": 3.0}
        return {"seq_len": 100, "hidden": 32, "steps": 1500, "batch": 64, "lr_lstm": 3e-3, "lr_rnn": 1e-3,
                "forget_bias": 3.0}

    def run(self, s: dict, seed: int, ctx) -> dict:
        curves = {}
        for i, (label, cell, _) in enumerate(MODELS):
            ctx.part(i, len(MODELS))
            lr = s["lr_lstm"] if cell == "lstm" else s["lr_rnn"]
            cfg = LabConfig("temporal_order", {"seq_len": s["seq_len"]},
                            ModelConfig(cell=cell, hidden_size=s["hidden"], embedding_dim=8),
                            TrainConfig(lr=lr, batch_size=s["batch"], max_norm=5.0, seed=seed))
            prepare = (lambda m: set_forget_bias(m, s["forget_bias"])) if cell == "lstm" else None
            run = train(ctx, label, cfg, s["steps"], eval_every=max(10, s["steps"] // 40), eval_size=512,
                        prepare=prepare, stop=lambda acc: acc >= 0.995)
            acc = run["metric"]
            solved_at = next((int(st) for st, a in zip(run["steps"], acc, strict=True) if a >= SOLVED), None)
            curves[label] = {"steps": run["steps"], "accuracy": acc, "final": run["final"],
                             **{k: run[k] for k in ("eval_size", "eval_seen", "eval_distinct_seen")},
                             "sequences": run["steps"] * s["batch"],
                             "solved_sequences": None if solved_at is None else solved_at * s["batch"]}
        return {"curves": curves}

    def verdict(self, m: dict, s: dict) -> Verdict:
        lstm, rnn = m["curves"]["LSTM"], m["curves"]["tanh RNN"]
        when = ("" if lstm["solved_sequences"] is None
                else f" after {lstm['solved_sequences']:,} sequences")
        text = (f"{eval_name('accuracy', m['curves'].values())} at T = {s['seq_len']}: LSTM {lstm['final']:.1%}{when}, "
                f"tanh RNN {rnn['final']:.1%} after {int(rnn['sequences'][-1]):,} sequences (chance 25%)")
        ok_lstm, ok_rnn = lstm["final"] >= SOLVED, rnn["final"] < FAILS
        why = []
        if not ok_lstm:
            why.append(f"the LSTM did not reach {SOLVED:.0%} in {s['steps']} steps")
        if not ok_rnn:
            why.append(f"the tanh RNN reached {rnn['final']:.0%} at T = {s['seq_len']} (the paper's T is 100-110)")
        return Verdict(ok_lstm and ok_rnn, text, "; ".join(why))

    def table(self, m: dict):
        rows = []
        for label, c in m["curves"].items():
            rows += [[label, int(st), int(n), float(a)]
                     for st, n, a in zip(c["steps"], c["sequences"], c["accuracy"], strict=True)]
        return ["model", "step", "sequences", eval_column("accuracy", m["curves"].values())], rows

    def figure(self, m: dict, s: dict) -> Figure:
        series = tuple(Series(label, m["curves"][label]["sequences"], m["curves"][label]["accuracy"], color=colour)
                       for label, _, colour in MODELS)
        name = eval_name("accuracy", m["curves"].values())
        plot = Plot(f"Temporal order, T = {s['seq_len']}", "training sequences", name, series,
                    (RefLine(0.25, "chance (4 orders)"), RefLine(0.5, "only the second marker")),
                    y_range=(0.0, 1.02), legend="top-right")
        return Figure("Temporal order: LSTM vs simple RNN", (plot,),
                      f"The {name} while training ({overlap_text(m['curves']['LSTM'], 'sequences')}). "
                      "Chance is 25%; a network that keeps only the second "
                      "marker gets 50%. The LSTM's curve ends where it was solved (training stops there). "
                      "Hochreiter & Schmidhuber report the LSTM solved after "
                      f"{PAPER_SEQUENCES:,} sequences on average.")

    def differences(self, s: dict) -> str:
        return (f"- Length {s['seq_len']} (fixed) instead of 100-110; {s['hidden']} units; a modern LSTM with a "
                f"forget gate (bias {s['forget_bias']:g} at the start) instead of the 1997 LSTM without one.\n"
                f"- Adam (learning rate {s['lr_lstm']:g} for the LSTM, {s['lr_rnn']:g} for the tanh RNN), batch "
                f"{s['batch']}, cross-entropy over the 4 orders, at most {s['steps']} steps (the LSTM stops "
                "early once it is right on 99.5% of its evaluation examples).\n"
                "- Solved means 95% accuracy on the evaluation examples, not the paper's 'every output error "
                "below 0.3'.\n"
                "- The comparison is one tanh RNN trained by BPTT with Adam, not the paper's BPTT/RTRL "
                "recurrent nets with their own learning rates.")

