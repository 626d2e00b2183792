"""The whole X screen as a PNG, read from the server's root window (what ``import -window root`` saved,
without ImageMagick, which a fresh machine may not have): the pixels a person sees, tooltips included."""
from __future__ import annotations

from pathlib import Path


def save_screen(app, path: Path) -> bool:
    """Write the screen's pixels to ``path``; False (and a one-line reason) when there is no screen."""
    screen = app.primaryScreen()
    if screen is None:
        print(f"no screen to grab for {path}")
        return False
    ok = screen.grabWindow(0).save(str(path))
    print(path if ok else f"could not write {path}")
    return ok
