"""The adding problem (Le, Jaitly & Hinton 2015): sum the two marked values of a long sequence."""
from __future__ import annotations

from engine.tasks.base import Param, Preset, Task
from engine.util.lazy import torch


class AddingTask(Task):
    name = "adding"
    title = "Adding problem (vanishing gradients)"
    lecture_slide = "Vanishing gradients"
    description = ("Each step carries a random value in [0, 1] and a marker bit; exactly two steps "
                   "are marked, one in each half. After the last step the network must output the "
                   "sum of the two marked values. The first marker can be T/2 steps back, so the "
                   "gradient has to survive a long trip back through time: simple RNNs stall at "
                   "the baseline while gated cells solve it (Le et al. 2015).")
    input_kind = "real"
    output_kind = "regression"
    input_dim = 2
    metric_name = "MSE"
    higher_is_better = False
    baseline_note = ("Always answering 1 (the mean of the sum of two U(0,1) values) gives "
                     "MSE = Var = 2/12 = 1/6 ~ 0.167.")
    params_spec = (Param("seq_len", 20, 2, 1000, "sequence length T"),)
    preset = Preset(cell="lstm", hidden_size=32, lr=1e-2, batch_size=64, steps=600, embedding_dim=8)

    pass_threshold = 0.01  # the metric that counts as solved

    @property
    def baseline(self) -> float:
        return 1.0 / 6.0

    def sample_batch(self, batch_size, generator):
        T = self.params["seq_len"]
        values = torch.rand(batch_size, T, generator=generator)  # (B, T)
        half = max(T // 2, 1)
        first = torch.randint(0, half, (batch_size,), generator=generator)  # (B,)
        second = torch.randint(half, T, (batch_size,), generator=generator) if T > 1 else first
        marks = torch.zeros(batch_size, T)
        rows = torch.arange(batch_size)
        marks[rows, first] = 1.0
        marks[rows, second] = 1.0
        inputs = torch.stack([values, marks], dim=-1)  # (B, T, 2)
        targets = (values * marks).sum(-1)  # (B,)
        return inputs, targets

    def render_inputs(self, inputs):
        return [f"{v:.2f}*" if m > 0.5 else f"{v:.2f}" for v, m in inputs.tolist()]
