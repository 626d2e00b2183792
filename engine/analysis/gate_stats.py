"""Gate statistics of one probed example: how often gates saturate, and how long units remember.

Saturation (per gate, over every layer, direction, step and unit):
  sigmoid gates (LSTM input/forget/output, GRU reset/update) in (0, 1): saturated when
      v < 0.05 ("closed") or v > 0.95 ("open"); a saturated sigmoid passes almost no gradient.
  tanh candidates (LSTM cell_candidate g_t, GRU new n_t) in (-1, 1): saturated when |v| > 0.95,
      counted as "low" (v < -0.95) or "high" (v > 0.95).

Half-life of a unit's memory, in steps. With the input gate closed, the LSTM memory decays as
c_t = f_t c_{t-1}, so after k steps it is multiplied by about f_bar^k, f_bar = the unit's forget
gate averaged over t. It halves after

    k_half = ln 0.5 / ln f_bar   (f_bar = 0.5 gives exactly 1 step; f_bar = 0.9 about 6.6 steps).

For a GRU, h_t = (1 - z_t) n_t + z_t h_{t-1}: the update gate z keeps the old state, so its
half-life is ln 0.5 / ln z_bar (labelled "update gate z" everywhere it is shown). As f_bar -> 1
the half-life goes to infinity; it is capped at ``HALF_LIFE_CAP`` steps and marked as capped.
"""
from __future__ import annotations

import numpy as np

LOW, HIGH = 0.05, 0.95  # sigmoid gates: saturated below LOW or above HIGH
TANH_LIMIT = 0.95  # tanh candidates: saturated when |v| > TANH_LIMIT
TANH_GATES = ("cell_candidate", "new")
KEEP_GATE = {"forget": "forget gate f", "update": "update gate z"}  # gate whose mean keeps the state
HALF_LIFE_CAP = 1e4  # steps; longer half-lives (f_bar -> 1) are shown as this value and marked


def saturation(values: np.ndarray, tanh: bool) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (low, high) of saturated entries: sigmoid < 0.05 / > 0.95, tanh < -0.95 / > 0.95."""
    v = np.asarray(values)
    if tanh:
        return v < -TANH_LIMIT, v > TANH_LIMIT
    return v < LOW, v > HIGH


def forget_half_life(forget: np.ndarray, cap: float = HALF_LIFE_CAP) -> np.ndarray:
    """(L, D, T, H) forget (or GRU update) gate values -> (L, D, H) half-lives ln 0.5 / ln f_bar in steps.

    f_bar is the mean over t (float64). f_bar = 1 (or so close that the half-life exceeds ``cap``)
    gives ``cap``: test ``>= cap`` to mark those units. f_bar = 0 gives 0 steps.
    """
    f_bar = np.asarray(forget, dtype=np.float64).mean(axis=2)  # (L, D, H)
    out = np.full(f_bar.shape, float(cap))
    decays = f_bar < 1.0
    out[f_bar <= 0.0] = 0.0
    inside = decays & (f_bar > 0.0)
    out[inside] = np.minimum(np.log(0.5) / np.log(f_bar[inside]), cap)
    return out


def gate_statistics(gates: dict, cap: float = HALF_LIFE_CAP) -> dict:
    """Saturation of every gate and the half-lives of the state-keeping gate, numpy only.

    ``gates``: {name: (L, D, T, H)} as ``Trace.gates`` (empty for a simple RNN). Returns
      names            gate names in the trace's order
      kind             {name: "sigmoid" | "tanh"}
      low, high        {name: fraction of all values saturated low / high (see the module doc)}
      saturated        {name: low + high}
      saturated_by_layer  {name: (L, D) saturated fraction per layer and direction}
      half_life        (L, D, H) steps, or None without a forget/update gate
      half_life_gate   "forget" | "update" | None, and half_life_label ("forget gate f", ...)
      half_life_capped (L, D, H) bool: f_bar so close to 1 that the half-life is >= ``cap``
      mean_keep        (L, D, H) f_bar (or z_bar), the mean the half-life comes from
      cap, seq_len     the cap in steps, and T (to compare half-lives with the sequence length)
    """
    names = tuple(gates)
    stats = {"names": names, "kind": {}, "low": {}, "high": {}, "saturated": {}, "saturated_by_layer": {},
             "half_life": None, "half_life_gate": None, "half_life_label": None, "half_life_capped": None,
             "mean_keep": None, "cap": float(cap), "seq_len": 0}
    for name in names:
        v = np.asarray(gates[name])  # (L, D, T, H)
        stats["seq_len"] = int(v.shape[2])
        tanh = name in TANH_GATES
        low, high = saturation(v, tanh)
        stats["kind"][name] = "tanh" if tanh else "sigmoid"
        stats["low"][name] = float(low.mean())
        stats["high"][name] = float(high.mean())
        stats["saturated"][name] = float((low | high).mean())
        stats["saturated_by_layer"][name] = (low | high).mean(axis=(2, 3))  # (L, D)
    keep = next((n for n in KEEP_GATE if n in gates), None)
    if keep is not None:
        half = forget_half_life(gates[keep], cap)
        stats.update(half_life=half, half_life_gate=keep, half_life_label=KEEP_GATE[keep],
                     half_life_capped=half >= cap,
                     mean_keep=np.asarray(gates[keep], dtype=np.float64).mean(axis=2))
    return stats


UNIT_LOW, UNIT_HIGH = 0.1, 0.9  # Karpathy et al. 2015, fig. 4: left- / right-saturated gate values


def unit_saturation(gates: dict, low: float = UNIT_LOW, high: float = UNIT_HIGH) -> dict:
    """Per unit, the fraction of time each sigmoid gate is left- (< low) and right-saturated (> high).

    ``gates``: {name: (L, D, ..., H)} over any number of middle axes (steps, or examples and steps,
    as ``states.batch_states`` gives). tanh candidates are skipped. Returns {name: {"left": (L, D, H),
    "right": (L, D, H)}} with fractions in [0, 1] (Karpathy, Johnson & Fei-Fei 2015, fig. 4).
    """
    out = {}
    for name, values in gates.items():
        if name in TANH_GATES:
            continue
        v = np.asarray(values)
        axes = tuple(range(2, v.ndim - 1))
        out[name] = {"left": (v < low).mean(axis=axes), "right": (v > high).mean(axis=axes)}
    return out
