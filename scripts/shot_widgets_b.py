"""Render the gradient panel, learning curves and sequence strip to PNGs for a visual check.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/shot_widgets_b.py [outdir]

Saves to screenshots/ (gitignored) at ~500x250 (the size a dock gives a panel) and larger, in the
dark screen theme and the light export theme, with real training runs: a simple RNN whose
gradient vanishes, an LSTM on the adding problem, parity, tagging (per-step), a 200-step
sequence, and the empty state before any data.
"""
from __future__ import annotations

import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task  # noqa: E402
from engine.network.probe import probe  # noqa: E402
from widgets.gradients.gradient_panel import GradientPanel  # noqa: E402
from widgets.network.sequence_strip import SequenceStrip  # noqa: E402
from widgets.training.curves_panel import CurvesPanel  # noqa: E402


def run(task, steps, evals=0, seed=0, clip=True, max_norm=1.0, lr=1e-2, **cfg):
    """Train ``steps`` batches; returns (trace of a fixed example, history, evaluations, trainer)."""
    model = build_model(ModelConfig(**{"hidden_size": 32, **cfg}), task, seed=seed)
    tr = Trainer(model, task, TrainConfig(lr=lr, batch_size=64, clip=clip, max_norm=max_norm, seed=seed))
    points = []
    for i in range(steps):
        tr.step()
        if evals and (i + 1) % evals == 0:
            e = tr.evaluate()
            points.append((tr.step_count, e["loss"], e["metric"]))
    x, y = task.sample_batch(1, torch.Generator().manual_seed(seed + 7))
    return probe(model, x, y, step=tr.step_count), tr.history.arrays(), points, tr


def save(widget, out: pathlib.Path, name: str, size=(500, 250), light=False):
    widget.set_theme(light)
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(out / f"{name}.png"))
    print("saved", out / f"{name}.png")


def main(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)

    # gradients: a deep bidirectional simple RNN (vanishing) and an LSTM, both with clipping
    adding = make_task("adding", seq_len=40)
    for name, cell in (("rnn", "rnn_tanh"), ("lstm", "lstm")):
        trace, hist, _, tr = run(adding, 300, cell=cell, num_layers=2, bidirectional=True, max_norm=1.0)
        panel = GradientPanel()
        panel.set_trace(trace)
        panel.set_time(12)
        panel.set_history(hist)
        panel.set_clip(tr.config.clip, tr.config.max_norm)
        save(panel, out, f"gradient_{name}")
        save(panel, out, f"gradient_{name}_tall_light", (520, 460), light=True)
    save(GradientPanel(), out, "gradient_empty")

    # learning curves: accuracy (linear) and MSE (log), with evaluations and smoothing
    for name, task, cell, lr in (("parity", make_task("parity", seq_len=8), "gru", 3e-2),
                                 ("adding", make_task("adding", seq_len=20), "lstm", 1e-2)):
        _, hist, points, _ = run(task, 800, evals=100, cell=cell, lr=lr, max_norm=5.0)
        panel = CurvesPanel()
        panel.set_task_info(task.info())
        panel.set_history(hist)
        for p in points:
            panel.add_eval(*p)
        save(panel, out, f"curves_{name}")
        panel.smoothing.setValue(30)
        save(panel, out, f"curves_{name}_smooth_light", (720, 400), light=True)
    save(CurvesPanel(), out, "curves_empty")

    # sequence strip: per-step tagging, acceptor with a typing error, regression, T=200
    tagging = make_task("tagging")
    trace, *_ = run(tagging, 150, cell="lstm", embedding_dim=16)
    strip = SequenceStrip()
    strip.set_task_info(tagging.info())
    strip.set_trace(trace)
    strip.set_time(4)
    save(strip, out, "strip_tagging")
    save(strip, out, "strip_tagging_light", light=True)

    parity = make_task("parity", seq_len=12)
    trace, *_ = run(parity, 50, cell="gru")
    strip = SequenceStrip()
    strip.set_input_enabled(True, "type characters (0 1), up to 200, then Enter")
    strip.set_trace(trace)
    strip.set_time(5)
    strip.input.setText("0110x")
    strip.show_input_error("unknown symbol 'x' at position 5; allowed: 0 1")
    save(strip, out, "strip_parity_error")

    trace, *_ = run(make_task("adding", seq_len=20), 200, cell="lstm")
    strip = SequenceStrip()
    strip.set_input_enabled(False, "Adding problem reads real-valued inputs, which cannot be typed")
    strip.set_trace(trace)
    strip.set_time(6)
    save(strip, out, "strip_adding_light", light=True)

    trace, *_ = run(make_task("copy_memory", seq_len=190), 5, cell="gru", hidden_size=16)
    strip = SequenceStrip()
    strip.set_trace(trace)
    strip.set_time(150)
    save(strip, out, "strip_long")
    save(SequenceStrip(), out, "strip_empty")


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv[:1])
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
