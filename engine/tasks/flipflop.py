"""The 3-bit flip-flop (Sussillo & Barak 2013): three memories, each set by its own pulses.

Inputs are real (B, T, 3): each channel is 0 most of the time and now and then carries a pulse of
+1 or -1. The targets are real too, (B, T, 3): at every step each output holds the sign of the last
pulse its channel received. Every channel gets a pulse at the first step, so the answer is defined
from t = 1 on and the network has exactly 2^3 = 8 states to remember.
"""
from __future__ import annotations

from engine.tasks.base import Param, Preset, Task
from engine.util.lazy import F, torch

CHANNELS = 3


class FlipFlopTask(Task):
    name = "flipflop"
    title = "3-bit flip-flop (fixed points)"
    lecture_slide = "Inside the hidden state: memories are attractors"
    description = ("Three input channels are silent most of the time; now and then one carries a "
                   "pulse of +1 or -1. Each of the three outputs must hold, at every step, the sign "
                   "of the last pulse on its own channel, whatever the other two do: three "
                   "independent bits of memory, 2^3 = 8 states. A trained network stores each of "
                   "the 8 states as a stable fixed point of its recurrence, with saddle points "
                   "between them (Sussillo & Barak 2013): open the state-space panel and search "
                   "its fixed points.")
    input_kind = "real"
    output_kind = "per_step_regression"
    input_dim = CHANNELS
    output_dim = CHANNELS
    metric_name = "MSE"
    higher_is_better = False
    baseline_note = ("The outputs are +1 or -1 at every step: always answering 0 gives MSE = 1, "
                     "and answering each channel's first pulse forever gives about 0.5 after a "
                     "few flips.")
    params_spec = (Param("seq_len", 64, 4, 1000, "sequence length T"),
                   Param("pulse_percent", 5, 1, 50, "chance in percent that a channel pulses at a step"))
    preset = Preset(cell="rnn_tanh", hidden_size=64, embedding_dim=16, lr=3e-3, batch_size=32,
                    steps=600, extra={"max_norm": 5.0})
    max_typed_length = 0

    baseline = 1.0  # MSE of answering 0 (see baseline_note)
    pass_threshold = 0.05  # the metric that counts as solved

    @property
    def num_outputs(self) -> int:
        return self.output_dim

    def sample_batch(self, batch_size, generator):
        T, p = self.params["seq_len"], self.params["pulse_percent"] / 100.0
        pulse = torch.rand(batch_size, T, CHANNELS, generator=generator) < p  # (B, T, 3)
        pulse[:, 0] = True  # every memory is set at the start
        sign = torch.randint(0, 2, (batch_size, T, CHANNELS), generator=generator) * 2 - 1
        inputs = torch.where(pulse, sign, 0).to(torch.float32)  # (B, T, 3)
        return inputs, hold_last_pulse(inputs)

    def loss(self, outputs, targets):
        return F.mse_loss(outputs, targets)

    def metric(self, outputs, targets) -> float:
        return float(F.mse_loss(outputs, targets))

    def render_inputs(self, inputs):
        return [_signs(row) for row in inputs.tolist()]

    def render_targets(self, targets):
        return [_signs(row) for row in targets.reshape(-1, CHANNELS).tolist()]


def hold_last_pulse(inputs):
    """(B, T, 3) pulses -> (B, T, 3) the sign of the last non-zero input of each channel so far
    (0 before the first pulse)."""
    out = torch.zeros_like(inputs)
    held = torch.zeros_like(inputs[:, 0])  # (B, 3)
    for t in range(inputs.shape[1]):
        x = inputs[:, t]
        held = torch.where(x != 0, torch.sign(x), held)
        out[:, t] = held
    return out


def _signs(values) -> str:
    """One step of 3 channels as text: '+' / '-' for a value of either sign, '·' for about 0."""
    return "".join("+" if v > 0.5 else "-" if v < -0.5 else "\u00b7" for v in values)
