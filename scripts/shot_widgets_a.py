"""Render the unrolled view, hidden heatmap, gates and attention panels to PNGs for a visual check.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/shot_widgets_a.py [outdir]

Saves to screenshots/ (gitignored) at the ~500x300 size the main window gives a panel, in the
dark screen theme and the light export theme, for several cells, heads and sequence lengths.
Models are trained for a few steps first so the pictures show structure, not random noise.
"""
from __future__ import annotations

import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import ModelConfig, build_model, make_task  # noqa: E402
from engine.network.probe import probe  # noqa: E402
from engine.tasks.base import Task  # noqa: E402
from widgets.gates.gates_panel import GatesPanel  # noqa: E402
from widgets.network.hidden_heatmap import HiddenHeatmap  # noqa: E402
from widgets.network.unrolled_view import UnrolledView  # noqa: E402
from widgets.readout.attention_panel import AttentionPanel  # noqa: E402

WORDS = ("the", "film", "was", "plot", "acting", "quite", "very", "great", "awful", "and", "but")


class ReviewTask(Task):
    """Tiny attention task: a review is positive iff 'great' occurs; per_step marks those words."""

    name = "review"
    vocab = WORDS
    classes = ("neg", "pos")

    def __init__(self, output_kind="attention", seq_len=12):
        self.output_kind, self.seq_len = output_kind, seq_len
        super().__init__()

    def sample_batch(self, batch_size, generator):
        x = torch.randint(0, len(WORDS), (batch_size, self.seq_len), generator=generator)  # (B, T)
        great = (x == WORDS.index("great")).long()
        return (x, great) if self.output_kind == "per_step" else (x, great.amax(-1))


def trained_trace(task, steps=120, seed=0, **cfg):
    cfg = {"hidden_size": 16, "embedding_dim": 8, **cfg}
    model = build_model(ModelConfig(**cfg), task, seed=seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        x, y = task.sample_batch(32, g)
        opt.zero_grad()
        task.loss(model(x), y).backward()
        opt.step()
    x, y = task.sample_batch(1, g)
    return probe(model, x, y, step=steps)


def shoot(panel, trace, path, t=3, light=False, size=(500, 300), after=None):
    panel.resize(*size)
    panel.set_theme(light)
    panel.show()
    panel.set_trace(trace)
    panel.set_time(t)
    if after:
        after(panel)
    QApplication.processEvents()
    panel.grab().save(str(path))
    print("saved", path)


def main(outdir: pathlib.Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    QApplication.instance() or QApplication([])
    adding = make_task("adding", seq_len=20)
    lstm_bi2 = trained_trace(adding, cell="lstm", bidirectional=True, num_layers=2, hidden_size=24)
    lstm = trained_trace(adding, cell="lstm", hidden_size=32)
    gru = trained_trace(make_task("parity", seq_len=12), cell="gru", bidirectional=True)
    rnn = trained_trace(adding, cell="rnn_tanh")
    relu = trained_trace(adding, cell="rnn_relu")
    attn = trained_trace(ReviewTask("attention"), cell="gru", steps=200)
    attn_bi = trained_trace(ReviewTask("attention"), cell="lstm", bidirectional=True, merge="concat")
    attn_long = trained_trace(ReviewTask("attention", seq_len=60), cell="gru", steps=60)
    tagging = trained_trace(ReviewTask("per_step"), cell="gru", bidirectional=True)
    long_parity = trained_trace(make_task("parity", seq_len=200), cell="gru", steps=10)

    shots = [
        (UnrolledView, lstm, "unrolled_lstm_regression_dark", {}),
        (UnrolledView, lstm_bi2, "unrolled_bi2_regression_light", {"light": True}),
        (UnrolledView, lstm_bi2, "unrolled_bi2_regression_fit_wide",
         {"size": (1400, 520), "after": lambda p: p.fit_to_view()}),
        (UnrolledView, tagging, "unrolled_bi_per_step_dark", {"size": (700, 420)}),
        (UnrolledView, attn, "unrolled_attention_dark", {"t": 10, "size": (700, 360)}),
        (UnrolledView, attn_bi, "unrolled_attention_bi_concat_light",
         {"light": True, "t": 11, "size": (700, 420)}),
        (UnrolledView, long_parity, "unrolled_T200_dark", {"t": 120}),
        (UnrolledView, long_parity, "unrolled_T200_fit", {"after": lambda p: p.fit_to_view()}),
        (UnrolledView, lstm, "unrolled_backward_frame_dark",
         {"t": 12, "after": lambda p: p.set_backward_step(12)}),
        (HiddenHeatmap, lstm, "heatmap_lstm_h_dark", {"t": 7}),
        (HiddenHeatmap, lstm, "heatmap_lstm_c_light",
         {"light": True, "t": 7, "after": lambda p: p.state_combo.setCurrentIndex(1)}),
        (HiddenHeatmap, gru, "heatmap_gru_backward_dark",
         {"after": lambda p: p.selectors.direction_combo.setCurrentIndex(1)}),
        (HiddenHeatmap, long_parity, "heatmap_T200_dark", {"t": 150}),
        (GatesPanel, lstm, "gates_lstm_dark", {"t": 7}),
        (GatesPanel, gru, "gates_gru_light", {"light": True, "t": 5}),
        (GatesPanel, lstm, "gates_lstm_large_dark", {"t": 7, "size": (900, 650)}),
        (GatesPanel, rnn, "gates_rnn_tanh_dark", {}),
        (GatesPanel, relu, "gates_rnn_relu_light", {"light": True}),
        (AttentionPanel, attn, "attention_gru_dark", {"t": 4}),
        (AttentionPanel, attn_bi, "attention_bi_light", {"light": True, "t": 2}),
        (AttentionPanel, attn_long, "attention_T60_dark", {"t": 30}),
        (AttentionPanel, lstm, "attention_regression_explained_dark", {}),
        (AttentionPanel, tagging, "attention_per_step_explained_light", {"light": True}),
    ]
    for cls, trace, name, opts in shots:
        shoot(cls(), trace, outdir / f"{name}.png", **opts)


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
