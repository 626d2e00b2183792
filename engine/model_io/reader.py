"""Open a model folder (model.json + model.pt), written by RNN Lab or by anyone with plain PyTorch.

``read_model_folder`` checks everything before anything changes: the folder and its files, model.json
(``engine.model_io.spec``), the task it names or the data file given instead (whose vocabulary and
labels must be the model's), and the weights, read with ``torch.load(weights_only=True)`` (pickled code is
refused), which must be finite and have exactly the names and shapes the json describes. Each problem is
one ``ModelFolderError`` line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import torch

from engine.lab.config import LabConfig, check_size
from engine.model_io.spec import ModelFolderError, ModelSpec, read_spec
from engine.network.model import SequenceModel, build_model
from engine.tasks import is_data_task, make_task, preset_configs

MAX_WEIGHT_BYTES = 512 * 2**20


@dataclass
class ImportedModel:
    config: LabConfig
    task: object  # the Task
    model: SequenceModel  # holding the folder's weights
    spec: ModelSpec
    folder: Path


def read_model_folder(path, data=None, fold_case: bool = False) -> ImportedModel:
    """The model in ``path`` (a folder, or its model.json), on its own task or on the data file ``data``."""
    folder, spec = read_spec(path)
    task = _task(spec, folder, data, fold_case)
    check_task(spec, task)
    train = spec.train if spec.train is not None else preset_configs(task)[1]
    cfg = LabConfig(task.name, dict(task.params), spec.model, train)
    try:
        check_size(cfg, task)
    except ValueError as exc:
        raise ModelFolderError(str(exc)) from None
    model = build_model(cfg.model, task, seed=cfg.train.seed)
    load_weights(model, _read_weights(folder / "model.pt"), spec)
    return ImportedModel(cfg, task, model, spec, folder)


def _task(spec: ModelSpec, folder: Path, data, fold_case: bool):
    """The task the model runs on: the data file given, else the one beside model.json, else the json's task."""
    from engine.tasks.data.data_files import open_data
    from engine.tasks.data.data_tasks import task_for

    if data is None and spec.task is not None and is_data_task(spec.task):
        if spec.data_file is None or not (folder / spec.data_file).is_file():
            shown = f" ({spec.data_file} is not in the folder)" if spec.data_file else ""
            raise ModelFolderError(f"this model was trained on a data file{shown}; give it with --data FILE "
                                   "(or File > Open data after opening the model)")
        data, fold_case = folder / spec.data_file, bool(spec.task_params.get("fold_case", 0))
    if data is not None:
        try:
            name, params = task_for(open_data(data))
        except ValueError as exc:  # DataFileError: one line naming the problem
            raise ModelFolderError(str(exc)) from None
        if fold_case:
            params["fold_case"] = 1
        if spec.task == name:  # the model's own file (or one like it): keep its lengths and split
            keep = {k: v for k, v in spec.task_params.items() if k != "data"}
            try:
                return make_task(name, **{**params, **keep})
            except ValueError:
                pass  # another file, other ranges: its own preset parameters
        return make_task(name, **params)
    if spec.task is None:
        raise ModelFolderError('model.json names no task; add "task": {"name": ..., "params": {...}} '
                               "(see --list-tasks) or give --data FILE")
    try:
        return make_task(spec.task, **spec.task_params)
    except ValueError as exc:
        raise ModelFolderError(f"model.json: task: {exc}") from None


def _differences(ours, theirs) -> str:
    only_model = [s for s in ours if s not in set(theirs)]
    only_task = [s for s in theirs if s not in set(ours)]
    if not only_model and not only_task:
        i = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
        return f"the same symbols in another order (index {i}: model {ours[i]!r}, data {theirs[i]!r})"
    parts = []
    if only_model:
        parts.append(f"only in the model: {' '.join(map(repr, only_model[:12]))}")
    if only_task:
        parts.append(f"only in the data: {' '.join(map(repr, only_task[:12]))}")
    return "; ".join(parts)


