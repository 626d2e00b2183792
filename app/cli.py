"""Command line: headless training with progress on stderr (the window arrives with issue 4)."""
from __future__ import annotations

import argparse
import sys
import time


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rnnlab", description="RNN Lab: watch recurrent networks learn.")
    p.add_argument("session", nargs="?", help="open the window on this session file")
    p.add_argument("--headless", action="store_true", help="train without a window")
    p.add_argument("--task", default="adding", help="task name (see --list-tasks)")
    p.add_argument("--steps", type=int, default=300, help="training steps")
    p.add_argument("--list-tasks", action="store_true", help="print the tasks and exit")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if not args.headless and not args.list_tasks:
        from .gui import run_gui

        return run_gui(args.session)
    import torch

    from engine import ModelConfig, TrainConfig, Trainer, build_model, list_tasks, make_task

    torch.set_num_threads(1)
    if args.list_tasks:
        for name in list_tasks():
            print(f"{name:16s} {make_task(name).title}")
        return 0
    try:
        task = make_task(args.task)
    except ValueError as exc:
        print(f"rnnlab: {exc}", file=sys.stderr)
        return 2
    p = task.preset
    model = build_model(ModelConfig(cell=p.cell, hidden_size=p.hidden_size,
                                    embedding_dim=p.embedding_dim), task)
    trainer = Trainer(model, task, TrainConfig(lr=p.lr, batch_size=p.batch_size))
    start = time.perf_counter()
    for i in range(args.steps):
        s = trainer.step()
        if (i + 1) % 50 == 0 or i + 1 == args.steps:
            print(f"step {s.step:5d}  loss {s.loss:.4f}  {task.metric_name} {s.metric:.4f}  "
                  f"{time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0
