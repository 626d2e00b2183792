"""Weight checkpoints over a training run, for the training timeline ("how did it get here?").

Policy (power-of-two thinning): a checkpoint is taken at every step whose number is a multiple of
``stride``, which starts at 1 (every step early on). When the slots are full, ``stride`` doubles and
the checkpoints that are not multiples of it are dropped, so between capacity/2 and capacity evenly
spaced checkpoints (64-128 with the default 128 slots) cover a run of any length, always including
step 0.

Memory bound: the checkpoints of one trainer hold at most ``CHECKPOINT_BUDGET`` bytes (64 MB) of
float32 weights. A model gets min(128, budget // (4 x parameters)) slots: models up to 131,072
parameters (every preset) get all 128; the largest the configuration allows (LSTM, H=512, 4
layers, bidirectional concat, E=512: 23.1 million parameters, 92 MB a copy) gets none, and the
timeline says so instead of taking gigabytes. Each checkpoint is one flat float32 tensor of the
parameters in ``model.parameters()`` order: restoring copies those bits back exactly.
"""
from __future__ import annotations

import torch

CHECKPOINT_BUDGET = 64 * 2**20  # bytes all checkpoints of one run may hold together
MAX_CHECKPOINTS = 128  # slots; thinning keeps 64-128 of them filled
MIN_CHECKPOINTS = 4  # fewer slots than this would not make a timeline: keep none


def checkpoint_capacity(num_params: int, budget: int = CHECKPOINT_BUDGET) -> int:
    slots = min(MAX_CHECKPOINTS, budget // max(4 * num_params, 1))
    return slots if slots >= MIN_CHECKPOINTS else 0


def flat_weights(params) -> torch.Tensor:
    """One float32 copy of all parameters, in order."""
    return torch.cat([p.detach().reshape(-1) for p in params]).clone()


def load_flat(params, flat: torch.Tensor) -> None:
    """Copy a ``flat_weights`` vector back into ``params`` (in place, bit-exact)."""
    with torch.no_grad():
        offset = 0
        for p in params:
            n = p.numel()
            p.copy_(flat[offset:offset + n].view_as(p))
            offset += n


class Checkpoints:
    def __init__(self, num_params: int, capacity: int | None = None):
        self.num_params = num_params
        self.capacity = checkpoint_capacity(num_params) if capacity is None else capacity
        self.stride = 1
        self.steps: list[int] = []
        self.weights: list[torch.Tensor] = []  # (num_params,) float32 each

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    @property
    def nbytes(self) -> int:
        return 4 * self.num_params * len(self.weights)

    def __len__(self) -> int:
        return len(self.steps)

    def offer(self, step: int, params) -> None:
        """Keep the weights after ``step`` if the policy wants that step."""
        if not self.enabled or step % self.stride or (self.steps and step <= self.steps[-1]):
            return
        self.steps.append(step)
        self.weights.append(flat_weights(params))
        self._thin()

    def _thin(self) -> None:
        """Double the stride until the checkpoints fit their slots."""
        while len(self.steps) > self.capacity:
            self.stride *= 2
            kept = [i for i, s in enumerate(self.steps) if s % self.stride == 0]
            self.steps = [self.steps[i] for i in kept]
            self.weights = [self.weights[i] for i in kept]

    def nearest(self, step: int) -> int:
        """The checkpointed step closest to ``step`` (ties: the earlier one). ValueError when empty."""
        if not self.steps:
            raise ValueError("this run has no checkpoints")
        return min(self.steps, key=lambda s: (abs(s - step), s))

    def weights_at(self, step: int) -> torch.Tensor:
        try:
            return self.weights[self.steps.index(step)]
        except ValueError:
            raise ValueError(f"no checkpoint at step {step}") from None

    # ---- persistence ---------------------------------------------------------------------
    def state(self) -> dict:
        weights = torch.stack(self.weights) if self.weights else torch.zeros(0, self.num_params)
        return {"stride": self.stride, "steps": torch.tensor(self.steps, dtype=torch.int64),
                "weights": weights}

    @classmethod
    def from_state(cls, state, num_params: int, last_step: int) -> Checkpoints:
        """Checked restore of ``state()``; ValueError when it does not fit (hostile or damaged files)."""
        if not isinstance(state, dict):
            raise ValueError("checkpoints are not a mapping")
        stride, steps, weights = state["stride"], state["steps"], state["weights"]
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1 or stride & (stride - 1):
            raise ValueError("the checkpoint stride is not a positive power of two")
        if not isinstance(steps, torch.Tensor) or steps.dtype != torch.int64 or steps.dim() != 1:
            raise ValueError("checkpoint steps are not a list of step numbers")
        if not isinstance(weights, torch.Tensor) or weights.dtype != torch.float32 \
                or weights.shape != (len(steps), num_params):
            raise ValueError("checkpoint weights do not match the model")
        values = steps.tolist()
        if any(b <= a for a, b in zip(values, values[1:], strict=False)) \
                or any(s < 0 or s > last_step for s in values):
            raise ValueError("checkpoint steps are not increasing steps of this run")
        if not bool(torch.isfinite(weights).all()):
            raise ValueError("checkpoint weights are not finite")
        self = cls(num_params)
        self.stride = stride
        own = weights.clone(memory_format=torch.contiguous_format)  # a file may overlap storage
        self.steps, self.weights = values, [w.clone() for w in own]
        if self.enabled:
            self._thin()  # saved with more slots than this model gets now
        else:
            self.steps, self.weights = [], []
        return self
