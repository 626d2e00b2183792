"""Lesson files (``assets/lessons/*.toml``): read with ``tomllib`` and validated on load.

Torch-free and Qt-free: the CLI and the window both load lessons through here (the window's process
never imports torch). Anything wrong with a file is a ``LessonError`` whose message is one line naming
the file and the problem, e.g. ``vanishing.toml: step 2: show: unknown panel 'gradPanel'``.

A lesson::

    title = "Vanishing gradients"        # required
    slide = "Vanishing gradients"        # the deck's section (required)
    preset = "vanishing"                 # the Lecture preset it starts from (required)
    order = 6                            # place in Lecture > Lessons (optional)
    summary = "one line"                 # optional

    [[step]]                             # one or more, shown in order
    id = "rnn"                           # optional: later steps may use {rnn.metric}
    text = "A simple RNN ... h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)"   # required
    settings = { cell = "rnn_tanh", seq_len = 100 }   # LabConfig fields, kept by later steps
    reset = true                         # fresh weights before the run (a new model always has them)
    show = ["gradientPanel"]             # panels brought forward and outlined
    time = "first"                       # the time cursor: "first", "last" or t (1..T)
    question = "Where will ||dL/dh_t|| be smallest?"
    choices = ["at t = 1", "at t = T", "about equal"]
    answer = 0                           # index into choices
    run_steps = 300                      # training steps after the answer (0: measure as it is)
    expect = { grad_ratio = "< 0.01" }   # what the run must show; a list for several: ["> 0.1", "< 0.9"]
    reveal = "... {grad_ratio:.1e} ..."  # the measured numbers filled in; no number written out
    why = "One sentence: why."           # shown under the marked answer
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig, check_size
from engine.lessons.catalog import MEASURES, SAMPLE
from engine.lessons.conditions import Condition, bare_numbers, fill, parse_condition, placeholders
from engine.tasks import list_tasks, make_task, task_class

LESSON_KEYS = {"title", "slide", "preset", "order", "summary", "step"}
STEP_KEYS = {"id", "text", "settings", "reset", "show", "time", "question", "choices", "answer", "run_steps",
             "expect", "reveal", "why"}
MODEL_KEYS = tuple(f.name for f in fields(ModelConfig))
TRAIN_KEYS = tuple(f.name for f in fields(TrainConfig))
MAX_RUN_STEPS = 20_000


class LessonError(ValueError):
    """A lesson file that cannot be used: one line naming the file and the problem."""


@dataclass(frozen=True)
class Step:
    index: int  # 0-based
    id: str
    text: str
    settings: dict
    config: LabConfig  # what runs during this step (the preset plus every step's settings so far)
    reset: bool
    show: tuple[str, ...]
    time: int | str | None  # "first", "last", t (1-based) or None
    question: str
    choices: tuple[str, ...]
    answer: int | None
    run_steps: int
    expect: tuple[Condition, ...]
    reveal: str
    why: str
    measures: tuple[str, ...]  # measured after the run: this step's and what later steps quote of it

    @property
    def is_question(self) -> bool:
        return bool(self.question)

    @property
    def runs(self) -> bool:
        """Something to run and reveal after the step is shown (or answered)."""
        return bool(self.measures) or self.run_steps > 0


@dataclass(frozen=True)
class Lesson:
    name: str  # the file's stem
    path: str
    title: str
    slide: str
    preset: str
    summary: str
    order: int
    steps: tuple[Step, ...]


# ---- settings -------------------------------------------------------------------------------
def setting_names(task: str) -> tuple[str, ...]:
    params = tuple(p.name for p in task_class(task).params_spec)
    return ("task",) + params + MODEL_KEYS + TRAIN_KEYS


def apply_settings(cfg: LabConfig, settings: dict) -> LabConfig:
    """``cfg`` with flat settings applied ({"cell": "gru", "seq_len": 50, "clip": false, ...}).
    A new task starts from its own preset. ValueError names a bad key or value."""
    task = settings.get("task", cfg.task)
    if task not in list_tasks():
        raise ValueError(f"unknown task {task!r} (one of {', '.join(list_tasks())})")
    known = setting_names(task)
    unknown = [k for k in settings if k not in known]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(known)})")
    base = cfg if task == cfg.task else LabConfig.for_task(task)
    params = {**base.task_params, **{k: v for k, v in settings.items() if k not in ("task",) + MODEL_KEYS + TRAIN_KEYS}}
    model = ModelConfig(**{**base.model.to_dict(), **{k: v for k, v in settings.items() if k in MODEL_KEYS}})
    train = TrainConfig(**{**base.train.to_dict(), **{k: v for k, v in settings.items() if k in TRAIN_KEYS}})
    t = make_task(task, **params)
    out = LabConfig(task, dict(t.params), model, train)
    check_size(out, t)
    return out


def with_seed(cfg: LabConfig, seed: int | None) -> LabConfig:
    return cfg if seed is None else replace(cfg, train=replace(cfg.train, seed=int(seed)))


# ---- loading --------------------------------------------------------------------------------
def load_lesson(path, presets: dict, panels) -> Lesson:
    """Read and check one lesson file. ``presets``: {preset id: LabConfig}; ``panels``: the panel
    names a step may show. LessonError (one line) on any problem."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise LessonError(f"{path.name}: no such file") from None
    except OSError as exc:
        raise LessonError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise LessonError(f"{path.name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return _lesson(path, data, presets, set(panels))
    except LessonError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise LessonError(f"{path.name}: {exc}") from None


def _text(data: dict, key: str, where: str = "", required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}{key} is missing" if key not in data else f"{where}{key} must be text")
    return value.strip()


def _lesson(path: Path, data: dict, presets: dict, panels: set) -> Lesson:
    unknown = sorted(set(data) - LESSON_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (a lesson has {', '.join(sorted(LESSON_KEYS))})")
    title, slide, preset = (_text(data, k) for k in ("title", "slide", "preset"))
    if preset not in presets:
        raise ValueError(f"preset {preset!r} is not a Lecture preset (one of {', '.join(presets)})")
    order = data.get("order", 999)
    if not isinstance(order, int) or isinstance(order, bool):
        raise ValueError("order must be a whole number")
    raw = data.get("step")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise ValueError("a lesson needs at least one [[step]] table")
    cfg, ids, steps = presets[preset], {}, []
    for i, item in enumerate(raw):
        step = _step(i, item, cfg, panels, ids)
        cfg = step.config
        steps.append(step)
        if step.id:
            ids[step.id] = i
    wanted = [set(s.measures) for s in steps]  # what later steps quote of an earlier one, measured there
    for s in steps:
        for ref in _refs(s):
            if "." in ref:
                sid, name = ref.split(".")
                earlier = steps[ids[sid]]
                _check_applies(f"step {s.index + 1}: {{{ref}}}: ", name, earlier.config, f"step {earlier.index + 1}")
                wanted[ids[sid]].add(name)
    steps = [replace(s, measures=tuple(sorted(w))) for s, w in zip(steps, wanted, strict=True)]
    return Lesson(path.stem, str(path), title, slide, preset, _text(data, "summary", required=False), order,
                  tuple(steps))


def _refs(step: Step) -> list[str]:
    refs = [r for c in step.expect for r in c.refs()]
    refs += [f for text in (step.reveal, step.why) for f, _ in placeholders(text)]
    return refs


def _step(i: int, item: dict, cfg: LabConfig, panels: set, ids: dict) -> Step:
    where = f"step {i + 1}: "
    unknown = sorted(set(item) - STEP_KEYS)
    if unknown:
        raise ValueError(f"{where}unknown key {unknown[0]!r} (a step has {', '.join(sorted(STEP_KEYS))})")
    text = _text(item, "text", where)
    sid = item.get("id", "")
    if not isinstance(sid, str) or (sid and not sid.isidentifier()):
        raise ValueError(f"{where}id must be a name made of letters, digits and _")
    if sid in ids:
        raise ValueError(f"{where}id {sid!r} is used by step {ids[sid] + 1} already")
    settings = item.get("settings", {})
    if not isinstance(settings, dict):
        raise ValueError(f"{where}settings must be a table such as {{ cell = \"gru\" }}")
    try:
        config = apply_settings(cfg, settings)
    except ValueError as exc:
        raise ValueError(f"{where}settings: {exc}") from None
    show = item.get("show", [])
    if not isinstance(show, list) or not all(isinstance(p, str) for p in show):
        raise ValueError(f"{where}show must be a list of panel names")
    for p in show:
        if p not in panels:
            raise ValueError(f"{where}show: unknown panel {p!r}")
    time = item.get("time")
    if time is not None and not (time in ("first", "last") or (isinstance(time, int) and not isinstance(time, bool)
                                                               and time >= 1)):
        raise ValueError(f"{where}time must be \"first\", \"last\" or a step t >= 1")
    reset = item.get("reset", False)
    run_steps = item.get("run_steps", 0)
    if not isinstance(reset, bool):
        raise ValueError(f"{where}reset must be true or false")
    if not isinstance(run_steps, int) or isinstance(run_steps, bool) or not 0 <= run_steps <= MAX_RUN_STEPS:
        raise ValueError(f"{where}run_steps must be a whole number from 0 to {MAX_RUN_STEPS}")
    question = _text(item, "question", where, required=False)
    choices, answer = item.get("choices", []), item.get("answer")
    if question:
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip()
                                                                        for c in choices):
            raise ValueError(f"{where}a question needs at least two choices (text)")
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
            raise ValueError(f"{where}answer must be the index of a choice, 0 to {len(choices) - 1}")
    elif choices or answer is not None:
        raise ValueError(f"{where}choices and answer need a question")
    expect_raw = item.get("expect", {})
    if not isinstance(expect_raw, dict):
        raise ValueError(f"{where}expect must be a table such as {{ metric = \"> 0.9\" }}")
    try:
        expect = tuple(parse_condition(k, c) for k, v in expect_raw.items()
                       for c in (v if isinstance(v, list) else [v]))
    except ValueError as exc:
        raise ValueError(f"{where}{exc}") from None
    reveal, why = _text(item, "reveal", where, required=False), _text(item, "why", where, required=False)
    if question and not (expect and reveal and why):
        raise ValueError(f"{where}a question needs expect (what the run must show), reveal and why")
    if reveal and not expect:
        raise ValueError(f"{where}a reveal needs expect: the run must check what it says")
    for key, value in (("reveal", reveal), ("why", why)):
        numbers = bare_numbers(value)
        if numbers:
            raise ValueError(f"{where}{key} writes the number {numbers[0]} outright: fill it from the run, "
                             "e.g. {metric:.2f}")
    step = Step(i, sid, text, dict(settings), config, reset, tuple(show), time, question, tuple(choices),
                answer, run_steps, expect, reveal, why, ())
    own = set()
    try:
        refs = _refs(step)
    except ValueError as exc:
        raise ValueError(f"{where}{exc}") from None
    for ref in refs:
        name = ref
        if "." in ref:
            sid_ref, name = ref.split(".")
            if sid_ref not in ids:
                raise ValueError(f"{where}{{{ref}}}: no earlier step has the id {sid_ref!r}")
        else:
            own.add(name)
        if name not in MEASURES:
            raise ValueError(f"{where}unknown measure {name!r} (see README: lessons)")
    for name in own:
        _check_applies(where, name, config)
    for key, value in (("reveal", reveal), ("why", why)):
        try:
            fill_check(value)
        except ValueError as exc:
            raise ValueError(f"{where}{key}: {exc}") from None
    return replace(step, measures=tuple(sorted(own)))


def _check_applies(where: str, name: str, cfg: LabConfig, step: str = "this step") -> None:
    info = MEASURES[name]
    if info.tasks and cfg.task not in info.tasks:
        raise ValueError(f"{where}{name} needs the task {' or '.join(info.tasks)}; {step} runs {cfg.task}")
    if info.cells and cfg.model.cell not in info.cells:
        raise ValueError(f"{where}{name} needs the cell {' or '.join(info.cells)}; {step} runs {cfg.model.cell}")


def fill_check(text: str) -> None:
    """Every placeholder's format works on a value of its measure's kind (ValueError otherwise)."""
    for field, spec in placeholders(text):
        name = field.split(".")[-1]
        try:
            format(SAMPLE[MEASURES[name].kind], spec)
        except (ValueError, TypeError):
            raise ValueError(f"{{{field}:{spec}}}: the format does not fit a {MEASURES[name].kind}") from None
    fill(text, {})


__all__ = ["Lesson", "LessonError", "Step", "apply_settings", "load_lesson", "with_seed"]
