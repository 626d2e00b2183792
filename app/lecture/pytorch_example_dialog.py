"""The "PyTorch example" window: the deck's nn.RNN(10, 20, 2) slide, its shapes and its numbers,
beside the same numbers from the app's own recurrence (``LabSession.request_pytorch_example``)."""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout


def _row(values) -> str:
    return ", ".join(f"{float(v):+.4f}" for v in np.ravel(values)[:5]) + ", …"


def example_html(r: dict) -> str:
    out = [f"<pre>{html.escape(r['code'])}</pre>", "<table cellpadding='3'>",
           "<tr><th align='left'>tensor</th><th align='left'>shape</th><th align='left'>meaning</th></tr>"]
    meaning = {"input": "(T, B, input_size): seq-first, as batch_first=False by default",
               "h0": "(num_layers × directions, B, hidden_size): the given initial state",
               "output": "(T, B, hidden_size): the top layer's h_t at every step",
               "hn": "(num_layers × directions, B, hidden_size): each layer's last state h_T"}
    for key in ("input", "h0", "output", "hn"):
        shape = "(" + ", ".join(str(n) for n in np.shape(r[key])) + ")"
        out.append(f"<tr><td><code>{key}</code></td><td>{shape}</td><td>{meaning[key]}</td></tr>")
    out.append("</table>")
    out.append("<p><b>Values</b>, first sequence (b = 0), first 5 units:</p><table cellpadding='3'>")
    for label, a, b in (("output[0, 0]", r["output"][0, 0], r["app_output"][0, 0]),
                        ("output[4, 0]", r["output"][4, 0], r["app_output"][4, 0]),
                        ("hn[0, 0] (layer 1)", r["hn"][0, 0], r["app_hn"][0, 0]),
                        ("hn[1, 0] (layer 2)", r["hn"][1, 0], r["app_hn"][1, 0])):
        out.append(f"<tr><td><code>{label}</code></td><td>torch.nn.RNN</td><td><code>{_row(a)}</code></td></tr>"
                   f"<tr><td></td><td>RNN Lab, step by step</td><td><code>{_row(b)}</code></td></tr>")
    out.append("</table>")
    count = int(np.size(r["output"]) + np.size(r["hn"]))  # the numbers max_abs_diff is taken over
    out.append(f"<p>Largest difference over all {count:,} numbers of output and hn: {r['max_abs_diff']:.2g} "
               "(float32 rounding). output[4] is hn[1]: the top layer's last state.</p>")
    out.append("<p>input and h0 are drawn with torch.randn as on the slide: the input stands for the embedded "
               "tokens x_t (the slide has no embedding layer, so this model's embedding is skipped), and h0 is "
               "the slide's, not this model's own initial state h_0. The weights are this model's.</p>")
    out.append(f"<p>{html.escape(r['note'])}</p>")
    return "".join(out)


class PytorchExampleDialog(QDialog):
    def __init__(self, result: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("pytorchExampleBox")
        self.setWindowTitle("PyTorch example: nn.RNN(10, 20, 2)")
        self.result = result
        self.text = QTextBrowser(objectName="pytorchExampleText")
        self.text.setHtml(example_html(result))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.resize(760, 560)
