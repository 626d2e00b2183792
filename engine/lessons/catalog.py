"""What a lesson can measure: the names a lesson file uses in ``expect`` and ``{placeholders}``.

Torch-free (the window validates lesson files without loading torch); the computations live in
``engine.lessons.measures`` under the same names (a test checks the two agree).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureInfo:
    kind: str  # "number" or "text"
    meaning: str  # one line, for lesson writers (README) and error messages
    tasks: tuple[str, ...] = ()  # the tasks it exists for (empty: every task)
    cells: tuple[str, ...] = ()  # the cells it exists for (empty: every cell)


MEASURES: dict[str, MeasureInfo] = {
    "step": MeasureInfo("number", "training steps taken since the weights were last fresh"),
    "loss": MeasureInfo("number", "mean loss on 8 fresh batches (not trained on)"),
    "metric": MeasureInfo("number", "the task's metric on 8 fresh batches (accuracy, MSE, bits per character)"),
    "train_metric": MeasureInfo("number", "the task's metric on the last training batch"),
    "baseline": MeasureInfo("number", "the metric of a model that learned nothing useful (the task's baseline)"),
    "pass_threshold": MeasureInfo("number", "the metric that counts as solved"),
    "seq_len": MeasureInfo("number", "the sequence length T"),
    "hidden_size": MeasureInfo("number", "hidden units H per direction"),
    "grad_first": MeasureInfo("number", "‖dL/dh_t‖ at t = 1 of the displayed example (first layer, left to right)"),
    "grad_last": MeasureInfo("number", "‖dL/dh_t‖ at t = T of the displayed example"),
    "grad_ratio": MeasureInfo("number", "grad_first / grad_last: how much of the gradient reaches the first step"),
    "grad_mid": MeasureInfo("number", "‖dL/dh_t‖ half way back, at t = T/2 (rounded up)"),
    "grad_mid_ratio": MeasureInfo("number", "grad_mid / grad_last: how much of the gradient reaches t = T/2"),
    "grad_zero_steps": MeasureInfo("number", "steps t where ‖dL/dh_t‖ is exactly zero (below float32's smallest "
                                   "number)"),
    "grad_norm_max": MeasureInfo("number", "largest global gradient norm (before clipping) of any training step"),
    "clipped_share": MeasureInfo("number", "fraction of the training steps whose gradient clipping scaled down"),
    "diverged": MeasureInfo("number", "1 if a training step had a loss or gradient that was not finite, else 0"),
    "diverged_step": MeasureInfo("number", "the first training step that was not finite (0 if none)"),
    "spectral_radius": MeasureInfo("number", "largest |eigenvalue| of the first layer's W_hh"),
    "uniform_bits": MeasureInfo("number", "log2 of the number of symbols: bits per symbol of a uniform guess"),
    "ambiguous_accuracy": MeasureInfo("number", "tagging accuracy on the words that are adjective or noun "
                                      "(light, cold, green, ...), 8 fresh batches", ("tagging",)),
    "other_accuracy": MeasureInfo("number", "tagging accuracy on every other word, 8 fresh batches", ("tagging",)),
    "attention_polarity": MeasureInfo("number", "share of the attention weight on polarity words "
                                      "(256 fresh reviews)", ("sentiment",)),
    "attention_uniform": MeasureInfo("number", "the share that even attention would give the polarity words",
                                     ("sentiment",)),
    "forget_gate_mean": MeasureInfo("number", "mean forget gate f_t over the displayed example", cells=("lstm",)),
    "update_gate_mean": MeasureInfo("number", "mean update gate z_t over the displayed example", cells=("gru",)),
    "output_shape": MeasureInfo("text", "shape of output from the slide's nn.RNN(10, 20, 2) code", cells=("rnn_tanh",)),
    "hn_shape": MeasureInfo("text", "shape of hn from the slide's code", cells=("rnn_tanh",)),
    "max_abs_diff": MeasureInfo("number", "largest difference between nn.RNN and the app's step-by-step numbers",
                                cells=("rnn_tanh",)),
    "pytorch_numbers": MeasureInfo("number", "how many numbers (output and hn) the comparison covers",
                                   cells=("rnn_tanh",)),
}

# the values a reveal is checked against when a lesson is loaded (formats must work on them)
SAMPLE = {"number": 0.5, "text": "(5, 3, 20)"}
