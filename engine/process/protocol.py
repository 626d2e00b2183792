"""What crosses between the window and the engine: small frozen dataclasses of plain values and numpy
arrays. Torch-free; both processes import it.

Commands go window -> engine. Those that answer (``Request`` subclasses) carry an ``id``; the engine
replies with ``Result(id, value)`` or ``Failed(id, message)`` and the client routes the reply to the
callback that asked (as jupyter_client routes replies by msg_id). Events go engine -> window.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np


def freeze_arrays(obj, _depth: int = 0):
    """Make every numpy array in ``obj`` (dataclasses, dicts, lists, tuples, nested) read-only, in place, and
    return ``obj``. Pickling drops the flag, so both sides call it: the engine before it sends, the window on
    receipt; a panel that tried to write into a snapshot would raise instead of changing what others draw."""
    if _depth > 8:
        return obj
    if isinstance(obj, np.ndarray):
        obj.setflags(write=False)
    elif is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            freeze_arrays(getattr(obj, f.name), _depth + 1)
    elif isinstance(obj, dict):
        for value in obj.values():
            freeze_arrays(value, _depth + 1)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            freeze_arrays(value, _depth + 1)
    return obj


# The analyses a panel can ask the engine for (PanelSpec.analysis; engine.analysis.live.ANALYSES computes each).
# Both sides check their names against this set at import: a typo fails at once, not as a silently empty panel.
ANALYSIS_KEYS = frozenset({
    "gate_stats", "counterfactual", "spectrum", "attribution", "gate_products", "bptt", "state_space", "units",
    "gate_saturation", "cell_view",
})


def check_analysis_keys(names, where: str) -> None:
    """Raise ValueError naming any analysis key that the protocol does not declare."""
    unknown = sorted(set(names) - ANALYSIS_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown analysis key(s) {unknown} "
                         "(declare them in engine.process.protocol.ANALYSIS_KEYS)")


# ---- what the panels draw ---------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """What the panels draw: the probed example, the training history and labels.

    trace: engine.network.trace.Trace (numpy arrays); history: {column: (N,) float64} of the last steps;
    analysis: {key: payload} for the analyses the visible panels asked for (engine.analysis.live).
    """

    trace: object  # engine.network.trace.Trace
    history: dict  # History.arrays()
    step: int
    loss: float
    metric: float
    steps_per_sec: float
    state: str  # "paused", "training", "diverged"
    config: dict  # LabConfig.to_dict()
    task_info: dict
    example_source: str  # "random" or "typed"
    message: str = ""
    analysis: dict = field(default_factory=dict)
    frame: int = 0  # sequence number; the window acknowledges each frame it drew
    # the training timeline: {"viewing": step shown or None (the present), "present": steps trained,
    # "steps": (N,) int64 checkpointed steps, "enabled": bool, "label": "viewing step N of M" / "step M (now)"}
    timeline: dict = field(default_factory=dict)
    # held-out evaluations (engine.training.held_out): {"step", "loss", "metric": (N,), "on": what, "every": steps,
    # "disjoint": the data is never trained on (a file's validation rows, a text's end; not a task's fresh examples)}
    evals: dict = field(default_factory=dict)


# ---- window -> engine -------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """A command without an answer."""


@dataclass(frozen=True)
class Train(Command):
    on: bool = True


@dataclass(frozen=True)
class StepN(Command):
    n: int = 1


@dataclass(frozen=True)
class Wanted(Command):
    """The analyses the visible panels need (keys of engine.analysis.live.ANALYSES)."""

    analyses: frozenset = frozenset()


@dataclass(frozen=True)
class Ack(Command):
    """The window drew snapshot ``frame``; the engine may send the next one."""

    frame: int = 0


@dataclass(frozen=True)
class Shutdown(Command):
    save_recovery: bool = False  # a clean quit removes the recovery file instead
    reuse: bool = False  # tests (RNNLAB_SHARE_ENGINE=1): end this session, answer Released, await the next Init


# Every request the engine answers, with what it does. A Request of any other kind is refused where it is made
# (in the window, at once); the engine loop answers "open" and "train_until_paused" itself and hands the others
# to the session's ``request_<kind>`` method, whose table it builds once from this declaration
# (engine.process.loop.handler_table; tests/engine/test_requests.py checks both directions).
REQUESTS = {
    "open": "replace the session by a session file (path)",
    "train_until_paused": "train n steps now and answer the step count (tests, the CLI)",
    "configure": "rebuild for a LabConfig dict; answers the change in words",
    "reset": "fresh weights, empty history",
    "new_example": "draw another displayed example",
    "typed": "read the user's typed sequence (text)",
    "counterfactual": "change input x_t of the shown example (position, value)",
    "fixed_points": "start a fixed-point search (x*, period, starts, ...)",
    "fixed_points_step": "advance the running fixed-point search by one slice",
    "fixed_points_cancel": "stop the running fixed-point search",
    "results_catalog": "the classic results that can be reproduced",
    "reproduce": "start reproducing a classic result in the background (name, seed, quick)",
    "reproduce_status": "progress of the running reproduction, its outcome when done",
    "reproduce_cancel": "stop the running reproduction",
    "pattern_search": "windows of other examples with the same active units",
    "pattern_search_all": "start the pattern search over the task's whole data set (t0, t1, threshold, ...)",
    "pattern_search_all_step": "advance the data-set pattern search by one slice",
    "pattern_search_all_cancel": "stop the data-set pattern search",
    "annotations": "read annotation tracks for the unit explorer (path, columns)",
    "full_snapshot": "a snapshot with every analysis (exports)",
    "step_seconds": "time one training step of a configuration",
    "save": "write the session file (path)",
    "open_data": "read a user's data file and switch to its task (path, fold_case)",
    "data_pack": "the open data file, packed for another engine",
    "open_model": "open a model folder, model.json + model.pt (path, data, fold_case)",
    "export_model": "write the model as a folder: model.pt, model.json, load_model.py, README.md (path)",
    "weights": "the model's weights and step",
    "generate": "sample text from the language model",
    "generate_steps": "sample text with every step's distribution",
    "pytorch_example": "the deck's nn.RNN(10, 20, 2) slide, run",
    "view_checkpoint": "show a checkpoint of training (step) or the present (None)",
    "timelapse_begin": "start a time-lapse export: the key its chunks carry, the present, the steps",
    "timelapse_snapshots": "snapshots of a list of checkpointed steps",
    "attribution_options": "method, baseline and position of the attribution panel",
    "lesson_measures": "the named lesson measures of the model as it is now (engine.lessons.measures)",
    "fail_saves": "test hook (RNNLAB_TEST_HOOKS=1): saves fail as on a full disk",
    "restore_saves": "test hook (RNNLAB_TEST_HOOKS=1): saves work again",
}


@dataclass(frozen=True)
class Request(Command):
    """A command with an answer: runs ``LabSession.request_<kind>(**args)`` in the engine."""

    id: int = 0
    kind: str = ""
    args: dict = field(default_factory=dict)
    refresh: bool = True  # send a fresh snapshot afterwards

    def __post_init__(self):
        if self.kind not in REQUESTS:
            raise ValueError(f"unknown engine request {self.kind!r} (declare it in engine.process.protocol.REQUESTS)")


@dataclass(frozen=True)
class Init(Command):
    kind: str = "lab"  # "lab": one LabSession; "compare": a CompareSession
    config: dict | None = None  # LabConfig.to_dict(); None: the default task's preset
    open_path: str = ""  # start from this session file instead (a recovery point, a double-clicked file)
    recovery_path: str = ""  # where to write recovery points ("" = none)
    variants: tuple = ()  # compare: the model variants
    seeds: int = 1  # compare: seeds per configuration (1, or 3..10 for a mean and spread)
    data: dict | None = None  # a data-file task's file: engine.tasks.data.data_files.pack() (name, sha256, zlib bytes)


# ---- engine -> window -------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    pass


@dataclass(frozen=True)
class Released(Event):
    """The session ended on Shutdown(reuse=True); nothing more of it follows on the pipe."""


@dataclass(frozen=True)
class Ready(Event):
    config: dict  # LabConfig.to_dict() of the session the engine runs
    pid: int = 0
    recovered_from: str = ""  # the session file the engine started from, if any


@dataclass(frozen=True)
class SnapshotReady(Event):
    snapshot: Snapshot


@dataclass(frozen=True)
class Diverged(Event):
    step: int
    loss: float
    grad_norm: float


@dataclass(frozen=True)
class Result(Event):
    id: int
    value: object = None


@dataclass(frozen=True)
class Failed(Event):
    id: int  # 0: not an answer to a request (e.g. a training step failed)
    message: str
    what: str = ""


@dataclass(frozen=True)
class Progress(Event):
    id: int
    fraction: float
    text: str = ""


@dataclass(frozen=True)
class RecoveryWritten(Event):
    path: str
    step: int


@dataclass(frozen=True)
class StepEstimate(Event):
    """Seconds one training step of the running configuration takes (measured in the engine)."""

    seconds: float
    config: dict
