"""Train every task's default preset from scratch and report how long it takes to pass.

    python benchmarks/tasks.py                  # all tasks, default presets
    python benchmarks/tasks.py --tasks tagging,charlm --budget 60
    python benchmarks/tasks.py --vanishing      # every Lecture preset's contrast, both sides, seeds 0-2

The first table has one row per task: the preset's cell, the steps and wall seconds until the
evaluated metric first passes the task's threshold, the final metric after the preset's steps
(or the time budget), and the baseline of a model that learned nothing. Every preset is meant to
pass within 60 s on a 2-core machine, so it trains live in a lecture. Exit status 1 if one fails.

--vanishing trains both sides of every contrast a Lecture preset claims (assets/presets/lecture.json,
"contrast": vanishing tanh vs GRU, exploding with and without clipping, gating LSTM and GRU,
bidirectional vs left-to-right tagging) from a fresh start for seeds 0-2 and prints each side's
outcome (passed / not passed / diverged, at which step and second) against what the note claims.
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


def run_side(cfg, expect: str, max_steps: int, budget: float, eval_every: int, seed: int) -> dict:
    """Train one side of a contrast from a fresh start, as the lecture would: a passing side stops
    at its first pass, the others run ``max_steps`` or ``budget`` seconds, a diverging run stops."""
    task = make_task(cfg.task, **cfg.task_params)
    train_cfg = replace(cfg.train, seed=seed)
    model = build_model(cfg.model, task, seed=seed)
    trainer = Trainer(model, task, train_cfg)
    start, first, diverged = time.perf_counter(), None, None
    for step in range(1, max_steps + 1):
        if trainer.step().diverged:
            diverged = (step, time.perf_counter() - start)
            break
        if step % eval_every == 0 and task.passed(trainer.evaluate(batches=4)["metric"]):
            first = (step, time.perf_counter() - start)
            if expect == "pass":
                break
        if time.perf_counter() - start > budget:
            break
    seconds = time.perf_counter() - start
    final = trainer.evaluate(batches=16)["metric"] if diverged is None else float("nan")
    outcome = "diverge" if diverged else ("pass" if first else "fail")
    ok = {"pass": outcome == "pass" and first[1] <= budget, "fail": outcome == "fail",
          "stable": outcome != "diverge", "diverge": outcome == "diverge" and diverged[1] <= budget}[expect]
    return {"outcome": outcome, "first": first, "diverged": diverged, "steps": trainer.step_count,
            "seconds": seconds, "final": final, "ok": ok, "baseline": task.baseline}


def describe(r: dict) -> str:
    if r["diverged"]:
        return f"diverged at step {r['diverged'][0]} ({r['diverged'][1]:.1f} s)"
    if r["first"]:
        return f"passed at step {r['first'][0]} ({r['first'][1]:.1f} s)"
    return f"not passed in {r['steps']} steps ({r['seconds']:.1f} s)"


def run_contrasts(budget: float, eval_every: int, seeds) -> bool:
    """Each Lecture preset that claims a contrast: both sides, from a fresh start, for every seed."""
    from app.lecture.presets import contrast_sides, load_presets

    ok = True
    for preset in load_presets():
        sides = contrast_sides(preset)
        if not sides:
            continue
        steps = preset.contrast["steps"]
        task = make_task(preset.config.task, **preset.config.task_params)
        print(f"\n{preset.title} ({preset.config.task}, T = {task.params.get('seq_len', '-')}): baseline "
              f"{fmt(task.baseline)}, pass {'>=' if task.higher_is_better else '<='} {fmt(task.pass_threshold)} "
              f"({task.metric_name}); each run <= {steps} steps and <= {budget:.0f} s", flush=True)
        for label, expect, cfg in sides:
            for seed in seeds:
                r = run_side(cfg, expect, steps, budget, eval_every, seed)
                ok &= r["ok"]
                print(f"  {label:<28} seed {seed}  expect {expect:<7} {describe(r):<38} final {fmt(r['final']):>8}"
                      f"  {'ok' if r['ok'] else 'NOT AS CLAIMED'}", flush=True)
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default=",".join(list_tasks()), help="comma-separated task names")
    ap.add_argument("--budget", type=float, default=60.0, help="wall seconds allowed per task")
    ap.add_argument("--eval-every", type=int, default=50, help="steps between pass checks")
    ap.add_argument("--vanishing", action="store_true",
                    help="instead: both sides of every Lecture preset's contrast (vanishing, exploding, gating, "
                         "bidirectional) for seeds 0-2, each within the budget")
    ap.add_argument("--seeds", default="0,1,2", help="with --vanishing: comma-separated seeds")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.vanishing:
        seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
        return 0 if run_contrasts(args.budget, args.eval_every, seeds) else 1
    names = [n.strip() for n in args.tasks.split(",") if n.strip()]
    return 0 if run_presets(names, args.budget, args.eval_every) else 1


if __name__ == "__main__":
    sys.exit(main())
