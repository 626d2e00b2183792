"""The deck's last slide, run exactly: ``nn.RNN(10, 20, 2)`` on a (5, 3, 10) input with a given h0.

    rnn = nn.RNN(10, 20, 2)
    input = torch.randn(5, 3, 10)     # (T, B, input_size): batch_first is False by default
    h0 = torch.randn(2, 3, 20)        # (num_layers * directions, B, hidden_size)
    output, hn = rnn(input, h0)       # output (5, 3, 20): the top layer's h_t; hn (2, 3, 20): each layer's h_T

``pytorch_example(model)`` builds that module with the weights of the app's model (whose encoder must
be a 2-layer tanh RNN with input size 10 and hidden size 20: Lecture > PyTorch example), runs the
slide's code, and runs the same input through the app's own step-by-step recurrence
(``engine.network.probe.unroll``, what the panels show) one batch element at a time from the same h0. The
two agree to float32 rounding.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engine.network.probe import unroll

SLIDE = {"input_size": 10, "hidden_size": 20, "num_layers": 2, "T": 5, "batch": 3}
CODE = ("rnn = nn.RNN(10, 20, 2)\n"
        "input = torch.randn(5, 3, 10)\n"
        "h0 = torch.randn(2, 3, 20)\n"
        "output, hn = rnn(input, h0)")


def pytorch_example(model, seed: int = 0) -> dict:
    """{"code", "input", "h0", "output", "hn" (the slide's tensors as numpy), "app_output",
    "app_hn" (the app's recurrence), "max_abs_diff"}. ValueError if the model is not the slide's."""
    cfg = model.config
    E, H, L, T, B = (SLIDE[k] for k in ("input_size", "hidden_size", "num_layers", "T", "batch"))
    if (cfg.cell, cfg.embedding_dim, cfg.hidden_size, cfg.num_layers, cfg.bidirectional) != \
            ("rnn_tanh", E, H, L, False):
        raise ValueError("the slide's nn.RNN(10, 20, 2) needs a simple tanh RNN with embedding E = 10, "
                         "hidden H = 20, 2 layers, one direction: choose Lecture > PyTorch example")
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(T, B, E, generator=g)  # input = torch.randn(5, 3, 10)
    h0 = torch.randn(L, B, H, generator=g)  # h0 = torch.randn(2, 3, 20)
    rnn = nn.RNN(E, H, L)  # the slide's module, seq-first like the slide
    with torch.no_grad():
        rnn.load_state_dict(model.encoder.state_dict())  # the same parameter names and shapes
        output, hn = rnn(x, h0)  # (5, 3, 20), (2, 3, 20)
        app_out, app_hn = torch.empty(T, B, H), torch.empty(L, B, H)
        for b in range(B):  # the app's step-by-step recurrence, one sequence at a time
            out_b, states, _c, _g = unroll(model, x[:, b], h0[:, b])  # (T, H)
            app_out[:, b] = out_b
            for layer in range(L):
                app_hn[layer, b] = states[layer][0][T - 1]  # h_T of each layer
    diff = max(float((output - app_out).abs().max()), float((hn - app_hn).abs().max()))
    return {"code": CODE, "input": x.numpy(), "h0": h0.numpy(), "output": output.numpy(), "hn": hn.numpy(),
            "app_output": app_out.numpy(), "app_hn": app_hn.numpy(), "max_abs_diff": diff,
            "note": "nn.RNN computes only h_t = tanh or ReLU(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) "
                    "(nonlinearity='tanh' or 'relu'); a GRU or LSTM is a different module, nn.GRU or nn.LSTM."}


def shapes_text(result: dict) -> list[tuple[str, tuple]]:
    return [(k, tuple(np.shape(result[k]))) for k in ("input", "h0", "output", "hn")]
