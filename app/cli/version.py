"""RNN Lab's version and the versions of what it runs on, without importing torch or Qt."""
from __future__ import annotations

import sys
from importlib import metadata

from engine.util.version import app_version  # noqa: F401  (re-exported: About, --version)


def dependency_versions() -> dict[str, str]:
    """{name: version} of Python and the libraries RNN Lab runs on ("not installed" if missing)."""
    out = {"Python": sys.version.split()[0]}
    for name, dist in (("PyTorch", "torch"), ("Qt for Python (PySide6)", "PySide6-Essentials"),
                       ("pyqtgraph", "pyqtgraph"), ("NumPy", "numpy")):
        try:
            out[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def version_text() -> str:
    """What ``rnnlab --version`` prints."""
    deps = ", ".join(f"{k} {v}" for k, v in dependency_versions().items())
    return f"rnnlab {app_version()} ({deps})"
