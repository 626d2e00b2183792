"""The deck's last slide, measured: "GRUs are simpler and faster to train; LSTMs are more flexible".

For each compare run: "simpler" as gate blocks and recurrent parameters; "faster to train" in both
senses, measured here and said apart: the steps it took to reach the task's pass threshold (the mean
of the last ``WINDOW`` training batches' metric, so one lucky batch does not count) and the wall time
of one of its steps on this machine (each run timed alone while the runs take turns). On a CPU the
fused LSTM kernel is usually faster per step than the GRU's: which cell is faster to train is the
product of the two, and the line says which is ahead on each. Torch-free (the window draws it).
"""
from __future__ import annotations

import numpy as np

WINDOW = 20  # batches averaged before a run counts as having reached the target
BLOCKS = {"lstm": 4, "gru": 3}  # weight blocks stacked per layer (LSTM i, f, g, o; GRU r, z, n); simple RNN 1
TIP = ("The deck: GRUs are simpler and faster to train; LSTMs are more flexible. Simpler: weight blocks per "
       "layer (GRU r, z, n: 3; LSTM i, f, g, o: 4) and recurrent parameters (all parameters, with the embedding "
       "and head, in brackets). Faster to train, measured here in both senses: the steps each run needed to "
       f"reach the task's pass threshold (the mean of its last {WINDOW} training batches) and the wall time of "
       "one of its steps on this machine (each run timed alone while they take turns). On a CPU the fused LSTM "
       "kernel is usually faster per step, so the GRU is faster to train only when it needs enough fewer steps.")


def steps_to_target(history: dict, threshold: float | None, higher_is_better: bool = True) -> int | None:
    """The first step at which the mean of the last ``WINDOW`` batch metrics reached ``threshold``."""
    if threshold is None or not history:
        return None
    metric = np.asarray(history.get("metric", ()), dtype=np.float64)
    steps = np.asarray(history.get("step", ()), dtype=np.float64)
    if len(metric) < WINDOW:
        return None
    mean = np.convolve(np.nan_to_num(metric, nan=-np.inf if higher_is_better else np.inf),
                       np.ones(WINDOW) / WINDOW, mode="valid")  # mean[i]: batches i .. i + WINDOW - 1
    hit = np.nonzero(mean >= threshold if higher_is_better else mean <= threshold)[0]
    return int(steps[hit[0] + WINDOW - 1]) if len(hit) else None


def run_facts(snap) -> list[dict]:
    """Per run: label, cell, blocks, parameters, ms per step, steps to target and the target."""
    out = []
    for i, (label, r) in enumerate(zip(snap.labels, snap.runs, strict=True)):
        cell = r.config["model"]["cell"]
        info = r.task_info
        rate = snap.run_steps_per_sec[i] if i < len(snap.run_steps_per_sec) else 0.0
        rec, total = snap.params[i] if i < len(snap.params) else (None, None)
        out.append({"label": label, "cell": cell, "blocks": BLOCKS.get(cell, 1), "params": rec, "total": total,
                    "ms": 1000.0 / rate if rate > 0 else None, "metric": info.get("metric", "metric"),
                    "target": info.get("pass_threshold"),
                    "steps": steps_to_target(r.history, info.get("pass_threshold"),
                                             info.get("higher_is_better", True)),
                    "trained": int(np.nanmax(r.history["step"])) if len(r.history.get("step", ())) else 0})
    return out


def fact_text(f: dict) -> str:
    text = f"{f['blocks']} weight block{'s' if f['blocks'] > 1 else ''}/layer"
    if f["params"] is not None:
        text += f", {f['params']:,} recurrent parameters ({f['total']:,} in all)"
    text += f", {f['ms']:.1f} ms/step" if f["ms"] else ", ms/step: press Train"
    if f["target"] is not None:
        if f["steps"] is not None:
            text += f", reached {f['metric']} {f['target']:g} at step {f['steps']:,}"
            if f["ms"]:
                text += f" (≈ {f['steps'] * f['ms'] / 1000:.1f} s)"
        elif f["trained"]:
            text += f", not at {f['metric']} {f['target']:g} after {f['trained']:,} steps"
    return text


def verdict(facts: list[dict]) -> str:
    """Which run is ahead in each sense, once there is something to compare ("" before)."""
    timed = [f for f in facts if f["ms"]]
    parts = []
    if len(timed) >= 2:
        fast = min(timed, key=lambda f: f["ms"])
        slow = max(timed, key=lambda f: f["ms"])
        parts.append(f"per step {fast['label']} is {slow['ms'] / fast['ms']:.2f}x faster than {slow['label']}")
    done = [f for f in facts if f["steps"] is not None]
    if len(done) >= 2:
        few = min(done, key=lambda f: f["steps"])
        parts.append(f"{few['label']} needed the fewest steps ({few['steps']:,})")
        if all(f["ms"] for f in done):
            quick = min(done, key=lambda f: f["steps"] * f["ms"])
            parts.append(f"{quick['label']} reached the target first in wall time")
    return "; ".join(parts)
