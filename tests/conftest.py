"""Test settings: Qt offscreen, no torch thread oversubscription, and no leaked QThreads."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile  # noqa: E402

# Tests never read or write the user's remembered settings.
os.environ["RNNLAB_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="rnnlab-test-settings-")
# ... nor the user's recovery points; and each window's engine process is started one test ahead.
os.environ["RNNLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="rnnlab-test-data-")
os.environ["RNNLAB_SPARE_ENGINE"] = "1"
# ... and a closed window's engine process serves the next window (app.engine_link.client.sharing); the tests of
# start-up and shutdown ask for their own with the fresh_engine fixture
os.environ["RNNLAB_SHARE_ENGINE"] = "1"
os.environ["RNNLAB_TEST_HOOKS"] = "1"  # engine.process.fault_hooks: e.g. a save that fails as on a full disk
# An export's writer thread runs at the app's usual priority: the suite's workers keep both cores busy, and a niced
# writer (app.export.sink.WRITER_NICE, which a test of its own checks) made a test wait for its export 3-4x longer
os.environ["RNNLAB_WRITER_NICE"] = "0"

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


_WINDOW_NAMES = ("MainWindow(", "make_window", "CompareWindow(", "EngineClient(", "engine_window")
_started_qthreads = None  # a WeakSet of every QThread started through Python, once PySide6 is imported


def pytest_collection_modifyitems(config, items):
    """Tests in a module that opens a window (and so starts an engine process) are marked ``window``: the
    fast tier (``scripts/test.sh --fast``) leaves them and the ``slow`` ones out."""
    cache = {}
    for item in items:
        path = str(item.path)
        if path not in cache:
            cache[path] = any(name in item.path.read_text() for name in _WINDOW_NAMES)
        if cache[path]:
            item.add_marker(pytest.mark.window)


def _track_qthreads():
    """Record every QThread started from Python (a weak set: cheap, unlike scanning gc.get_objects())."""
    global _started_qthreads
    if _started_qthreads is not None:
        return _started_qthreads
    import sys
    import weakref

    if "PySide6.QtCore" not in sys.modules:
        return None
    from PySide6.QtCore import QThread

    _started_qthreads = weakref.WeakSet()
    original = QThread.start

    def start(self, *args, **kwargs):
        _started_qthreads.add(self)
        return original(self, *args, **kwargs)

    QThread.start = start
    return _started_qthreads


_qt_tests = []  # the tests run with qtbot so far
FULL_COLLECTION_EVERY = 25


@pytest.fixture(autouse=True)
def no_leaked_qthreads(request):
    """Fail any test that leaves a QThread running (napari's conftest does the same)."""
    import gc

    started = _track_qthreads()
    qt = "qtbot" in request.fixturenames
    if qt:  # no cyclic collection in the middle of a paint (as the app: app.window.gui, pyqtgraph's advice)
        gc.disable()
        # what exists now (torch, Qt, earlier tests' modules and fixtures) is left out of this test's collection
        # below, as the app freezes its start-up's objects: scanning them all took 0.1-0.2 s after every test
        gc.freeze()
    try:
        yield
    finally:
        if qt:
            gc.enable()
    if qt:
        # collect this test's widgets now, after qtbot closed them: left to a later collection, pyqtgraph items
        # whose C++ side is gone can be finalised in the middle of another test's paint (a segfault); now and
        # then a collection of everything, for what an earlier test dropped since it was frozen
        _qt_tests.append(request.node.nodeid)
        if len(_qt_tests) % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        gc.collect()
    started = started if started is not None else _track_qthreads()
    if not started:
        return
    leaked = [t for t in list(started) if _running(t)]
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


@pytest.fixture
def fresh_engine(monkeypatch):
    """This test's windows start and stop engine processes of their own (start-up, shutdown, kill tests)."""
    monkeypatch.setenv("RNNLAB_SHARE_ENGINE", "0")


@pytest.fixture(autouse=True)
def discard_unsaved_on_close(monkeypatch):
    """Closing a window with unsaved training would ask; tests answer "discard" unless they say."""
    import sys

    if "app.window.file_actions" in sys.modules:
        monkeypatch.setattr(sys.modules["app.window.file_actions"], "ask_unsaved", lambda window: "discard")
    yield
