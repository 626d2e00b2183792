"""Compare over seeds: each configuration's final figures as mean ± spread, in words and as summary.csv.

A seed's *final* loss (and metric) is the mean of its last ``FINAL_STEPS`` training steps' values (one batch's
loss is noisy); over the seeds of a configuration the figure is their mean ± their standard deviation (ddof 1,
the sample SD). Without seeds (``snap.seed_histories`` empty) each run is its one seed.
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np

from app.compare.speed import steps_to_target

FINAL_STEPS = 20
SPREAD = "SD"  # the spread named on screen and in the file


def final_value(values) -> float:
    """Mean of the last FINAL_STEPS finite values; nan when there are none."""
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v)][-FINAL_STEPS:]
    return float(v.mean()) if v.size else math.nan


def averaged_text(snap) -> str:
    """How many steps the final figures average, as it was: "the last 20 steps", "the last 5 steps" (a run of 5),
    "the last 20 finite steps (fewer where a seed had fewer)" when seeds differ."""
    counts = {min(FINAL_STEPS, int(np.isfinite(np.asarray(h["loss"], np.float64)).sum()))
              for group in run_seeds(snap) for h in group}
    if len(counts) == 1:
        n = counts.pop()
        return f"the last {n} step{'s' if n != 1 else ''}"
    return f"the last {FINAL_STEPS} finite steps (fewer where a seed had fewer)"


def trained_steps(history: dict) -> int:
    """The steps a seed trained: its last step's number (the history keeps only the latest 10,000 rows)."""
    steps = np.asarray(history.get("step", ()), np.float64)
    steps = steps[np.isfinite(steps)]
    return int(steps.max()) if steps.size else 0


def run_seeds(snap) -> list[list[dict]]:
    """Per run, the histories of its seeds (one, without seeds)."""
    if snap.seed_histories:
        return [list(group) for group in snap.seed_histories]
    return [[r.history] for r in snap.runs]


def seed_values(snap) -> list[int]:
    return list(snap.seeds) if snap.seeds else [int(snap.runs[0].config["train"]["seed"])]


def summaries(snap) -> list[dict]:
    """Per run: label, per-seed final loss and metric, and their mean and SD (nan for one seed); ``reached``: per
    seed the step at which it reached the task's pass threshold (app.compare.speed), or None."""
    out = []
    info = snap.runs[0].task_info
    for label, group in zip(snap.labels, run_seeds(snap), strict=True):
        loss = np.array([final_value(h["loss"]) for h in group])
        metric = np.array([final_value(h["metric"]) for h in group])
        out.append({"label": label, "loss": loss, "metric": metric, "steps": [trained_steps(h) for h in group],
                    "loss_mean": float(np.mean(loss)), "metric_mean": float(np.mean(metric)),
                    "loss_sd": float(np.std(loss, ddof=1)) if len(loss) > 1 else math.nan,
                    "metric_sd": float(np.std(metric, ddof=1)) if len(metric) > 1 else math.nan,
                    "target": info.get("pass_threshold"),
                    "reached": [steps_to_target(h, info.get("pass_threshold"), info.get("higher_is_better", True))
                                for h in group]})
    return out


def fmt(mean: float, sd: float) -> str:
    if not math.isfinite(mean):
        return "–"
    return f"{mean:.3g}" if not math.isfinite(sd) else f"{mean:.3g} ± {sd:.2g}"


def summary_line(s: dict, metric_name: str) -> str:
    """"final loss 0.0123 ± 0.0021, accuracy 0.95 ± 0.01 (3 seeds)"."""
    n = len(s["loss"])
    text = (f"final loss {fmt(s['loss_mean'], s['loss_sd'])}, {metric_name} {fmt(s['metric_mean'], s['metric_sd'])}"
            f" ({n} seeds, mean ± {SPREAD})")
    if s["target"] is not None:
        hits = [x for x in s["reached"] if x is not None]
        text += f"; {len(hits)} of {n} seeds reached {metric_name} {s['target']:g}"
        text += f" (median step {int(np.median(hits)):,})" if hits else ""
    return text


def summary_csv(snap) -> str:
    """run, seed, steps, final loss, final metric: one row per seed, then the mean and the SD of each run."""
    name = snap.runs[0].task_info.get("metric", "metric")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    averaged = averaged_text(snap)
    w.writerow(["run", "seed", "steps", f"final loss (mean of {averaged})", f"final {name} (mean of {averaged})"])
    seeds = seed_values(snap)
    for s in summaries(snap):
        for seed, steps, loss, metric in zip(seeds, s["steps"], s["loss"], s["metric"], strict=True):
            w.writerow([s["label"], seed, steps, repr(float(loss)), repr(float(metric))])
        w.writerow([s["label"], "mean", "", repr(s["loss_mean"]), repr(s["metric_mean"])])
        w.writerow([s["label"], SPREAD, "", repr(s["loss_sd"]), repr(s["metric_sd"])])
    return buf.getvalue()
