"""The fixed-point table of the state-space panel and its exports (numpy only).

``point_rows`` gives one row per point for the table and the panel's CSV; ``fixed_point_files`` the
full result a paper needs: every point as its full state vector with q, kind, stability and the
largest eigenvalues of dF/ds (CSV and npz), and the settings of the search.
"""
from __future__ import annotations

import csv
import io

import numpy as np
from PySide6.QtWidgets import QTableWidgetItem

TABLE_HEADER = ["#", "kind", "q", "|λ|max", "unst.", "PC1", "PC2"]
TOP_EIGENVALUES = 16  # eigenvalues written per point


def kind_of(fx: dict, i: int) -> str:
    if not fx["fixed"][i]:
        return "slow"
    if not np.isfinite(fx["top_abs"][i]):
        return "fixed, |λ| ?"
    return "stable" if fx["stable"][i] else "saddle"


def point_rows(fx, layer: int) -> list[list]:
    """[#, kind, q, |lambda|max, unstable count, PC1, PC2] per point ("?" where not computed)."""
    if fx is None or layer >= len(fx["layers"]):
        return []
    x, y = plane(fx["layers"][layer]["points"])
    out = []
    for i in range(len(fx["q"])):
        known = bool(np.isfinite(fx["top_abs"][i]))
        out.append([str(i + 1), kind_of(fx, i), float(fx["q"][i]), float(fx["top_abs"][i]) if known else "?",
                    str(int(fx["n_unstable"][i])) if known else "?", float(x[i]), float(y[i])])
    return out


def fill_table(table, rows) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(v if isinstance(v, str) else f"{v:.3g}"))


def state_names(fx: dict) -> list[str]:
    """Names of the entries of a full state vector: h1_l1 .. (c1_l1 ..) per layer."""
    names = []
    for layer in range(fx["num_layers"]):
        for part in fx["parts"].split(","):
            names += [f"{part}{u + 1}_l{layer + 1}" for u in range(fx["hidden_size"])]
    return names


def fixed_point_files(stem: str, fx: dict | None) -> dict[str, bytes]:
    """{stem_fixed_points.csv, stem_fixed_points.npz} for a search result payload (none if no search)."""
    if fx is None:
        return {}
    K = len(fx["q"])
    top = fx["eigenvalues"][:, :TOP_EIGENVALUES] if K else np.zeros((0, 0), complex)
    settings = fx.get("settings") or {}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([f"# {fx['summary']}"])
    w.writerow([f"# x*: {fx['x_label']}; period {fx['period']}; training step {fx['step']}; q = 1/2 |F(s) - s|^2; "
                f"fixed q < {fx['q_tol']:g}, slow q < {fx['slow_tol']:g}; eigenvalues: {fx['eig_method']}; "
                + "; ".join(f"{k} {v}" for k, v in settings.items())])
    w.writerow(["point", "kind", "q", "top |lambda|", "unstable eigenvalues"]
               + [f"lambda{j + 1}" for j in range(top.shape[1])] + state_names(fx))
    for i in range(K):
        known = bool(np.isfinite(fx["top_abs"][i]))
        w.writerow([i + 1, kind_of(fx, i), f"{fx['q'][i]:.9g}", f"{fx['top_abs'][i]:.9g}" if known else "",
                    int(fx["n_unstable"][i]) if known else ""]
                   + [_complex(v) for v in top[i]] + [f"{v:.9g}" for v in fx["vectors"][i]])
    buf = io.BytesIO()
    np.savez_compressed(buf, points=fx["vectors"], q=fx["q"], fixed=fx["fixed"], stable=fx["stable"],
                        top_abs=fx["top_abs"], eigenvalues=fx["eigenvalues"], state_names=np.array(state_names(fx)),
                        x_label=np.array(fx["x_label"]), step=np.array(fx["step"]), summary=np.array(fx["summary"]))
    return {f"{stem}_fixed_points.csv": out.getvalue().encode("utf-8"), f"{stem}_fixed_points.npz": buf.getvalue()}


def _complex(v) -> str:
    if not np.isfinite(v):
        return ""
    return f"{v.real:.9g}" if abs(v.imag) < 1e-15 else f"{v.real:.9g}{v.imag:+.9g}j"


def plane(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of points given in PCA coordinates (..., k): PC1 and PC2, or PC1 and zeros where the state has
    a single unit (a 1-unit network has one principal axis)."""
    points = np.asarray(points)
    return points[..., 0], points[..., 1] if points.shape[-1] > 1 else np.zeros_like(points[..., 0])
