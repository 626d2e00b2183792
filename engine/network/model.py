"""SequenceModel: embed -> fused torch recurrent encoder -> one head per output kind.

The encoder is a plain ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM`` (batch_first=True) and holds the
only recurrent weights; training always runs on it. ``engine.network.probe`` re-runs the same
weights one layer at a time for display and calls ``head_forward`` so both paths share the head.
The initial state h_0 (c_0) is zero, a fixed random buffer, or a learned parameter
(``ModelConfig.h0``), in PyTorch's (layers x directions, H) layout; ``forward`` also takes one.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.config import ModelConfig
from engine.tasks.base import REGRESSION_KINDS, Task


@dataclass
class HeadResult:
    outputs: torch.Tensor  # what task.loss takes: logits, or (B,) values
    encoded: torch.Tensor  # (B, T, F) merged states h_i, F = H or 2H
    attention: torch.Tensor | None  # (B, T) alpha_i for the attention head


def make_encoder(cfg: ModelConfig, input_size: int) -> nn.RNNBase:
    common = dict(input_size=input_size, hidden_size=cfg.hidden_size, num_layers=cfg.num_layers,
                  bidirectional=cfg.bidirectional, batch_first=True)
    if cfg.cell == "lstm":
        return nn.LSTM(**common)
    if cfg.cell == "gru":
        return nn.GRU(**common)
    return nn.RNN(nonlinearity=cfg.cell.removeprefix("rnn_"), **common)


def gate_count(cell: str) -> int:
    """Row blocks stacked in weight_hh: LSTM i,f,g,o; GRU r,z,n; simple RNN one."""
    return {"lstm": 4, "gru": 3}.get(cell, 1)


def init_recurrent(encoder: nn.RNNBase, cfg: ModelConfig) -> None:
    """Apply the initialisation preset to every weight_hh block (one per gate)."""
    if cfg.init == "default":
        return
    H, k = cfg.hidden_size, gate_count(cfg.cell)
    with torch.no_grad():
        for name, p in encoder.named_parameters():
            if name.startswith("weight_hh"):
                for block in p.view(k, H, H):  # (gates, H, H)
                    if cfg.init == "orthogonal":
                        nn.init.orthogonal_(block)
                    else:
                        block.copy_(torch.eye(H))
            elif name.startswith("bias_") and cfg.init == "identity":
                p.zero_()  # IRNN: identity recurrence, zero biases (Le et al. 2015)


class SequenceModel(nn.Module):
    def __init__(self, cfg: ModelConfig, task: Task):
        super().__init__()
        self.config = cfg
        self.task = task  # plain attribute: the probe and the UI read its metadata
        self.output_kind = task.output_kind
        E, F = cfg.embedding_dim, cfg.encoded_size
        if task.input_kind == "tokens":
            self.embed = nn.Embedding(task.vocab_size, E)
        else:
            self.embed = nn.Linear(task.input_dim, E)
        self.encoder = make_encoder(cfg, E)
        init_recurrent(self.encoder, cfg)
        if self.output_kind == "attention":
            self.attn = nn.Linear(F, 1, bias=False)  # w_alpha
        self.head = nn.Linear(F, task.num_outputs)  # W_hy, b_y
        shape = (cfg.num_layers * cfg.num_directions, cfg.hidden_size)  # PyTorch's (L*D, H) per example
        names = ("h0", "c0") if cfg.cell == "lstm" else ("h0",)
        for name in names:  # zero: no tensor at all (the encoder's own default)
            if cfg.h0 == "random":
                self.register_buffer(name, torch.randn(shape))  # drawn last: other weights unchanged
            elif cfg.h0 == "learned":
                setattr(self, name, nn.Parameter(torch.zeros(shape)))

    def initial_state(self, batch: int, h0: torch.Tensor | None = None, c0: torch.Tensor | None = None):
        """(h0, c0 or None), each (L*D, B, H) or None for zeros: the given ones, else the model's own.

        ``h0``/``c0`` may be (L*D, H) for every example or (L*D, B, H), PyTorch's layout.
        """
        cfg = self.config
        if c0 is not None and cfg.cell != "lstm":
            raise ValueError(f"c0 is the LSTM's memory cell; a {cfg.cell} model takes only h0")
        h = self._state(batch, "h0", h0)
        c = self._state(batch, "c0", c0) if cfg.cell == "lstm" else None
        if cfg.cell == "lstm" and (h is None) != (c is None):  # torch takes both or neither
            zeros = torch.zeros(cfg.num_layers * cfg.num_directions, batch, cfg.hidden_size)
            h, c = (zeros if h is None else h), (zeros if c is None else c)
        return h, c

    def _state(self, batch: int, name: str, given):
        cfg = self.config
        LD, H = cfg.num_layers * cfg.num_directions, cfg.hidden_size
        state = getattr(self, name, None) if given is None else given
        if state is None:
            return None
        if not isinstance(state, torch.Tensor) or state.shape not in ((LD, H), (LD, batch, H)):
            shape = tuple(getattr(state, "shape", ()))
            raise ValueError(f"{name} must have shape ({LD}, {H}) or ({LD}, {batch}, {H}) "
                             f"(layers x directions, [batch,] hidden); got {shape}")
        state = state.to(torch.float32)
        return state.unsqueeze(1).expand(LD, batch, H).contiguous() if state.dim() == 2 else state

    def merge(self, out: torch.Tensor) -> torch.Tensor:
        """(B, T, D*H) top-layer outputs -> (B, T, F) h_i: sum (lecture) or concat (PyTorch)."""
        cfg = self.config
        if cfg.bidirectional and cfg.merge == "sum":
            H = cfg.hidden_size
            return out[..., :H] + out[..., H:]
        return out

    def head_forward(self, out: torch.Tensor) -> HeadResult:
        """Apply the head to the encoder's top-layer outputs ``out`` (B, T, D*H)."""
        encoded = self.merge(out)  # (B, T, F)
        attention = None
        if self.output_kind in ("per_step", "per_step_regression"):
            outputs = self.head(encoded)  # (B, T, C) logits, or (B, T, K) values
        elif self.output_kind == "attention":
            attention = torch.softmax(self.attn(encoded).squeeze(-1), dim=-1)  # (B, T)
            context = (attention.unsqueeze(-1) * encoded).sum(1)  # (B, F)
            outputs = self.head(context)  # (B, C)
        else:
            outputs = self.head(self.final_state(out))  # (B, C) or (B, 1)
            if self.output_kind == "regression":
                outputs = outputs.squeeze(-1)  # (B,)
        return HeadResult(outputs, encoded, attention)

    def final_state(self, out: torch.Tensor) -> torch.Tensor:
        """h_n for an acceptor: forward after the last token, backward after the first."""
        cfg = self.config
        if not cfg.bidirectional:
            return out[:, -1]  # (B, H)
        H = cfg.hidden_size
        fwd, bwd = out[:, -1, :H], out[:, 0, H:]  # (B, H) each
        return fwd + bwd if cfg.merge == "sum" else torch.cat([fwd, bwd], dim=-1)

    def run(self, inputs: torch.Tensor, h0: torch.Tensor | None = None,
            c0: torch.Tensor | None = None) -> HeadResult:
        x = self.embed(inputs)  # (B, T, E)
        h, c = self.initial_state(x.shape[0], h0, c0)  # (L*D, B, H) or None for zeros
        out, _ = self.encoder(x, h if c is None else (h, c))  # (B, T, D*H)
        return self.head_forward(out)

    def forward(self, inputs: torch.Tensor, h0: torch.Tensor | None = None,
                c0: torch.Tensor | None = None) -> torch.Tensor:
        """Head outputs for inputs (B, T[, F]) from h0/c0 ((L*D, H) or (L*D, B, H); default the
        model's own initial state, see ``ModelConfig.h0``)."""
        return self.run(inputs, h0, c0).outputs

    def probabilities(self, outputs: torch.Tensor) -> torch.Tensor:
        """What the head reports: class probabilities, or the regression value."""
        return outputs if self.output_kind in REGRESSION_KINDS else torch.softmax(outputs, dim=-1)


def build_model(cfg: ModelConfig, task: Task, seed: int = 0) -> SequenceModel:
    """A model for ``task``, its weights drawn from ``seed`` without touching global RNG state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return SequenceModel(cfg, task)
