"""RNN Lab's own version (for files it writes, such as an exported model's model.json), without torch or Qt."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path


def app_version() -> str:
    """The installed distribution's version, else the one in the checkout's pyproject.toml."""
    try:
        return metadata.version("rnnlab")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M) \
            if pyproject.is_file() else None
        return found.group(1) if found else "unknown"