def check_task(spec: ModelSpec, task) -> None:
    """The model reads and answers what the task gives and scores."""
    where = getattr(getattr(task, "source", None), "name", None) or f"task {task.name}"
    if spec.input_kind != task.input_kind:
        raise ModelFolderError(f"the model reads {spec.input_kind} inputs but {where} gives {task.input_kind} ones")
    if spec.input_kind == "tokens" and tuple(task.vocab) != spec.vocab:
        raise ModelFolderError(f"the vocabulary of {where} differs from model.json's input.vocab: "
                               f"{_differences(spec.vocab, tuple(task.vocab))}")
    if spec.input_kind == "real" and task.input_dim != spec.input_dim:
        raise ModelFolderError(f"the model reads {spec.input_dim} values per step but {where} gives {task.input_dim}")
    if spec.output_kind != task.output_kind:
        raise ModelFolderError(f"the model has a {spec.output_kind} head but {where} needs a {task.output_kind} one")
    if spec.output_kind != "regression" and tuple(task.classes) != spec.labels:
        raise ModelFolderError(f"the labels of {where} differ from model.json's output.labels: "
                               f"{_differences(spec.labels, tuple(task.classes))}")


def _read_weights(path: Path) -> dict:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelFolderError(f"cannot read model.pt: {exc.strerror or exc}") from None
    if size > MAX_WEIGHT_BYTES:
        raise ModelFolderError(f"model.pt is {size / 2**20:.0f} MB; at most {MAX_WEIGHT_BYTES // 2**20} MB")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for corrupt or hostile input
        text = str(exc)
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
        if found:  # weights_only refused to build an object: code, or a whole pickled module
            raise ModelFolderError(f"model.pt holds objects other than tensors ({found.group(1)[:80]}: possibly "
                                   "code), which are refused; save model.state_dict() instead") from None
        reason = text.strip().splitlines()[0][:160] if text.strip() else type(exc).__name__
        if "Weights only load failed" in text:
            reason = "its pickle uses instructions that are refused when only weights are read"
        raise ModelFolderError(f"model.pt is not a PyTorch weights file: {reason}") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ModelFolderError("model.pt must hold a state_dict: a dict of parameter names to tensors")
    return state


def load_weights(model: SequenceModel, state: dict, spec: ModelSpec) -> None:
    """Copy ``state`` into ``model`` after checking names, shapes, dtypes and values."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    extra = [k for k in state if k not in expected]
    what = f"model.json's {spec.model.cell} (H={spec.model.hidden_size}, {spec.model.num_layers} layer(s)" + \
        (", bidirectional" if spec.model.bidirectional else "") + f", initial_state {spec.model.h0})"
    if missing:
        raise ModelFolderError(f"model.pt lacks {', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''} "
                               f"that {what} has")
    if extra:
        raise ModelFolderError(f"model.pt has {', '.join(extra[:4])}{' ...' if len(extra) > 4 else ''} "
                               f"that {what} has not")
    for name, tensor in state.items():
        want = tuple(expected[name].shape)
        if tuple(tensor.shape) != want:
            raise ModelFolderError(f"model.pt: {name} has shape {tuple(tensor.shape)} but {what} needs {want}")
        if not tensor.is_floating_point():
            raise ModelFolderError(f"model.pt: {name} holds {tensor.dtype} values, not floating-point weights")
        if not bool(torch.isfinite(tensor).all()):
            raise ModelFolderError(f"model.pt: {name} holds NaN or infinite values")
    with torch.no_grad():
        model.load_state_dict({k: v.to(torch.float32) for k, v in state.items()}, strict=True)


def summary(imported: ImportedModel) -> str:
    """One line: what was opened, e.g. "lstm, H=32, 2 layers, bidirectional, on Parity"."""
    m = imported.config.model
    layers = f", {m.num_layers} layers" if m.num_layers > 1 else ""
    bi = f", bidirectional ({m.merge})" if m.bidirectional else ""
    steps = imported.spec.raw.get("steps_trained")
    trained = f", trained {steps} steps before" if isinstance(steps, int) and not isinstance(steps, bool) else ""
    return f"{m.cell}, H={m.hidden_size}{layers}{bi}, on {imported.task.title}{trained}"
