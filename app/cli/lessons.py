"""``rnnlab --list-lessons`` and ``rnnlab --headless --lesson NAME_OR_FILE --verify [--seed N]``.

--verify runs every step of the lesson without a window (engine.lessons.runner) and prints one line
per step: whether its ``expect`` held, with the measured numbers. Exit 0 only if every one held, 1
if one did not, 2 for a lesson file that cannot be used (one line naming the file and the problem).
"""
from __future__ import annotations

import os
import time

from app.cli.usage import UsageError


def list_lessons() -> int:
    from app.lessons.files import builtin_lessons
    from engine.lessons.schema import LessonError

    try:
        lessons = builtin_lessons()
    except LessonError as exc:
        raise UsageError(str(exc)) from None
    for lesson in lessons:
        questions = sum(s.is_question for s in lesson.steps)
        print(f"{lesson.name:15s} {lesson.title} ({len(lesson.steps)} steps, {questions} "
              f"question{'s' if questions != 1 else ''}; preset {lesson.preset})")
    return 0


def verify_lesson(name_or_file: str, seed: int | None, quiet: bool = False) -> int:
    """Verify one lesson, or every built-in one for ``all``; the worst exit status."""
    from app.lessons.files import builtin_lessons, load
    from engine.lessons.schema import LessonError

    try:
        lessons = builtin_lessons() if name_or_file == "all" else [load(name_or_file)]
    except LessonError as exc:
        raise UsageError(str(exc)) from None
    return max(_verify(lesson, seed, quiet) for lesson in lessons)


def _verify(lesson, seed: int | None, quiet: bool) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch

    from engine.lessons.runner import run_lesson

    torch.set_num_threads(1)
    n = len(lesson.steps)
    label = f"{lesson.name} seed {0 if seed is None else seed}"
    start = time.perf_counter()

    def report(result) -> None:
        step = lesson.steps[result.index]
        status = "ok  " if result.ok else "FAIL"
        what = "; ".join(text for text, _ in result.outcome.checks) if result.outcome else "nothing to check"
        ran = f"{result.trained} steps" if step.run_steps else "no training"
        print(f"{label}: step {result.index + 1}/{n} {status} ({ran}, {result.seconds:.1f} s) {what}", flush=True)

    results = run_lesson(lesson, seed, report)
    seconds = time.perf_counter() - start
    failed = [r.index + 1 for r in results if not r.ok]
    if failed:
        print(f"{label}: NOT AS CLAIMED at step {', '.join(map(str, failed))} ({seconds:.1f} s)", flush=True)
        return 1
    if not quiet:
        print(f"{label}: every expect held ({seconds:.1f} s)", flush=True)
    return 0


def run_lesson_command(args) -> int:
    if not args.headless or not args.verify:
        raise UsageError("--lesson needs --headless --verify (in the window: Lecture > Lessons)")
    if args.seed is not None and not 0 <= args.seed < 2**31:
        raise UsageError(f"--seed must be from 0 to {2**31 - 1}; got {args.seed}")
    return verify_lesson(args.lesson, args.seed, args.quiet)


__all__ = ["list_lessons", "run_lesson_command", "verify_lesson"]
