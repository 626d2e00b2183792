"""Render the counterfactual, equations and gate-statistics panels to PNGs for a visual check.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/shot_explain.py [outdir]

Saves to screenshots/ (gitignored) at ~500x350 (a dock's size), dark and light, after a little
training of an LSTM on balanced parentheses and a GRU on parity (one token flipped for the
counterfactual), plus a bidirectional tagger (per-step outputs), the adding problem (a real-valued
input), a simple RNN (no gates) and the empty panels.
"""
from __future__ import annotations

import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import ModelConfig, TrainConfig, Trainer, build_model, make_task  # noqa: E402
from engine.analysis import counterfactual, gate_statistics  # noqa: E402
from engine.network.probe import probe  # noqa: E402
from widgets.gates.equations_panel import EquationsPanel  # noqa: E402
from widgets.gates.gate_stats_panel import GateStatsPanel  # noqa: E402
from widgets.readout.counterfactual_panel import CounterfactualPanel  # noqa: E402

SIZE = (500, 350)


def trained(task, steps, lr=1e-2, seed=0, text=None, **cfg):
    """(model, example inputs, targets, trace, config dict) after ``steps`` training batches.

    The example is ``text`` typed in, or a random one.
    """
    mcfg = ModelConfig(**{"hidden_size": 32, **cfg})
    model = build_model(mcfg, task, seed=seed)
    tcfg = TrainConfig(lr=lr, batch_size=64, max_norm=5.0, seed=seed)
    trainer = Trainer(model, task, tcfg)
    for _ in range(steps):
        trainer.step()
    x, y = task.encode_text(text) if text else task.sample_batch(1, torch.Generator().manual_seed(seed + 11))
    config = {"task": task.name, "task_params": dict(task.params), "model": mcfg.to_dict(),
              "train": tcfg.to_dict()}
    return model, x, y, probe(model, x, y, step=trainer.step_count), config


def info_for(task) -> dict:
    info = task.info()
    if task.input_kind == "tokens":
        info["vocab"] = list(task.vocab)
    return info


def save(widget, out: pathlib.Path, name: str, size=SIZE, light=False):
    widget.set_theme(light)
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(out / f"{name}.png"))
    print("saved", out / f"{name}.png")


def shoot(out, name, task, model, x, y, trace, config, position, value, time=None, unit=0, light=False):
    cf = CounterfactualPanel()
    cf.set_task_info(info_for(task))
    cf.set_trace(trace)
    cf.set_time(position)
    cf.set_result(counterfactual(model, x, y, position, value))
    save(cf, out, f"counterfactual_{name}", light=light)
    eq = EquationsPanel()
    eq.set_config(config)
    eq.set_task_info(info_for(task))
    eq.set_trace(trace)
    eq.unit_spin.setValue(unit)
    eq.set_time(position if time is None else time)
    save(eq, out, f"equations_{name}", light=light)
    gs = GateStatsPanel()
    gs.set_stats(gate_statistics(trace.gates))
    save(gs, out, f"gate_stats_{name}", light=light)
    return cf, eq, gs


def main(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    parity, dyck = make_task("parity", seq_len=10), make_task("dyck1")
    # an LSTM learns balanced parentheses in 400 steps (parity takes it far longer); a GRU learns parity
    for cell, task, lr, text in (("lstm", dyck, 1e-2, "(()(()))(())"), ("gru", parity, 3e-2, None)):
        model, x, y, trace, config = trained(task, 400, lr=lr, cell=cell, text=text)
        pos = 3
        shoot(out, cell, task, model, x, y, trace, config, pos, 1 - int(x[0, pos]), unit=5)
    # light theme, bidirectional two-layer LSTM with the concat merge, the backward chain selected
    model, x, y, trace, config = trained(parity, 200, cell="lstm", bidirectional=True, num_layers=2,
                                         merge="concat")
    _cf, eq, _gs = shoot(out, "bilstm_light", parity, model, x, y, trace, config, 4, 1 - int(x[0, 4]),
                         light=True)
    eq.selectors.layer_combo.setCurrentIndex(1)
    eq.selectors.direction_combo.setCurrentIndex(1)
    save(eq, out, "equations_bilstm_backward_light", light=True)
    # per-step outputs (tagging) and a real-valued input (adding)
    tagging = make_task("tagging")
    model, x, y, trace, config = trained(tagging, 150, cell="gru", bidirectional=True)
    shoot(out, "tagging", tagging, model, x, y, trace, config, 2, (int(x[0, 2]) + 1) % tagging.vocab_size)
    adding = make_task("adding", seq_len=20)
    model, x, y, trace, config = trained(adding, 500, cell="lstm", embedding_dim=8)
    marked = int(torch.nonzero(x[0, :, 1])[0])
    shoot(out, "adding", adding, model, x, y, trace, config, marked, float(1 - x[0, marked, 0]))
    model, x, y, trace, config = trained(parity, 50, cell="rnn_tanh")
    shoot(out, "rnn", parity, model, x, y, trace, config, 3, 1 - int(x[0, 3]))
    for cls in (CounterfactualPanel, EquationsPanel, GateStatsPanel):
        save(cls(), out, f"empty_{cls.__name__}")


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv)
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
