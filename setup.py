"""What pyproject.toml cannot say: ``assets/`` at the repository root ships as the package
``rnnlab_assets`` with every file under it (corpus, presets, examples, icons, whatever is added
later), so an installed RNN Lab reads them with importlib.resources (``engine/util/assets.py``)."""
from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["app", "app.*", "widgets", "widgets.*", "engine", "engine.*"])
    + ["rnnlab_assets"],
    py_modules=["rnnlab"],  # the notebook API (rnnlab.py): import rnnlab
    package_dir={"rnnlab_assets": "assets"},
    package_data={"rnnlab_assets": ["**/*"]},
    include_package_data=False,  # (package_data above already takes every file under assets/)
)
