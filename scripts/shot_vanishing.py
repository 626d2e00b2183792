"""Render the "why gradients vanish" panel to PNGs for a visual check.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/shot_vanishing.py [outdir]

Saves to screenshots/ (gitignored): a simple tanh RNN with torch's default init and with identity
init (IRNN), an LSTM, and a 2-layer bidirectional GRU, each trained a little on the adding problem
(T = 50) while the spectral radius is recorded; dock size (~520x260) in the dark theme, a larger
light export, a tall layout, the empty state and a diverged model.
"""
from __future__ import annotations

import pathlib
import sys
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task  # noqa: E402
from engine.analysis import analysis_dict, spectral_radius  # noqa: E402
from widgets.gradients.vanishing_panel import VanishingPanel  # noqa: E402


def run(task, steps, seed=0, **cfg):
    """Train ``steps`` batches recording rho; returns (model, example inputs, radius history)."""
    model = build_model(ModelConfig(**{"hidden_size": 32, **cfg}), task, seed=seed)
    tr = Trainer(model, task, TrainConfig(lr=1e-3, batch_size=32, seed=seed))
    hist = {"step": [0], "radius": [spectral_radius(model)]}
    for _ in range(steps):
        tr.step()
        hist["step"].append(tr.step_count)
        hist["radius"].append(spectral_radius(model))
    x, _ = task.sample_batch(1, torch.Generator().manual_seed(seed + 7))
    return model, x, hist


def save(panel, out: pathlib.Path, name: str, size=(520, 260), light=False):
    panel.set_theme(light)
    panel.resize(*size)
    panel.show()
    for _ in range(2):  # axes size themselves to their tick labels on the first paint
        QApplication.processEvents()
        panel.grab()
    panel.grab().save(str(out / f"{name}.png"))
    print("saved", out / f"{name}.png")


def main(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    adding = make_task("adding", seq_len=50)
    cases = {
        "rnn_default": dict(cell="rnn_tanh"),
        "rnn_identity": dict(cell="rnn_tanh", init="identity"),
        "lstm": dict(cell="lstm"),
        "gru_bi2": dict(cell="gru", num_layers=2, bidirectional=True),
    }
    for name, cfg in cases.items():
        model, x, hist = run(adding, 40, **cfg)
        t0 = time.perf_counter()
        analysis = analysis_dict(model, x, hist)
        ms = 1e3 * (time.perf_counter() - t0)
        print(f"{name}: analysis_dict {ms:.1f} ms, rho {analysis['radius']:.3f}")
        panel = VanishingPanel()
        panel.set_analysis(analysis)
        save(panel, out, f"vanishing_{name}")
        if name in ("rnn_default", "lstm"):
            save(panel, out, f"vanishing_{name}_light", size=(1000, 380), light=True)
        if name == "gru_bi2":
            save(panel, out, f"vanishing_{name}_tall", size=(420, 620))
    empty = VanishingPanel()
    save(empty, out, "vanishing_empty")
    model, x, hist = run(adding, 5, cell="rnn_tanh")
    with torch.no_grad():
        model.encoder.weight_hh_l0.fill_(float("nan"))
    hist["radius"].append(float("nan"))
    hist["step"].append(hist["step"][-1] + 1)
    diverged = VanishingPanel()
    diverged.set_analysis(analysis_dict(model, x, hist))
    save(diverged, out, "vanishing_diverged")


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv)
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
