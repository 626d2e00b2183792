"""What the equations panel prints about PyTorch: code that builds the configured model, and how the
lecture's W_xh, W_hh, b map onto one layer's parameter names and shapes."""
from __future__ import annotations

GATE_ROWS = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}  # torch's chunk order in weight_*
TORCH_CLASS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN", "rnn_relu": "RNN"}


def model_code(config: dict, vocab_size: int | None, num_outputs: int | None, input_dim: int | None,
               output_kind: str) -> str:
    """PyTorch code that builds the configured model (same module names as engine.SequenceModel)."""
    m = config["model"]
    cell, H, L, E = m["cell"], m["hidden_size"], m["num_layers"], m["embedding_dim"]
    bi, merge = bool(m["bidirectional"]), m.get("merge", "sum")
    F = 2 * H if bi and merge == "concat" else H
    C = num_outputs if num_outputs else 2
    V = vocab_size or 2
    lines = ["import torch", "from torch import nn", "",
             f"# RNN Lab: task {config.get('task', '?')}, {TORCH_CLASS[cell]} ({cell}), {L} layer(s)"
             + (f", bidirectional, merge by {merge}" if bi else "")]
    if input_dim:
        lines.append(f"embed = nn.Linear({input_dim}, {E})  # x_t: {input_dim} input features -> {E}")
    else:
        note = "" if vocab_size else "  # set to len(task.vocab)"
        lines.append(f"embed = nn.Embedding({V}, {E})  # x_t: a {E}-dim vector per token{note}")
    extra = ", nonlinearity='relu'" if cell == "rnn_relu" else ""
    lines.append(f"rnn = nn.{TORCH_CLASS[cell]}(input_size={E}, hidden_size={H}, num_layers={L}, "
                 f"batch_first=True, bidirectional={bi}{extra})")
    init = m.get("init", "default")
    if init != "default":
        k = len(GATE_ROWS.get(cell, ("h",)))
        block = "nn.init.orthogonal_(block)" if init == "orthogonal" else f"block.copy_(torch.eye({H}))"
        lines += [f"with torch.no_grad():  # {init} initialisation of every recurrent (H, H) block",
                  "    for name, p in rnn.named_parameters():",
                  "        if name.startswith('weight_hh'):",
                  f"            for block in p.view({k}, {H}, {H}):  # one block per gate",
                  f"                {block}"]
        if init == "identity":
            lines += ["        elif name.startswith('bias_'):", "            p.zero_()"]
    h0 = m.get("h0", "zero")
    LD = L * (1 + bi)
    states = ("h0", "c0") if cell == "lstm" else ("h0",)
    if h0 == "random":
        lines += [f"{s} = torch.randn({LD}, {H})  # the initial state, drawn once (set to the model's)" for s in states]
    elif h0 == "learned":
        lines += [f"{s} = nn.Parameter(torch.zeros({LD}, {H}))  # the initial state, trained" for s in states]
    if output_kind == "attention":
        lines.append(f"w_alpha = nn.Linear({F}, 1, bias=False)  # w_α")
    lines += [f"head = nn.Linear({F}, {C})  # W_hy, b_y", "", "", "def forward(inputs):",
              f"    x = embed(inputs)  # (B, T, {E})"]
    if h0 == "zero":
        run = "rnn(x)  # h_0 = 0;"
    else:
        lines += [f"    {s}_batch = {s}.unsqueeze(1).expand({LD}, x.shape[0], {H}).contiguous()  # ({LD}, B, {H})"
                  for s in states]
        run = "rnn(x, (h0_batch, c0_batch))" if cell == "lstm" else "rnn(x, h0_batch)"
    run += "" if h0 == "zero" else "  #"
    lines += [f"    out, {'(h_n, c_n)' if cell == 'lstm' else 'h_n'} = {run} out: (B, T, {H * (1 + bi)})"
              + ("  [h→_t; h←_t] concatenated" if bi else "")]
    if bi and merge == "sum":
        lines.append(f"    h = out[..., :{H}] + out[..., {H}:]  # the lecture's sum: h_i = h→_i + h←_i")
    else:
        lines.append("    h = out" + ("  # PyTorch's concat: h_i = [h→_i; h←_i]" if bi else "  # h_i"))
    if output_kind == "per_step":
        lines.append(f"    return head(h)  # (B, T, {C}): y_t = W_hy h_t + b_y (softmax in the loss)")
    elif output_kind == "per_step_regression":
        lines.append(f"    return head(h)  # (B, T, {C}): y_t = W_hy h_t + b_y, real values (MSE loss)")
    elif output_kind == "attention":
        lines += ["    alpha = torch.softmax(w_alpha(h).squeeze(-1), dim=-1)  # (B, T): α_i",
                  f"    return head((alpha.unsqueeze(-1) * h).sum(1))  # (B, {C}): y = f(Σ α_i h_i)"]
    else:
        if not bi:
            lines.append("    head_in = out[:, -1]  # h_n, the final state")
        else:
            fwd, bwd = f"out[:, -1, :{H}]", f"out[:, 0, {H}:]"
            joined = f"{fwd} + {bwd}" if merge == "sum" else f"torch.cat([{fwd}, {bwd}], dim=-1)"
            lines.append(f"    head_in = {joined}  # h→_n after the last token, h←_1 after the first")
        if output_kind == "regression":
            lines.append("    return head(head_in).squeeze(-1)  # (B,): y = W_hy head_in + b_y")
        else:
            lines.append(f"    return head(head_in)  # (B, {C}): y = f(W_hy head_in + b_y)")
    example = f"torch.rand(1, 10, {input_dim})" if input_dim else f"torch.randint(0, {V}, (1, 10))"
    lines += ["", "", f"inputs = {example}  # one sequence of 10 steps", "y = forward(inputs)"]
    return "\n".join(lines) + "\n"


