"""Data files shipped with RNN Lab: the corpus, the lecture presets, examples, the icon.

They live in ``assets/`` at the root of the repository; an installed wheel carries every file under
it as the package ``rnnlab_assets`` (see ``setup.py``), read with ``importlib.resources``. Code asks
for ``asset("presets/lecture.json")`` and never builds a path from its own location.
"""
from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = "rnnlab_assets"
_CHECKOUT = Path(__file__).resolve().parents[2]


def assets_root() -> Traversable:
    """The folder of assets: the repository's ``assets/`` when running from a source checkout
    (so a worktree reads its own files), else the installed ``rnnlab_assets`` package data."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "assets").is_dir():
        return _CHECKOUT / "assets"
    try:
        root = resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise FileNotFoundError("RNN Lab's assets are missing: reinstall rnnlab (the wheel ships rnnlab_assets)") \
            from None
    if not isinstance(root, Path):  # a data-only (namespace) package: a MultiplexedPath over its one folder
        root = root.joinpath("presets").parent
    return root


def asset(relative: str) -> Traversable:
    """One asset by its path under ``assets/`` (forward slashes), e.g. ``"corpus/alice_ch1-2.txt"``."""
    node = assets_root()
    for part in relative.split("/"):
        node = node / part
    return node
