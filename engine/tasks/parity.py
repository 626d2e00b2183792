"""Parity: an acceptor reads a bit string and says whether it holds an odd number of ones."""
from __future__ import annotations

from engine.tasks.base import Param, Preset, Task, randint


class ParityTask(Task):
    name = "parity"
    title = "Parity (acceptor)"
    lecture_slide = "RNNs for classification (acceptor)"
    description = ("The network reads a string of bits and, after the last one, says whether it "
                   "holds an odd number of 1s (XOR of all bits). Only the final state is "
                   "classified, as in the lecture's acceptor: y = f(W_hy h_n + b_y). A 1 flips the "
                   "answer and a 0 keeps it, so the state must carry one bit of memory all the way. "
                   "With the length T fixed, the parity of the 0s decides it just as well (it equals "
                   "the parity of the 1s for even T), so a trained network may track either.")
    input_kind = "tokens"
    output_kind = "final"
    vocab = ("0", "1")
    neutral_token, neutral_note = "0", "a 0 leaves the parity as it is"
    classes = ("even", "odd")
    metric_name = "accuracy"
    baseline_note = "Both labels are equally likely, so guessing gives 50%."
    params_spec = (Param("seq_len", 10, 2, 200, "number of bits T"),)
    preset = Preset(cell="gru", hidden_size=32, lr=3e-2, batch_size=64, steps=1500,
                    extra={"max_norm": 5.0})

    baseline = 0.5  # a model that learned nothing
    pass_threshold = 0.95  # the metric that counts as solved

    def sample_batch(self, batch_size, generator):
        bits = randint(0, 1, (batch_size, self.params["seq_len"]), generator)  # (B, T)
        return bits, self.label_example(bits)

    def label_example(self, tokens):
        return tokens.sum(-1) % 2  # (B,) or ()