def layout_rows(cell: str, layer: int, d: int, H: int, E: int | None, D: int, unit: int) -> list[tuple]:
    """(PyTorch name, shape, what it holds) for one layer/direction's parameters."""
    gates = GATE_ROWS.get(cell, ("h",))
    G = len(gates)
    sfx = f"_l{layer}" + ("_reverse" if d else "")
    width = (E if E else "E") if layer == 0 else D * H
    blocks = ", ".join(f"{g}: rows {k * H}–{(k + 1) * H - 1}" for k, g in enumerate(gates))
    rows_u = ", ".join(str(k * H + unit) for k in range(G))
    if G == 1:
        return [(f"weight_ih{sfx}", f"({H}, {width})", "W_xh"),
                (f"weight_hh{sfx}", f"({H}, {H})", f"W_hh; unit {unit} uses row {unit}"),
                (f"bias_ih{sfx}", f"({H},)", "PyTorch adds two biases:"),
                (f"bias_hh{sfx}", f"({H},)", "the lecture's b_h = b_ih + b_hh")]
    if cell == "gru":  # b_hn is multiplied by r_t: the two n biases do not simply add up
        bias_note = ("b_h·: for r and z the lecture's b = b_i + b_h; not for n, whose b_hn sits inside "
                     "r_t ⊙ (W_hn h + b_hn) while b_in is outside")
    else:
        bias_note = "b_h· (the lecture's b = b_ih + b_hh for every gate)"
    return [(f"weight_ih{sfx}", f"({G * H}, {width})", f"W_x· stacked ({blocks})"),
            (f"weight_hh{sfx}", f"({G * H}, {H})", f"W_h· stacked; unit {unit} uses rows {rows_u}"),
            (f"bias_ih{sfx}", f"({G * H},)", "b_i·; PyTorch adds two biases:"),
            (f"bias_hh{sfx}", f"({G * H},)", bias_note)]
