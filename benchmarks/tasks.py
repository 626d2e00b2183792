"""Train every task's default preset from scratch and report how long it takes to pass.

    python benchmarks/tasks.py                  # all tasks, default presets
    python benchmarks/tasks.py --tasks tagging,charlm --budget 60
    python benchmarks/tasks.py --vanishing      # simple RNN vs gated cells, uni- vs bidirectional

The first table has one row per task: the preset's cell, the steps and wall seconds until the
evaluated metric first passes the task's threshold, the final metric after the preset's steps
(or the time budget), and the baseline of a model that learned nothing. Every preset is meant to
pass within 60 s on a 2-core machine, so it trains live in a lecture. Exit status 1 if one fails.
"""
from __future__ import annotations

import argparse
import math
import pathlib
import sys
import time
from dataclasses import replace

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from engine import Trainer, build_model  # noqa: E402
from engine.tasks import list_tasks, make_task, preset_configs  # noqa: E402


def train(task, model_cfg, train_cfg, steps, budget, eval_every, eval_batches=4):
    """Train up to ``steps`` or ``budget`` seconds; returns (trainer, first pass (step, s) or None)."""
    model = build_model(model_cfg, task, seed=train_cfg.seed)
    trainer = Trainer(model, task, train_cfg)
    first, start = None, time.perf_counter()
    for step in range(1, steps + 1):
        trainer.step()
        elapsed = time.perf_counter() - start
        if first is None and step % eval_every == 0:
            if task.passed(trainer.evaluate(batches=eval_batches)["metric"]):
                first = (step, time.perf_counter() - start)
        if elapsed > budget:
            break
    return trainer, first, time.perf_counter() - start


def notes(task, trainer) -> str:
    """Task-specific readouts: held-out bits for charlm, attention mass for attention tasks."""
    model = trainer.model
    if task.name == "charlm":
        return f"held-out {task.heldout_bits(model):.2f} bpc"
    if hasattr(task, "attention_mass"):
        inputs, _ = task.sample_batch(256, torch.Generator().manual_seed(99))
        with torch.no_grad():
            att = model.run(inputs).attention
        uniform = torch.full_like(att, 1.0 / att.shape[1])
        what = "polarity words" if task.name == "sentiment" else "motif"
        return (f"attention on {what} {task.attention_mass(att, inputs):.2f} "
                f"(uniform {task.attention_mass(uniform, inputs):.2f})")
    return ""


def fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else (f"{x:.4f}" if abs(x) < 10 else f"{x:.1f}")


def run_presets(names, budget, eval_every) -> bool:
    header = (f"{'task':<15} {'cell':<9} {'pass at step':>12} {'pass at s':>9} {'steps run':>9} "
              f"{'s run':>6} {'final':>8} {'baseline':>8} {'threshold':>9}  metric / notes")
    print(header)
    print("-" * len(header))
    ok = True
    for name in names:
        task = make_task(name)
        model_cfg, train_cfg, steps = preset_configs(task)
        trainer, first, seconds = train(task, model_cfg, train_cfg, steps, budget, eval_every)
        final = trainer.evaluate(batches=16)["metric"]
        cell = model_cfg.cell + ("+bi" if model_cfg.bidirectional else "")
        step_s = f"{first[0]}" if first else "never"
        time_s = f"{first[1]:.1f}" if first else "-"
        ok &= first is not None and first[1] <= budget
        print(f"{name:<15} {cell:<9} {step_s:>12} {time_s:>9} {trainer.step_count:>9} {seconds:>6.1f} "
              f"{fmt(final):>8} {fmt(task.baseline):>8} {fmt(task.pass_threshold):>9}  "
              f"{task.metric_name}; {notes(task, trainer)}", flush=True)
    return ok


def compare(title, task, variants, steps, eval_every):
    """Train the same task under several model configs for the same step budget."""
    print(f"\n{title}")
    print(f"  baseline {fmt(task.baseline)}, pass {'>=' if task.higher_is_better else '<='} "
          f"{fmt(task.pass_threshold)} ({task.metric_name}), {steps} steps each")
    for label, model_cfg, train_cfg in variants:
        trainer, first, seconds = train(task, model_cfg, train_cfg, steps, float("inf"), eval_every)
        final = trainer.evaluate(batches=16)["metric"]
        reached = f"passed at step {first[0]} ({first[1]:.1f} s)" if first else "never passed"
        print(f"  {label:<24} final {fmt(final):>8}   {reached}; {seconds:.1f} s total", flush=True)


def run_vanishing(eval_every, adding_steps, tagging_steps, order_steps) -> None:
    adding = make_task("adding", seq_len=100)
    m, t, _ = preset_configs(adding)
    compare("Vanishing gradients: adding problem, T = 100 (Le et al. 2015)", adding,
            [(cell, replace(m, cell=cell), t) for cell in ("rnn_tanh", "lstm", "gru")],
            adding_steps, eval_every)
    for T in (30, 50):
        order = make_task("temporal_order", seq_len=T)
        m, t, _ = preset_configs(order)
        compare(f"Gating: temporal order, T = {T} (Hochreiter & Schmidhuber 1997, exp. 6a)", order,
                [(cell, replace(m, cell=cell), t) for cell in ("rnn_tanh", "lstm", "gru")],
                order_steps, eval_every)
    tagging = make_task("tagging")
    m, t, _ = preset_configs(tagging)
    compare("Tagging: bidirectional vs unidirectional (ambiguous words need the next word)", tagging,
            [("lstm bidirectional", replace(m, bidirectional=True), t),
             ("lstm unidirectional", replace(m, bidirectional=False), t)],
            tagging_steps, eval_every)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default=",".join(list_tasks()), help="comma-separated task names")
    ap.add_argument("--budget", type=float, default=60.0, help="wall seconds allowed per task")
    ap.add_argument("--eval-every", type=int, default=50, help="steps between pass checks")
    ap.add_argument("--vanishing", action="store_true", help="run the comparisons instead")
    ap.add_argument("--adding-steps", type=int, default=2000)
    ap.add_argument("--tagging-steps", type=int, default=600)
    ap.add_argument("--order-steps", type=int, default=1500)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.vanishing:
        run_vanishing(args.eval_every, args.adding_steps, args.tagging_steps, args.order_steps)
        return 0
    names = [n.strip() for n in args.tasks.split(",") if n.strip()]
    return 0 if run_presets(names, args.budget, args.eval_every) else 1


if __name__ == "__main__":
    sys.exit(main())
