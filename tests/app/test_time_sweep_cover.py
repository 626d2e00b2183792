"""The time sweep covers the whole sequence (issue 29 item 3): up to MAX_FRAMES every t, beyond that frames
spread from t = 1 to t = T, and index.html says how many frames of how many steps it holds."""
import re

from app.export.gif import MAX_FRAMES, sweep_times
from app.export.html import frame_name, index_html


def test_sweep_times_cover_every_step_or_the_whole_range():
    assert sweep_times(12) == list(range(12))
    assert sweep_times(MAX_FRAMES) == list(range(MAX_FRAMES))
    long = sweep_times(1000)
    assert len(long) == MAX_FRAMES and long[0] == 0 and long[-1] == 999
    assert max(b - a for a, b in zip(long, long[1:], strict=False)) <= 3  # no gap: never stops at t = 400


class _Snap:
    config = {"task": "adding", "task_params": {}, "model": {"cell": "lstm", "hidden_size": 8}, "train": {}}
    step, loss, metric, example_source = 10, 0.1, 0.2, "random"
    task_info = {"title": "Adding", "metric": "mse"}


def test_index_html_says_how_much_of_the_sequence_the_frames_show():
    times = sweep_times(1000)
    page = index_html(_Snap(), [], set(), {}, len(times), times=times, T=1000)
    assert f"{MAX_FRAMES} frames of 1000 steps" in page and "t = 1000" in page
    frames = re.search(r"const frames = (\[.*?\]);", page).group(1)
    assert frame_name(999) in frames and "const T = 1000;" in page
    short = index_html(_Snap(), [], set(), {}, 12, times=list(range(12)), T=12)
    assert "frames of" not in short and "const T = 12;" in short


def test_export_all_can_skip_the_time_sweep(qtbot, tmp_path):
    from tests.app.test_main_window import make_window, wait_shown

    window = make_window(qtbot, "parity", hidden_size=4)
    wait_shown(qtbot, window, lambda s: True)
    window.files.sweep_export.setChecked(False)
    try:
        assert window.files.export_all(str(tmp_path))
    finally:
        window.files.sweep_export.setChecked(True)  # (a remembered setting: leave it as found)
    assert (tmp_path / "index.html").exists() and (tmp_path / "hiddenHeatmap.png").exists()
    assert not (tmp_path / "frames").exists() and "id='timeSlider'" not in (tmp_path / "index.html").read_text()
