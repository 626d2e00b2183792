"""Trainer: advances by explicit ``step()`` calls on the fused modules and reports ``StepStats``.

UI-agnostic (minGPT's Trainer shape): the GUI worker thread, the CLI and the tests all drive it
the same way. History lives in fixed-size ring buffers, so a 20,000-step run holds bounded memory.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from engine.config import TrainConfig
from engine.network.model import SequenceModel
from engine.training.checkpoints import Checkpoints, flat_weights, load_flat

HISTORY_FIELDS = ("step", "loss", "metric", "grad_norm", "grad_norm_clipped", "clipped", "skipped")
MAX_STEP = 2**53  # the largest step count a file may hold: exact as a float, within int64 (2**63 broke the timeline)


@dataclass(frozen=True)
class StepStats:
    step: int  # steps taken so far, including this one
    loss: float
    metric: float
    grad_norm: float  # global gradient norm before clipping (nan when skipped before backward)
    grad_norm_clipped: float  # after clipping (equal to grad_norm when not clipped)
    clipped: bool
    skipped: bool  # non-finite loss, gradient or update: no change was applied
    diverged: bool  # same as skipped; the UI pauses on it


class History:
    """Ring buffers of the last ``capacity`` steps, one float64 column per field."""

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self.data = np.full((len(HISTORY_FIELDS), capacity), np.nan)
        self.count = 0  # rows ever written

    def append(self, stats: StepStats) -> None:
        col = self.count % self.capacity
        self.data[:, col] = [getattr(stats, f) for f in HISTORY_FIELDS]
        self.count += 1

    def __len__(self) -> int:
        return min(self.count, self.capacity)

    def arrays(self) -> dict[str, np.ndarray]:
        """Chronological copies of each column."""
        n = len(self)
        start = self.count % self.capacity if self.count > self.capacity else 0
        idx = (start + np.arange(n)) % self.capacity
        return {f: self.data[i, idx].copy() for i, f in enumerate(HISTORY_FIELDS)}

    def state(self) -> dict:
        return {"capacity": self.capacity, "count": self.count, "data": torch.from_numpy(self.data.copy())}

    def load_state(self, state: dict) -> None:
        data = state["data"].numpy()
        capacity, count = int(state["capacity"]), int(state["count"])
        if capacity < 1 or count < 0:
            raise ValueError("history has a negative count or no capacity")
        if data.shape != (len(HISTORY_FIELDS), capacity):
            raise ValueError("history has the wrong shape")
        self.capacity, self.count, self.data = capacity, count, data.astype(np.float64)


def make_optimizer(cfg: TrainConfig, params) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr)
    return torch.optim.Adam(params, lr=cfg.lr)


class Trainer:
    def __init__(self, model: SequenceModel, task, cfg: TrainConfig, history_capacity: int = 10_000):
        self.model, self.task, self.config = model, task, cfg
        self.params = [p for p in model.parameters() if p.requires_grad]
        self._initial_weights = copy.deepcopy(model.state_dict())
        self._backup = [p.detach().clone() for p in self.params]
        self.history = History(history_capacity)
        self.callbacks: list = []
        self.reset()

    # ---- lifecycle ---------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the initial weights, a fresh optimizer, the seed's batch stream, no history."""
        self.model.load_state_dict(self._initial_weights)
        self.optimizer = make_optimizer(self.config, self.params)
        self.generator = torch.Generator().manual_seed(self.config.seed)
        self.eval_generator = torch.Generator().manual_seed(self.config.seed + 1)
        self.step_count = 0
        self.history = History(self.history.capacity)
        self.checkpoints = Checkpoints(sum(p.numel() for p in self.params))
        self.checkpoints.offer(0, self.params)
        self.last_stats: StepStats | None = None
        self._mark_good()

    def _mark_good(self) -> None:
        """The current weights are the ones to go back to if the next step is not finite."""
        with torch.no_grad():
            torch._foreach_copy_(self._backup, [p.detach() for p in self.params])

    def add_callback(self, fn) -> None:
        """fn(trainer, stats) after every step."""
        self.callbacks.append(fn)

    def set_lr(self, lr: float) -> None:
        self.config = replace(self.config, lr=lr)  # validates
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def set_clip(self, clip: bool, max_norm: float | None = None) -> None:
        self.config = replace(self.config, clip=clip,
                              max_norm=self.config.max_norm if max_norm is None else max_norm)

    # ---- training ----------------------------------------------------------------------
    def step(self) -> StepStats:
        """Train on one batch. A non-finite loss, gradient or update applies nothing, and goes back to
        the weights before the previous update when their loss on this batch is finite: the update
        that made the loss overflow is undone (continuing from it would overflow again)."""
        model, cfg = self.model, self.config
        model.train()
        inputs, targets = self.task.sample_batch(cfg.batch_size, self.generator)
        self.optimizer.zero_grad(set_to_none=True)
        outputs = model(inputs)
        loss = self.task.loss(outputs, targets)
        loss_value = float(loss.detach())
        nan = float("nan")
        if not math.isfinite(loss_value):
            self._undo_last_update(inputs, targets)
            return self._finish(loss_value, nan, nan, nan, clipped=False, skipped=True)
        loss.backward()
        max_norm = cfg.max_norm if cfg.clip else float("inf")
        norm = float(torch.nn.utils.clip_grad_norm_(self.params, max_norm))
        if not math.isfinite(norm):
            self.optimizer.zero_grad(set_to_none=True)
            self._undo_last_update(inputs, targets)
            return self._finish(loss_value, nan, norm, norm, clipped=False, skipped=True)
        clipped = cfg.clip and norm > cfg.max_norm
        post = cfg.max_norm if clipped else norm
        torch._foreach_copy_(self._backup, [p.detach() for p in self.params])
        self.optimizer.step()
        if not bool(torch.isfinite(torch.stack(torch._foreach_norm(self.params))).all()):
            with torch.no_grad():
                torch._foreach_copy_([p.detach() for p in self.params], self._backup)
            return self._finish(loss_value, nan, norm, post, clipped=clipped, skipped=True)
        if self.task.output_kind == "regression" and self.task.metric_name == "MSE":
            metric = loss_value  # the loss is the metric; skip recomputing it
        else:
            with torch.no_grad():
                metric = self.task.metric(outputs.detach(), targets)
        return self._finish(loss_value, metric, norm, post, clipped=clipped, skipped=False)

    @torch.no_grad()
    def _undo_last_update(self, inputs, targets) -> None:
        """Back to the weights before the last update if they give a finite loss on this batch."""
        current = [p.detach().clone() for p in self.params]
        torch._foreach_copy_([p.detach() for p in self.params], self._backup)
        if not math.isfinite(float(self.task.loss(self.model(inputs), targets))):
            torch._foreach_copy_([p.detach() for p in self.params], current)

    def _finish(self, loss, metric, norm, post, *, clipped, skipped) -> StepStats:
        self.step_count += 1
        stats = StepStats(self.step_count, loss, metric, norm, post, bool(clipped), skipped, skipped)
        self.history.append(stats)
        self.checkpoints.offer(self.step_count, self.params)
        self.last_stats = stats
        for fn in self.callbacks:
            fn(self, stats)
        return stats

    @torch.no_grad()
    def evaluate(self, batches: int = 4, batch_size: int | None = None,
                 generator: torch.Generator | None = None) -> dict:
        """Mean loss and metric on fresh batches from a separate evaluation stream (or ``generator``'s)."""
        model = self.model
        was_training = model.training
        model.eval()
        losses, metrics = [], []
        try:
            for _ in range(batches):
                inputs, targets = self.task.sample_batch(batch_size or self.config.batch_size,
                                                         generator or self.eval_generator)
                outputs = model(inputs)
                losses.append(float(self.task.loss(outputs, targets)))
                metrics.append(self.task.metric(outputs, targets))
        finally:
            model.train(was_training)
        return {"loss": float(np.mean(losses)), "metric": float(np.mean(metrics))}

    # ---- persistence (used by engine.lab.files) ------------------------------------------
    def state_dict(self) -> dict:
        return {"step": self.step_count, "optimizer": self.optimizer.state_dict(),
                "generator": self.generator.get_state(), "eval_generator": self.eval_generator.get_state(),
                "history": self.history.state(), "initial_weights": self._initial_weights,
                "checkpoints": self.checkpoints.state()}

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()`` output; ValueError when it does not fit this model (hostile files)."""
        step = int(state["step"])
        if not 0 <= step <= MAX_STEP:
            raise ValueError(f"the step count {step} is out of range (0 to {MAX_STEP:,})")
        # the file's param_groups (lr, betas, ...) are ignored: the TrainConfig is the truth
        self.optimizer.load_state_dict({"state": self._checked_optimizer_state(state["optimizer"]["state"]),
                                        "param_groups": self.optimizer.state_dict()["param_groups"]})
        self.generator.set_state(state["generator"])
        self.eval_generator.set_state(state["eval_generator"])
        self.history.load_state(state["history"])
        self.step_count = step
        initial = state["initial_weights"]
        current = self.model.state_dict()
        if set(initial) != set(current) or any(
                not isinstance(initial[k], torch.Tensor) or initial[k].shape != current[k].shape
                or not bool(torch.isfinite(initial[k]).all()) for k in current):
            raise ValueError("initial weights do not match the model")
        self._initial_weights = {k: v.clone() for k, v in initial.items()}
        self._mark_good()
        self._load_checkpoints(state.get("checkpoints"))

    def _load_checkpoints(self, saved) -> None:
        """The file's checkpoints; a session saved before checkpoints existed gets steps 0 and now."""
        n = sum(p.numel() for p in self.params)
        if saved is not None:
            self.checkpoints = Checkpoints.from_state(saved, n, self.step_count)
            return
        self.checkpoints = Checkpoints(n)
        initial = [self._initial_weights[name] for name, _ in self.model.named_parameters()]
        self.checkpoints.offer(0, initial)
        if self.step_count > 0 and self.checkpoints.enabled:
            self.checkpoints.steps.append(self.step_count)  # off the stride, but it is what we have
            self.checkpoints.weights.append(flat_weights(self.params))

    def load_checkpoint(self, step: int, model=None) -> None:
        """Put the weights checkpointed at ``step`` into ``model`` (a copy of this trainer's model:
        viewing a checkpoint never touches the weights being trained). ValueError if there is none."""
        if model is None or model is self.model:
            raise ValueError("load a checkpoint into a copy of the model, not the one being trained")
        load_flat(list(model.parameters()), self.checkpoints.weights_at(step))

    def _checked_optimizer_state(self, saved) -> dict:
        """Per-parameter optimizer state: finite real tensors of the parameter's shape ("step": >= 0)."""
        if not isinstance(saved, dict):
            raise ValueError("optimizer state is not a mapping")
        required = {"step", "exp_avg", "exp_avg_sq"} if self.config.optimizer == "adam" else set()
        for key, entry in saved.items():
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(self.params) \
                    or not isinstance(entry, dict) or (entry and not required <= set(entry)):
                raise ValueError(f"optimizer state entry {key!r} does not match the model")
            for name, value in entry.items():
                shape = () if name == "step" else self.params[key].shape
                if not isinstance(value, torch.Tensor) or not value.is_floating_point() \
                        or value.shape != shape or not bool(torch.isfinite(value).all()) \
                        or (name == "step" and float(value) < 0):
                    raise ValueError(f"optimizer state {name!r} of parameter {key} does not fit the model")
        # own, dense copies: a crafted file can make tensors share or overlap memory
        return {k: {n: v.clone(memory_format=torch.contiguous_format) for n, v in e.items()}
                for k, e in saved.items()}
