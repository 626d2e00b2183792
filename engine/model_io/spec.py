"""model.json: what describes an exported (or hand-written) model folder, and its checks.

    {"format": "rnnlab-model", "format_version": 1, "rnnlab_version": "0.1.0",
     "cell": "lstm", "hidden_size": 32, "num_layers": 1, "bidirectional": false, "merge": "sum",
     "embedding_dim": 16, "initial_state": "zero",
     "input": {"kind": "tokens", "vocab": ["0", "1"]}          (or {"kind": "real", "input_dim": 2})
     "output": {"kind": "final", "labels": ["even", "odd"]}    (per_step, final, attention, regression)
     "task": {"name": "parity", "params": {"seq_len": 12}},    (optional with --data FILE)
     "train": {...TrainConfig...}, "steps_trained": 600, "data_file": "notes.txt"}   (optional)

Every problem is a ``ModelFolderError`` (a ValueError) with one line naming the field. Torch-free: the
window's process checks a folder given on the command line before the window opens.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine.config import ModelConfig, TrainConfig
from engine.tasks.base import INPUT_KINDS, OUTPUT_KINDS

FORMAT = "rnnlab-model"  # (load_model.py, which imports nothing of RNN Lab, checks the same two values)
FORMAT_VERSION = 1
MAX_JSON_BYTES = 16 * 2**20

REQUIRED = ("cell", "hidden_size", "num_layers", "embedding_dim", "input", "output")
MODEL_KEYS = {"cell": "cell", "hidden_size": "hidden_size", "num_layers": "num_layers",
              "bidirectional": "bidirectional", "merge": "merge", "embedding_dim": "embedding_dim",
              "init": "init", "initial_state": "h0"}  # model.json key -> ModelConfig field


class ModelFolderError(ValueError):
    """A model folder cannot be opened; the message (one line) says why."""


@dataclass(frozen=True)
class ModelSpec:
    """A checked model.json."""

    model: ModelConfig
    input_kind: str
    vocab: tuple[str, ...]  # tokens: id -> symbol
    input_dim: int  # real inputs: features per step
    output_kind: str
    labels: tuple[str, ...]  # classification: output index -> class or tag
    task: str | None  # None: the task comes from --data
    task_params: dict
    train: TrainConfig | None  # None: the task's preset
    data_file: str | None  # a data-file task: the file's name beside model.json
    raw: dict


def describe(model, task, train: TrainConfig, steps: int, version: str, data_file: str | None = None) -> dict:
    """The model.json of a SequenceModel trained on ``task``."""
    cfg = model.config
    out = {"format": FORMAT, "format_version": FORMAT_VERSION, "rnnlab_version": version}
    out.update({key: getattr(cfg, field) for key, field in MODEL_KEYS.items()})
    out["input"] = ({"kind": "tokens", "vocab": list(task.vocab)} if task.input_kind == "tokens"
                    else {"kind": "real", "input_dim": int(task.input_dim)})
    out["output"] = {"kind": task.output_kind,
                     "labels": [] if task.output_kind == "regression" else list(task.classes)}
    out["task"] = {"name": task.name, "title": task.title, "params": dict(task.params)}
    out["train"] = train.to_dict()
    out["steps_trained"] = int(steps)
    if data_file:
        out["data_file"] = data_file
    return out


def _strings(value, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ModelFolderError(f"model.json: {what} must be a list of strings")
    if len(set(value)) != len(value):
        raise ModelFolderError(f"model.json: {what} lists a symbol twice")
    return tuple(value)


def parse(raw) -> ModelSpec:
    """Check a loaded model.json; ModelFolderError names the first problem."""
    if not isinstance(raw, dict):
        raise ModelFolderError("model.json must hold a JSON object")
    if raw.get("format") != FORMAT or raw.get("format_version") != FORMAT_VERSION:
        raise ModelFolderError(f'model.json must say "format": "{FORMAT}", "format_version": {FORMAT_VERSION}; '
                               f"got {str(raw.get('format'))[:40]!r}, {str(raw.get('format_version'))[:20]}")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ModelFolderError(f"model.json has no {', '.join(missing)}")
    fields = {f: raw[k] for k, f in MODEL_KEYS.items() if k in raw}
    try:
        model = ModelConfig(**fields)
    except ValueError as exc:
        raise ModelFolderError(f"model.json: {str(exc).replace('h0 must', 'initial_state must')}") from None
    inp, out = raw["input"], raw["output"]
    if not isinstance(inp, dict) or inp.get("kind") not in INPUT_KINDS:
        raise ModelFolderError(f"model.json: input must be {{\"kind\": one of {', '.join(INPUT_KINDS)}, ...}}")
    if not isinstance(out, dict) or out.get("kind") not in OUTPUT_KINDS:
        raise ModelFolderError(f"model.json: output must be {{\"kind\": one of {', '.join(OUTPUT_KINDS)}, ...}}")
    vocab, input_dim = (), 0
    if inp["kind"] == "tokens":
        vocab = _strings(inp.get("vocab"), "input.vocab")
        if not vocab:
            raise ModelFolderError("model.json: input.vocab is empty")
    else:
        input_dim = inp.get("input_dim")
        if isinstance(input_dim, bool) or not isinstance(input_dim, int) or not 1 <= input_dim <= 4096:
            raise ModelFolderError(f"model.json: input.input_dim must be a whole number from 1 to 4096; "
                                   f"got {str(input_dim)[:20]}")
    labels = () if out["kind"] == "regression" else _strings(out.get("labels"), "output.labels")
    if out["kind"] != "regression" and len(labels) < 2:
        raise ModelFolderError("model.json: output.labels needs at least two classes")
    task, params = None, {}
    if raw.get("task") is not None:
        t = raw["task"]
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not isinstance(t.get("params", {}), dict):
            raise ModelFolderError('model.json: task must be {"name": "...", "params": {...}}')
        task, params = t["name"], dict(t.get("params", {}))
    train = None
    if raw.get("train") is not None:
        try:
            train = TrainConfig.from_dict(raw["train"])
        except (ValueError, TypeError) as exc:
            raise ModelFolderError(f"model.json: train: {exc}") from None
    data_file = raw.get("data_file")
    if data_file is not None and (not isinstance(data_file, str) or "/" in data_file or "\\" in data_file
                                  or data_file in ("", ".", "..")):
        raise ModelFolderError("model.json: data_file must be the name of a file in the model folder")
    return ModelSpec(model, inp["kind"], vocab, input_dim, out["kind"], labels, task, params, train, data_file, raw)


def read_spec(path) -> tuple[Path, ModelSpec]:
    """(the folder, its checked model.json) for a model folder or its model.json."""
    folder = _folder(Path(path))
    spec = parse(_read_json(folder / "model.json"))
    if not (folder / "model.pt").is_file():
        raise ModelFolderError(f"{folder.name} has no model.pt (the weights: torch.save(model.state_dict(), ...))")
    return folder, spec


def _folder(path: Path) -> Path:
    if path.is_file() and path.name == "model.json":
        return path.parent
    if not path.exists():
        raise ModelFolderError(f"no model folder {path}")
    if not path.is_dir():
        raise ModelFolderError(f"{path} is a file; a model folder holds model.json and model.pt")
    if not (path / "model.json").is_file():
        raise ModelFolderError(f"{path.name} has no model.json; a model folder holds model.json and model.pt "
                               "(File > Export model writes one)")
    return path


def _read_json(path: Path):
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ModelFolderError(f"model.json is larger than {MAX_JSON_BYTES // 2**20} MB")
        return json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ModelFolderError(f"model.json is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ModelFolderError(f"model.json is not valid JSON: {exc.msg} at line {exc.lineno} "
                               f"column {exc.colno}") from None
    except OSError as exc:
        raise ModelFolderError(f"cannot read model.json: {exc.strerror or exc}") from None
