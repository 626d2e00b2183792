"""Session files: one ``.rnnlab`` file holding configs, task, weights, optimizer and history.

Written with ``torch.save`` of plain containers and tensors; read with
``torch.load(weights_only=True)``, which refuses pickled code. Every problem while reading is a
``SessionError`` with a message a person can act on. Saving writes a temporary file in the same
folder and renames it over the target, so a failed save never destroys the previous file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from engine.config import ModelConfig, TrainConfig
from engine.errors import SessionError
from engine.network.model import build_model
from engine.tasks import make_task
from engine.tasks.data.data_files import REGISTRY, pack, unpack
from engine.tasks.data.data_model import DataFileError
from engine.training.trainer import Trainer
from engine.util.atomic import atomic_write

MAGIC = "rnnlab-session"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024 * 1024  # refuse anything larger before reading it
SUFFIX = ".rnnlab"


@dataclass
class Session:
    model_config: ModelConfig
    train_config: TrainConfig
    task_name: str
    task_params: dict
    trainer: Trainer
    extra: dict  # front-end state (displayed example, time cursor, ...): plain values only

    @property
    def step(self) -> int:
        return self.trainer.step_count


def save_session(path, trainer: Trainer, extra: dict | None = None) -> Path:
    """Atomically write ``trainer``'s whole state to ``path``."""
    path = Path(path)
    model = trainer.model
    payload = {
        "magic": MAGIC, "format_version": FORMAT_VERSION,
        "model_config": model.config.to_dict(), "train_config": trainer.config.to_dict(),
        "task": {"name": model.task.name, "params": dict(model.task.params)},
        "seed": trainer.config.seed, "step": trainer.step_count,
        "model_state": model.state_dict(), "trainer_state": trainer.state_dict(),
        "extra": dict(extra or {}),
    }
    source = getattr(model.task, "source", None)  # a data-file task: the file travels along
    if source is not None:
        entry = pack(source)
        entry["zlib"] = torch.frombuffer(bytearray(entry["zlib"]), dtype=torch.uint8)  # (n,)
        payload["data"] = entry
    write_atomic(path, lambda f: torch.save(payload, f))
    return path


def write_atomic(path: Path, write) -> None:
    """atomic_write with errors as SessionError naming the file and the reason."""
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise SessionError(f"cannot write {path}: {exc.strerror or exc}") from None


def load_session(path) -> Session:
    """Read a session file; never executes code from it. Raises SessionError."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SessionError(f"cannot open {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise SessionError(f"{path.name} is empty; it is not an RNN Lab session")
    if size > MAX_BYTES:
        raise SessionError(f"{path.name} is {size / 2**20:.0f} MB; sessions are at most "
                           f"{MAX_BYTES // 2**20} MB")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for corrupt or hostile input
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if "weights_only" in str(exc) or "Unsupported global" in str(exc):
            reason = "it contains objects other than plain data (possibly code), which are refused"
        raise SessionError(f"{path.name} is not a readable RNN Lab session: {reason}") from None
    return _restore(path.name, payload)


def _restore(name: str, payload) -> Session:
    magic = payload.get("magic") if isinstance(payload, dict) else None
    if not isinstance(magic, str) or magic != MAGIC:
        raise SessionError(f"{name} is not an RNN Lab session file")
    version = payload.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT_VERSION:
        plain = isinstance(version, (int, float, str, type(None)))
        shown = repr(version)[:40] if plain else type(version).__name__
        raise SessionError(f"{name} has session format version {shown}; this RNN Lab reads "
                           f"version {FORMAT_VERSION}. Open it with the version that saved it.")
    try:
        model_cfg = ModelConfig.from_dict(payload["model_config"])
        train_cfg = TrainConfig.from_dict(payload["train_config"])
        task_info = payload["task"]
        if "data" in payload:
            restore_data(payload["data"])
        task = make_task(task_info["name"], **dict(task_info["params"]))
        extra = payload.get("extra", {})
        if not isinstance(extra, dict):
            raise ValueError("extra is not a mapping")
    except DataFileError as exc:
        raise SessionError(f"{name}: {_describe(exc)}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise SessionError(f"{name} has an invalid configuration: {_describe(exc)}") from None
    model = build_model(model_cfg, task, seed=train_cfg.seed)
    trainer = Trainer(model, task, train_cfg)
    try:
        model.load_state_dict(payload["model_state"], strict=True)
        trainer.load_state_dict(payload["trainer_state"])
        _check_finite_weights(model)
    except (KeyError, TypeError, ValueError, ArithmeticError, RuntimeError, IndexError,
            AttributeError) as exc:
        raise SessionError(f"{name} holds weights or training state that do not fit its "
                           f"configuration: {_describe(exc)}") from None
    return Session(model_cfg, train_cfg, task.name, dict(task.params), trainer, extra)


def restore_data(entry) -> None:
    """Register the data file a session embeds (bytes stored as a uint8 tensor)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("zlib"), torch.Tensor) \
            or entry["zlib"].dtype != torch.uint8 or entry["zlib"].dim() != 1:
        raise DataFileError("the embedded data file is malformed")
    REGISTRY.add(unpack({**entry, "zlib": entry["zlib"].numpy().tobytes()}))


def _check_finite_weights(model) -> None:
    for n, p in [*model.named_parameters(), *model.named_buffers()]:  # buffers: a random h0
        if not torch.isfinite(p).all():
            raise ValueError(f"parameter {n} is not finite")


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else type(exc).__name__
    if isinstance(exc, KeyError):
        msg = f"missing entry {msg}"
    return msg[:300]
