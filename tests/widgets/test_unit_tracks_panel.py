"""The unit explorer's Tracks… button: enabled only on a data file, a refused file shows its one line and keeps
what is shown, a loaded one switches the ranking to the first track."""
import numpy as np

from widgets.hidden.unit_explorer_panel import UnitExplorerPanel


def payload(tracks: bool, can: bool = True):
    rng = np.random.default_rng(2)
    names = ["position t", "tag = PER"] + (["track: before_place", "track: position"] if tracks else [])
    corr = rng.uniform(-0.4, 0.4, size=(len(names), 1, 1, 1, 6)).astype(np.float32)
    if tracks:
        corr[2, 0, 0, 0, 4] = 0.9
    return {"features": names, "kinds": ["h"], "corr": corr,
            "values": rng.uniform(-1, 1, size=(1, 1, 1, 2, 3, 6)).astype(np.float32),
            "feature_values": rng.normal(size=(len(names), 2, 3)).astype(np.float32),
            "texts": [["erin", "met", "bob"], ["bob", "met", "erin"]], "step": 3, "can_load_tracks": can,
            "tracks_file": "t.csv" if tracks else None}


def test_tracks_button_loads_reports_and_keeps_the_ranking(qtbot):
    panel = UnitExplorerPanel()
    qtbot.addWidget(panel)
    calls = []
    panel.set_units(payload(False, can=False))
    panel.set_requester(lambda kind, **kw: calls.append((kind, kw)))
    assert not panel.tracks.button.isEnabled() and "open one first" in panel.tracks.button.toolTip()
    panel.set_units(payload(False))
    assert panel.tracks.button.isEnabled()
    panel.feature_combo.setCurrentIndex(1)
    panel.tracks.load("/data/bad.csv")
    kind, kw = calls[-1]
    assert kind == "annotations" and kw["path"] == "/data/bad.csv"
    kw["on_error"]("bad.csv row 3, column 'x': 'yes' is not a number")
    assert panel.tracks.message.text() == "bad.csv row 3, column 'x': 'yes' is not a number"
    assert panel.feature_combo.currentText() == "tag = PER"  # nothing shown is lost
    panel.tracks.load("/data/t.csv")
    calls[-1][1]["on_done"]({"file": "t.csv", "tracks": ["before_place", "position"], "tokens": 3428})
    assert panel.tracks.message.text() == "2 tracks from t.csv (3,428 tokens)"
    panel.set_units(payload(True))  # the next snapshot carries them: the first track is shown, its best unit
    assert panel.feature_combo.currentText() == "track: before_place" and panel.unit == 4
    header, rows = panel.data_table()
    assert header[-2:] == ["r with track: before_place", "r with track: position"]
    assert rows[4][3] == np.float32(0.9)
    panel.set_units(payload(False))  # another data file: the tracks followed the old one, no stale line
    assert panel.tracks.message.text() == "" and panel.feature_combo.currentText() in ("position t", "tag = PER")


def test_the_feature_tooltip_describes_every_kind_of_feature_offered(qtbot):
    """'A quantity computed from the input alone' was the whole tooltip, beside 'tag = PER' (the file's answer)
    and 'track: NAME' (the user's numbers)."""
    panel = UnitExplorerPanel()
    qtbot.addWidget(panel)
    panel.set_units(payload(True))
    tip = panel.feature_combo.toolTip()
    offered = [panel.feature_combo.itemText(i) for i in range(panel.feature_combo.count())]
    assert any(f.startswith("tag = ") for f in offered) and any(f.startswith("track: ") for f in offered)
    for prefix, said in (("tag = ", "'tag = PER'"), ("track: ", "'track: NAME'")):
        assert not any(f.startswith(prefix) for f in offered) or said in tip
    assert "Tracks…" in tip
    assert "input alone" in tip and not tip.startswith("A quantity computed from the input alone")
