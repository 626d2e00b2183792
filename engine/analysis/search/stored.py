"""A fixed-point search result in a session file: plain values and tensors only (the file is read with
``torch.load(weights_only=True)``), checked on the way back in (a hostile or stale entry is dropped)."""
from __future__ import annotations

import numpy as np
import torch

ARRAYS = {"points": torch.float64, "q": torch.float64, "fixed": torch.bool, "stable": torch.bool,
          "top_abs": torch.float64, "eigenvalues": torch.complex128, "unstable_dir": torch.float64}
PLAIN = ("x_label", "summary", "parts", "eig_method", "step", "period", "hidden_size", "num_layers", "q_tol",
         "slow_tol", "best_q", "best_distance", "seconds", "eig_missing", "n_starts", "timed_out")


def pack(result: dict | None) -> dict | None:
    if result is None:
        return None
    out = {k: torch.as_tensor(np.asarray(result[k])).to(dt) for k, dt in ARRAYS.items()}
    out.update({k: result[k].item() if hasattr(result[k], "item") else result[k] for k in PLAIN if k in result})
    out["start_kind"] = [str(k) for k in result.get("start_kind", [])]
    out["settings"] = {k: (list(v) if isinstance(v, (list, tuple, np.ndarray)) else v)
                       for k, v in (result.get("settings") or {}).items()}
    return out


def unpack(entry, state_size: int) -> dict | None:
    """The result dict again, or None when the entry does not fit a model whose state has ``state_size``."""
    try:
        if not isinstance(entry, dict):
            return None
        out = {k: entry[k].numpy() for k in ARRAYS}
        K = len(out["q"])
        if out["points"].shape != (K, state_size) or out["eigenvalues"].shape != (K, state_size) \
                or out["unstable_dir"].shape != (K, state_size) \
                or any(out[k].shape != (K,) for k in ("fixed", "stable", "top_abs")):
            return None
        if not (np.isfinite(out["points"]).all() and np.isfinite(out["q"]).all()):
            return None
        for k in PLAIN:
            v = entry[k]
            if not isinstance(v, (str, int, float, bool)):
                return None
            out[k] = v
        out["start_kind"] = np.array([str(k) for k in entry["start_kind"]][:K] or [""] * K)
        out["settings"] = dict(entry["settings"]) if isinstance(entry["settings"], dict) else {}
        out["best_point"] = np.full(state_size, np.nan)
        out["cancelled"], out["starts"], out["iterations"], out["budget_s"] = False, {}, 0, float("nan")
        out["unique_tol"] = float("nan")
        return out
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError):
        return None
