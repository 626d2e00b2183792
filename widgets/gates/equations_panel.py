"""EquationsPanel: the current cell's equations in the lecture's notation, with the numbers filled in
(the PyTorch code and parameter table come from equations_code.py).

For the selected layer, direction, step t (the time cursor) and unit u it shows every gate and state
of that unit from the trace (LSTM i, f, g, o, c, h; GRU r, z, n, h in torch's form; simple RNN
h_{t-1}, h_t), the arithmetic of the state update with those numbers, the bidirectional merge and
the attention weight when they apply, then how the lecture's W_xh, W_hh, b_h map onto PyTorch's
parameter names and shapes, and PyTorch code that builds the current model (``set_config``), with a
Copy button. Numbers are printed to ``DECIMALS`` places; ``data_table`` has them at full precision.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSpinBox, QTextBrowser

from widgets.explain.text import adding_up, fixed
from widgets.gates.equations_code import layout_rows, model_code
from widgets.parts.base import Panel, apply_palette
from widgets.parts.empty_state import EmptyState
from widgets.parts.notation import head_input, head_input_name, state_html, weight_html
from widgets.parts.panel_parts import CaptionBelow, SelectorRow, token_at

DECIMALS = 3
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "simple RNN (tanh)", "rnn_relu": "simple RNN (ReLU)"}
LSTM_GATES = (("i", "input", "σ", "input gate"), ("f", "forget", "σ", "forget gate"),
              ("g", "cell_candidate", "tanh", "cell candidate"), ("o", "output", "σ", "output gate"))
GRU_NOTE = ("PyTorch (and cuDNN) apply the reset gate <i>after</i> the matrix product, r<sub>t</sub> ⊙ "
            "(W<sub>hn</sub> h<sub>{p}</sub> + b<sub>hn</sub>). The original GRU (Cho et al. 2014) resets "
            "<i>before</i> it: W<sub>hn</sub> (r<sub>t</sub> ⊙ h<sub>{p}</sub>). Some texts also swap "
            "z<sub>t</sub> and 1 − z<sub>t</sub>.")


fmt = fixed  # a number as printed in the panel: DECIMALS places (more for an operand where 3 would not give
# the printed result: widgets.explain.text.adding_up), a real minus sign


def par(v: float, decimals: int = DECIMALS) -> str:
    """fmt(v), in parentheses when negative (for products)."""
    s = fmt(v, decimals)
    return f"({s})" if s.startswith("−") else s


def sub(name: str, index: str) -> str:
    return f"{name}<sub>{index}</sub>"


class EquationsPanel(Panel):

    def __init__(self, parent=None):
        super().__init__("equationsPanel", parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.config: dict | None = None
        self.info: dict = {}
        self.rows: list[tuple[str, object]] = []  # (quantity, value) behind the numbers shown
        controls = QHBoxLayout()
        controls.setSpacing(4)
        self.selectors = SelectorRow("equations")
        self.selectors.changed.connect(self._on_selection_changed)
        self.unit_spin = QSpinBox(objectName="equationsUnitSpin")
        self.unit_spin.setPrefix("unit ")
        self.unit_spin.setRange(0, 0)
        self.unit_spin.setToolTip("Which hidden unit's numbers to show (index into h_t).")
        self.unit_spin.valueChanged.connect(self._on_unit_changed)
        self.copy_button = QPushButton("Copy code", objectName="equationsCopyButton")
        self.copy_button.setToolTip("Copy PyTorch code that builds this model to the clipboard.")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.where = QLabel("", objectName="equationsWhereLabel")
        self.where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.where.setWordWrap(True)  # a caption wraps rather than running off a narrow panel
        for w in (self.selectors, self.unit_spin):
            controls.addWidget(w)
        controls.addWidget(self.where, 1)
        controls.addWidget(self.copy_button)
        self._layout.addLayout(controls)
        self.where_place = CaptionBelow(self, controls, self.where, self._layout)  # under them when narrow
        self.text = QTextBrowser(objectName="equationsText")
        self.text.setOpenExternalLinks(False)
        self.text.setMinimumSize(200, 120)
        self.text.document().setDefaultStyleSheet("p { margin-top: 3px; margin-bottom: 6px; } "
                                                  "h4 { margin-top: 8px; margin-bottom: 2px; }")
        self._layout.addWidget(self.text, 1)
        self.empty = EmptyState(self, "the cell's equations with the numbers of step t, and the PyTorch code,\n"
                                "appear with the first example", self.text)
        self.set_theme(False)

    # ---- controller API ----------------------------------------------------------------
    def set_config(self, config: dict) -> None:
        """The app's LabConfig.to_dict(): {"task", "task_params", "model": {...}, "train": {...}}."""
        self.config = config
        self._refresh()

    def set_task_info(self, info: dict) -> None:
        self.info = dict(info or {})
        self._refresh()

    def set_trace(self, trace) -> None:
        super().set_trace(trace)
        L, D, _T, H = trace.hidden.shape
        self.selectors.update_shape(L, D)
        self.unit_spin.blockSignals(True)
        self.unit_spin.setRange(0, H - 1)
        self.unit_spin.blockSignals(False)
        self._refresh()

    def set_time(self, t: int) -> None:
        super().set_time(t)
        self._refresh()

    def set_theme(self, light: bool) -> None:
        super().set_theme(light)
        apply_palette(self, self.theme)
        self._refresh()

    # ---- content -----------------------------------------------------------------------
    def code(self) -> str:
        """PyTorch code for the configured model ("" before set_config)."""
        if self.config is None:
            return ""
        tr = self.trace
        vocab = self.info.get("vocab")
        real = tr is not None and np.ndim(tr.input_values) == 2
        outputs = None if tr is None else (1 if tr.output_kind == "regression" else int(tr.outputs.shape[-1]))
        kind = tr.output_kind if tr is not None else self.info.get("output_kind", "final")
        return model_code(self.config, len(vocab) if vocab else None, outputs,
                          int(tr.input_values.shape[-1]) if real else None, kind)

    def html(self) -> str:
        return self.text.toHtml()

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def _refresh(self) -> None:
        th = self.theme
        ink, muted, accent = th["foreground"], th["muted"], th["accent"]
        self.rows = []
        self.empty.set_empty(self.trace is None and self.config is None)
        if self.empty.shown():
            self.copy_button.setEnabled(False)
            self.text.clear()
            return
        parts = [f"<div style='color:{ink}'>"]
        if self.trace is not None:
            parts += self._equations(accent, muted)
        else:
            parts.append(f"<p style='color:{muted}'>The equations appear with numbers once there is an "
                         "example.</p>")
        parts += self._pytorch(muted)
        parts.append("</div>")
        self.copy_button.setEnabled(self.config is not None)
        bar = self.text.verticalScrollBar().value()
        self.text.setHtml("".join(parts))
        self.text.verticalScrollBar().setValue(bar)  # keep the reader's place while t moves

    def _value(self, quantity: str, v: float, accent: str) -> str:
        self.rows.append((quantity, float(v)))
        return f"<b style='color:{accent}'>{fmt(v)}</b>"

    def _equations(self, accent: str, muted: str) -> list[str]:
        tr = self.trace
        layer, d = self.selectors.selection()
        t, u = self.clamp_time(self.time), min(self.unit_spin.value(), tr.hidden_size - 1)
        T, D = tr.seq_len, tr.num_directions
        prev = t - 1 if d == 0 else t + 1  # the step this chain read before t
        has_prev = 0 <= prev < T
        p = "t−1" if d == 0 else "t+1"
        arrow = ("", " →", " ←")[(d + 1) * (D - 1)]
        name = CELL_NAMES.get(tr.cell_type, tr.cell_type)
        self.where.setText(f"{name} · layer {layer + 1}{arrow} · t = {t + 1}")  # the token is in the text
        self.rows += [("t", t), ("unit", u), ("layer", layer + 1),
                      ("direction", "backward" if d else "forward")]
        h0 = 0.0 if tr.initial_hidden is None else float(tr.initial_hidden[layer, d, u])  # h_0 (zero by default)
        h, h_prev = tr.hidden[layer, d, t, u], (tr.hidden[layer, d, prev, u] if has_prev else h0)
        kind = "linear map of the input" if np.ndim(tr.input_values) == 2 else "embedding of"
        x_note = f"x<sub>t</sub> = {kind} ‘" + html.escape(token_at(tr, t)) + "’" if layer == 0 else \
            f"x<sub>t</sub> = layer {layer}'s " + ("[h→<sub>t</sub>; h←<sub>t</sub>]" if D == 2 else "h<sub>t</sub>")
        hs = lambda i: state_html("h", d, D, i)  # noqa: E731  (h→_t / h←_t in a bidirectional model)
        cs = lambda i: state_html("c", d, D, i)  # noqa: E731
        first = "" if has_prev else f" ({hs(p)} = h<sub>0</sub> = {fmt(h0)}: the initial state)"
        out = [f"<p style='color:{muted}'>unit {u}, step t = {t + 1}; {x_note}{first}</p>"]
        mv = lambda q, v: self._value(q, v, accent)  # noqa: E731
        pre = lambda k: (f"{weight_html('i' + k, d, D)} x<sub>t</sub> + b<sub>i{k}</sub> + "  # noqa: E731
                         f"{weight_html('h' + k, d, D)} {hs(p)} + b<sub>h{k}</sub>")
        if tr.cell_type == "lstm":
            g = {k: tr.gates[name][layer, d, t, u] for k, name, _f, _l in LSTM_GATES}
            for k, _name, fn, label in LSTM_GATES:
                out.append(f"<p>{sub(k, 't')} = {fn}({pre(k)}) = {mv(k + '_t', g[k])} "
                           f"<span style='color:{muted}'>{label}</span></p>")
            c0 = 0.0 if tr.initial_cell is None else float(tr.initial_cell[layer, d, u])
            c, c_prev = tr.cell[layer, d, t, u], (tr.cell[layer, d, prev, u] if has_prev else c0)
            self.rows.append((f"c_{p}", float(c_prev)))
            k = adding_up((g['f'], c_prev, g['i'], g['g']), c, lambda v: v[0] * v[1] + v[2] * v[3], form=fixed)
            out.append(f"<p>{cs('t')} = {sub('f', 't')} ⊙ {cs(p)} + {sub('i', 't')} ⊙ "
                       f"{sub('g', 't')} = {par(g['f'], k)}·{par(c_prev, k)} + {par(g['i'], k)}·{par(g['g'], k)} = "
                       f"{mv('c_t', c)}</p>")
            k = adding_up((g['o'], c), h, lambda v: v[0] * np.tanh(v[1]), form=fixed)
            out.append(f"<p>{hs('t')} = {sub('o', 't')} ⊙ tanh({cs('t')}) = {par(g['o'], k)}·tanh"
                       f"({fmt(c, k)}) = {mv('h_t', h)}</p>")
        elif tr.cell_type == "gru":
            r, z, n = (tr.gates[name][layer, d, t, u] for name in ("reset", "update", "new"))
            for k, v, label in (("r", r, "reset gate"), ("z", z, "update gate")):
                out.append(f"<p>{sub(k, 't')} = σ({pre(k)}) = {mv(k + '_t', v)} "
                           f"<span style='color:{muted}'>{label}</span></p>")
            out.append(f"<p>{sub('n', 't')} = tanh(W<sub>in</sub> x<sub>t</sub> + b<sub>in</sub> + "
                       f"{sub('r', 't')} ⊙ ({weight_html('hn', d, D)} {hs(p)} + b<sub>hn</sub>)) = "
                       f"{mv('n_t', n)} <span style='color:{muted}'>new state</span></p>")
            self.rows.append((f"h_{p}", float(h_prev)))
            k = adding_up((z, n, h_prev), h, lambda v: (1 - v[0]) * v[1] + v[0] * v[2], form=fixed)
            out.append(f"<p>{hs('t')} = (1 − {sub('z', 't')}) ⊙ {sub('n', 't')} + {sub('z', 't')} ⊙ "
                       f"{hs(p)} = (1 − {fmt(z, k)})·{par(n, k)} + {fmt(z, k)}·{par(h_prev, k)} = "
                       f"{mv('h_t', h)}</p>")
            out.append(f"<p style='color:{muted}'>{GRU_NOTE.format(p=p)}</p>")
        else:
            fn = "ReLU" if tr.cell_type == "rnn_relu" else "tanh"
            self.rows.append((f"h_{p}", float(h_prev)))
            out.append(f"<p>{hs('t')} = {fn}({weight_html('hh', d, D)} {hs(p)} + {weight_html('xh', d, D)} "
                       f"x<sub>t</sub> + b<sub>h</sub>)</p>")
            out.append(f"<p>{hs(p)} = {fmt(h_prev)} → {hs('t')} = {mv('h_t', h)}</p>")
        out += self._merge_and_head(layer, t, u, accent, muted)
        return out

    def _merge_and_head(self, layer: int, t: int, u: int, accent: str, muted: str) -> list[str]:
        tr = self.trace
        mv = lambda q, v: self._value(q, v, accent)  # noqa: E731
        out = []
        H, top = tr.hidden_size, tr.num_layers - 1
        per_column = tr.output_kind in ("per_step", "attention", "per_step_regression")  # reads h_t at every t
        if tr.num_directions == 2 and layer == top and per_column:
            fwd, bwd = tr.hidden[top, 0, t, u], tr.hidden[top, 1, t, u]
            if tr.merge == "sum":
                k = adding_up((fwd, bwd), tr.encoded[t, u], form=fixed)
                out.append(f"<p>h<sub>t</sub> = h→<sub>t</sub> + h←<sub>t</sub> = {par(fwd, k)} + {par(bwd, k)} = "
                           f"{mv('merged h_t', tr.encoded[t, u])} "
                           f"<span style='color:{muted}'>the lecture's sum</span></p>")
            else:
                out.append(f"<p>h<sub>t</sub> = [h→<sub>t</sub>; h←<sub>t</sub>] (PyTorch's concat): "
                           f"entry {u} = "
                           f"{mv(f'merged h_t[{u}]', tr.encoded[t, u])}, entry {H + u} = "
                           f"{mv(f'merged h_t[{H + u}]', tr.encoded[t, H + u])}</p>")
        if tr.output_kind == "attention" and tr.attention is not None:
            out.append(f"<p>α<sub>t</sub> = exp(w<sub>α</sub><sup>T</sup> h<sub>t</sub>) / Σ<sub>j</sub> "
                       f"exp(w<sub>α</sub><sup>T</sup> h<sub>j</sub>) = {mv('alpha_t', tr.attention[t])}; "
                       f"y = f(Σ<sub>i</sub> α<sub>i</sub> h<sub>i</sub>)</p>")
        if not per_column:
            out += self._head_input(u, accent, muted)
        reads = head_input_name(tr.num_directions, tr.merge)
        probs = np.asarray(tr.outputs, dtype=np.float64)
        if tr.output_kind == "regression":
            y = probs.reshape(-1)[0]  # the regression value (a 0-d or 1-element array)
            out.append(f"<p>y = W<sub>hy</sub> {reads} + b<sub>y</sub> = {mv('y', y)}</p>")
        elif tr.output_kind == "per_step_regression":
            values = ", ".join(f"{v:.3f}" for v in probs[t])
            out.append(f"<p>y<sub>t</sub> = W<sub>hy</sub> h<sub>t</sub> + b<sub>y</sub> = ({values}): "
                       f"{probs.shape[-1]} real outputs at every step</p>")
        elif tr.output_kind == "per_step":
            c = int(probs[t].argmax())
            out.append(f"<p>y<sub>t</sub> = softmax(W<sub>hy</sub> h<sub>t</sub> + b<sub>y</sub>): "
                       f"P({html.escape(tr.predictions[t])}) = {mv('P(y_t)', probs[t, c])}</p>")
        else:
            c = int(probs.argmax())
            h_n = "Σ α<sub>i</sub> h<sub>i</sub>" if tr.output_kind == "attention" else reads
            out.append(f"<p>y = softmax(W<sub>hy</sub> {h_n} + b<sub>y</sub>): "
                       f"P({html.escape(tr.predictions[0])}) = {mv('P(y)', probs[c])}</p>")
        return out

    def _head_input(self, u: int, accent: str, muted: str) -> list[str]:
        """What a final / regression head reads, named and with its value: h_n, or in a bidirectional
        model h→_n + h←_1 (the backward chain ends at position 1), not the merge at t = n."""
        tr = self.trace
        mv = lambda q, v: self._value(q, v, accent)  # noqa: E731
        head_in, H, top, T = head_input(tr), tr.hidden_size, tr.num_layers - 1, tr.seq_len
        if tr.num_directions == 1:
            return [f"<p>the head reads h<sub>n</sub> = h<sub>{T}</sub>: unit {u} = "
                    f"{mv(f'head input[{u}]', head_in[u])}</p>"]
        fwd, bwd = tr.hidden[top, 0, T - 1, u], tr.hidden[top, 1, 0, u]
        why = (f"<span style='color:{muted}'>the forward chain ends at n = {T}, the backward chain at "
               "position 1</span>")
        if tr.merge == "sum":
            k = adding_up((fwd, bwd), head_in[u], form=fixed)
            return [f"<p>the head reads h→<sub>n</sub> + h←<sub>1</sub> = {par(fwd, k)} + {par(bwd, k)} = "
                    f"{mv(f'head input[{u}]', head_in[u])} {why}</p>"]
        return [f"<p>the head reads [h→<sub>n</sub>; h←<sub>1</sub>] (PyTorch's concat): entry {u} = "
                f"{mv(f'head input[{u}]', head_in[u])}, entry {H + u} = "
                f"{mv(f'head input[{H + u}]', head_in[H + u])} {why}</p>"]

    def _pytorch(self, muted: str) -> list[str]:
        out = ["<h4>In PyTorch</h4>"]
        tr, cfg = self.trace, (self.config or {}).get("model")
        cell = cfg["cell"] if cfg else (tr.cell_type if tr is not None else None)
        if cell is not None and (tr is not None or cfg):
            layer, d = self.selectors.selection()
            H = cfg["hidden_size"] if cfg else tr.hidden_size
            D = (2 if cfg["bidirectional"] else 1) if cfg else tr.num_directions
            E = cfg["embedding_dim"] if cfg else None
            u = min(self.unit_spin.value(), H - 1)
            cells = "".join(f"<tr><td><code>{n}</code></td><td>{s}</td><td>{w}</td></tr>"
                            for n, s, w in layout_rows(cell, layer, d, H, E, D, u))
            out.append(f"<table cellspacing='0' cellpadding='2'>{cells}</table>")
            out.append(f"<p style='color:{muted}'>Layer k's names end in <code>_l{{k}}</code>, the backward "
                       "direction's in <code>_reverse</code>. The lecture's last slide builds "
                       "<code>rnn = nn.RNN(10, 20, 2)</code>: input_size 10, hidden_size 20, 2 layers, "
                       "inputs (T, B, 10) since batch_first is False by default (this app's code below "
                       "uses batch_first=True: (B, T, E)), h0 (layers × directions, B, 20) (Lecture > "
                       "PyTorch example runs it). nn.RNN is only the simple RNN (nonlinearity 'tanh' or "
                       "'relu'); a GRU or LSTM is nn.GRU or nn.LSTM.</p>")
        code = self.code()
        if code:
            out.append(f"<pre style='white-space: pre-wrap'>{html.escape(code)}</pre>")
        else:
            out.append(f"<p style='color:{muted}'>The code appears once a configuration is set.</p>")
        return out

    # ---- handlers ----------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._refresh()

    def _on_unit_changed(self, _value: int) -> None:
        self._refresh()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.code())

    # ---- export ------------------------------------------------------------------------
    def data_table(self) -> tuple[list[str], list[list]]:
        if self.trace is None:
            return [], []
        return ["quantity", "value"], [[q, v] for q, v in self.rows]

    def export_item(self):
        """The whole text as a document (no scroll bar, nothing cut), at the view's width."""
        document = self.text.document()
        document.setTextWidth(max(self.text.viewport().width(), 400))
        return document
