"""Test settings: Qt offscreen, no torch thread oversubscription, and no leaked QThreads."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile  # noqa: E402

# Tests never read or write the user's remembered settings.
os.environ["RNNLAB_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="rnnlab-test-settings-")
# ... nor the user's recovery points; and each window's engine process is started one test ahead.
os.environ["RNNLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="rnnlab-test-data-")
os.environ["RNNLAB_SPARE_ENGINE"] = "1"
os.environ["RNNLAB_TEST_HOOKS"] = "1"  # engine.process.fault_hooks: e.g. a save that fails as on a full disk

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def no_leaked_qthreads(request):
    """Fail any test that leaves a QThread running (napari's conftest does the same)."""
    yield
    try:
        from PySide6.QtCore import QThread
        from PySide6.QtWidgets import QApplication
    except ImportError:  # pragma: no cover
        return
    app = QApplication.instance()
    if app is None:
        return
    import gc

    leaked = [t for t in gc.get_objects() if issubclass(type(t), QThread) and _running(t)]
    if leaked:
        for t in leaked:
            t.quit()
            t.wait(2000)
        pytest.fail(f"{request.node.name} left {len(leaked)} QThread(s) running")


def _running(thread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # C++ object already deleted
        return False


@pytest.fixture(autouse=True)
def discard_unsaved_on_close(monkeypatch):
    """Closing a window with unsaved training would ask; tests answer "discard" unless they say."""
    import sys

    if "app.window.file_actions" in sys.modules:
        monkeypatch.setattr(sys.modules["app.window.file_actions"], "ask_unsaved", lambda window: "discard")
    yield
