"""RNN Lab engine: plain PyTorch + numpy, no Qt. Usable from a notebook or a script."""
from .config import CELLS, INITIAL_STATES, INITS, MERGES, OPTIMIZERS, ModelConfig, TrainConfig
from .model import SequenceModel, build_model
from .probe import probe
from .session import Session, SessionError, load_session, save_session
from .tasks import Task, list_tasks, make_task
from .trace import Trace
from .trainer import StepStats, Trainer

__all__ = [
    "CELLS", "INITIAL_STATES", "INITS", "MERGES", "OPTIMIZERS", "ModelConfig", "TrainConfig", "SequenceModel",
    "build_model", "probe", "Session", "SessionError", "load_session", "save_session", "Task",
    "list_tasks", "make_task", "Trace", "StepStats", "Trainer",
]
