"""Load a model exported by RNN Lab, with nothing but PyTorch and the Python standard library.

This file is copied verbatim into every exported model folder as ``load_model.py``:

    import sys; sys.path.insert(0, "my_model")   # the exported folder
    from load_model import load_model
    model = load_model("my_model")                # a torch.nn.Module in eval mode
    ids = model.encode("0110")                    # token ids (1, T), for a model that reads symbols
    outputs = model(ids)                          # what RNN Lab's model returns for these inputs

``forward(inputs)`` takes token ids (B, T) int64 or real values (B, T, F) float32 and returns the
head's raw outputs, exactly as RNN Lab computes them: logits (B, C) for an acceptor or an attention
head, (B, T, C) per step for a tagger or language model, values (B,) for regression
(``model.labels`` names the C classes). ``model.run(inputs)`` also returns the top layer's merged
states and, for the attention head, the weights alpha (B, T).

The weights in ``model.pt`` are a plain ``state_dict`` (``torch.save`` of tensors): ``embed.*`` (an
nn.Embedding for tokens, an nn.Linear for real-valued inputs), ``encoder.*`` exactly as torch.nn.RNN /
GRU / LSTM name them (batch_first=True), ``attn.weight`` for the attention head, ``head.*`` and, when
the initial state is not zero, ``h0`` (and ``c0`` for an LSTM), shape (layers x directions, H).
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

FORMAT = "rnnlab-model"
FORMAT_VERSION = 1


def make_encoder(cell: str, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool):
    common = dict(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                  bidirectional=bidirectional, batch_first=True)
    if cell == "lstm":
        return nn.LSTM(**common)
    if cell == "gru":
        return nn.GRU(**common)
    if cell in ("rnn_tanh", "rnn_relu"):
        return nn.RNN(nonlinearity=cell[4:], **common)
    raise ValueError(f"unknown cell {cell!r}; expected rnn_tanh, rnn_relu, gru or lstm")


class RNNLabModel(nn.Module):
    """embed -> torch recurrent encoder -> head, as described by a model.json."""

    def __init__(self, spec: dict):
        super().__init__()
        self.spec = spec
        self.cell, H = spec["cell"], spec["hidden_size"]
        self.hidden_size, self.num_layers = H, spec["num_layers"]
        self.bidirectional = bool(spec.get("bidirectional", False))
        self.merge = spec.get("merge", "sum")  # sum: fwd + bwd (the lecture); concat: [fwd; bwd] (PyTorch)
        E = spec["embedding_dim"]
        inp, out = spec["input"], spec["output"]
        self.input_kind, self.output_kind = inp["kind"], out["kind"]
        self.vocab = list(inp.get("vocab", []))  # token id -> symbol
        self.labels = list(out.get("labels", []))  # output index -> class or tag
        if self.input_kind == "tokens":
            self.embed = nn.Embedding(len(self.vocab), E)
        else:
            self.embed = nn.Linear(inp["input_dim"], E)
        self.encoder = make_encoder(self.cell, E, H, self.num_layers, self.bidirectional)
        F = 2 * H if self.bidirectional and self.merge == "concat" else H  # width of the merged h_i
        if self.output_kind == "attention":
            self.attn = nn.Linear(F, 1, bias=False)
        self.head = nn.Linear(F, 1 if self.output_kind == "regression" else len(self.labels))
        directions = 2 if self.bidirectional else 1
        shape = (self.num_layers * directions, H)  # PyTorch's (layers x directions, H)
        initial = spec.get("initial_state", "zero")
        for name in (("h0", "c0") if self.cell == "lstm" else ("h0",)):
            if initial == "learned":
                setattr(self, name, nn.Parameter(torch.zeros(shape)))
            elif initial == "random":
                self.register_buffer(name, torch.zeros(shape))  # the values come from model.pt

    def encode(self, text) -> torch.Tensor:
        """Token ids (1, T) of a string (one symbol per character, or space-separated words when the
        vocabulary has words) or of a list of symbols. A space, line break or tab is a character when the
        vocabulary has it (a language model's ' ', or the symbols a text file's model shows for them:
        ␣ ↵ ⇥); only a vocabulary without whitespace (a CSV of characters) skips it."""
        index = {s: i for i, s in enumerate(self.vocab)}
        if isinstance(text, str):
            if any(len(s) > 1 for s in self.vocab):
                text = text.split()
            else:
                shown = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}
                chars = [shown[c] if c not in index and shown.get(c) in index else c
                         for c in text.replace("\r\n", "\n")]
                chars = [" " if c.isspace() and c not in index and " " in index else c for c in chars]
                text = [c for c in chars if c in index or not c.isspace()]
        unknown = [s for s in text if s not in index]
        if unknown:
            raise ValueError(f"symbols not in the vocabulary: {unknown[:5]}")
        return torch.tensor([[index[s] for s in text]], dtype=torch.long)

    def _initial(self, batch: int):
        h0 = getattr(self, "h0", None)
        if h0 is None:
            return None
        LD, H = h0.shape
        h = h0.unsqueeze(1).expand(LD, batch, H).contiguous()  # (L*D, B, H)
        if self.cell != "lstm":
            return h
        return h, self.c0.unsqueeze(1).expand(LD, batch, H).contiguous()

    def run(self, inputs: torch.Tensor) -> dict:
        """{"outputs", "encoded" (B, T, F) merged top-layer states, "attention" (B, T) or None}."""
        x = self.embed(inputs)  # (B, T, E)
        out, _ = self.encoder(x, self._initial(x.shape[0]))  # (B, T, D*H)
        H = self.hidden_size
        merged = out[..., :H] + out[..., H:] if self.bidirectional and self.merge == "sum" else out  # (B, T, F)
        attention = None
        if self.output_kind == "per_step":
            outputs = self.head(merged)  # (B, T, C)
        elif self.output_kind == "attention":
            attention = torch.softmax(self.attn(merged).squeeze(-1), dim=-1)  # (B, T)
            outputs = self.head((attention.unsqueeze(-1) * merged).sum(1))  # (B, C)
        else:  # an acceptor reads h_n: forward after the last input, backward after the first
            if self.bidirectional:
                fwd, bwd = out[:, -1, :H], out[:, 0, H:]  # (B, H) each
                final = fwd + bwd if self.merge == "sum" else torch.cat([fwd, bwd], dim=-1)
            else:
                final = out[:, -1]  # (B, H)
            outputs = self.head(final)  # (B, C) or (B, 1)
            if self.output_kind == "regression":
                outputs = outputs.squeeze(-1)  # (B,)
        return {"outputs": outputs, "encoded": merged, "attention": attention}

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.run(inputs)["outputs"]


def load_model(folder=".") -> RNNLabModel:
    """The model in ``folder`` (model.json + model.pt), in eval mode. Never runs code from model.pt."""
    folder = Path(folder)
    spec = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    if spec.get("format") != FORMAT or spec.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{folder / 'model.json'} is not an RNN Lab model (format {FORMAT} {FORMAT_VERSION})")
    model = RNNLabModel(spec)
    state = torch.load(folder / "model.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


if __name__ == "__main__":  # python load_model.py [FOLDER]: describe the model
    import sys

    m = load_model(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    n = sum(p.numel() for p in m.parameters())
    print(f"{m.cell}, H={m.hidden_size}, {m.num_layers} layer(s), "
          f"{'bidirectional' if m.bidirectional else 'left to right'}, {m.output_kind} head, {n:,} parameters")
