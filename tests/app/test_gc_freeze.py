"""Issue 25 (never frozen): a full garbage collection of the window process scanned every object start-up made
(45-90 ms with the window open, a frozen window whenever one came due). Once the window has painted, start-up's
objects are frozen out of the scan, and a collection sees only what came since."""
import gc

from app.window import gui


def test_after_the_first_paint_start_ups_objects_are_left_out_of_collections(monkeypatch):
    started = []
    monkeypatch.setattr("app.engine_link.client.start_deferred", lambda: started.append(True))
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0  # control: nothing frozen before
        made_at_start = [[i] for i in range(1000)]  # tracked objects, like start-up's widgets and modules
        gui.after_first_paint()
        assert started == [True]  # the engine starts then, as before
        assert gc.get_freeze_count() >= len(made_at_start)
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(o) in tracked for o in made_at_start)  # a collection no longer scans them
    finally:
        gc.unfreeze()
