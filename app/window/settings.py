"""Remembered settings (QSettings, INI format). RNNLAB_SETTINGS_DIR redirects them (tests do)."""
from __future__ import annotations

import json
import os

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def settings() -> QSettings:
    folder = os.environ.get("RNNLAB_SETTINGS_DIR")
    if folder:
        return QSettings(os.path.join(folder, "rnnlab.ini"), QSettings.IniFormat)
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "RNNLab", "RNN Lab")


def load_json(key: str, default):
    raw = settings().value(key)
    if not isinstance(raw, str):
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def save_json(key: str, value) -> None:
    s = settings()
    s.setValue(key, json.dumps(value))
    s.sync()


def recent_files() -> list[str]:
    files = load_json("recent_files", [])
    return [f for f in files if isinstance(f, str)][:MAX_RECENT]


def add_recent(path: str) -> list[str]:
    files = [path] + [f for f in recent_files() if f != path]
    save_json("recent_files", files[:MAX_RECENT])
    return files[:MAX_RECENT]
