"""The one screenshot tool: walks through the window as a user would and saves what it shows.

    .venv/bin/python scripts/walkthrough.py [presets] [--out DIR] [--sizes 1280x720,1920x1080] [--panels]
        [--data FILE ...] [--compare TASK:VARIANTS ...]      every Lecture preset (and data files, compare runs)
    .venv/bin/python scripts/walkthrough.py projector [--shots DIR] [--modes normal,presentation]
        every preset in normal and presentation mode, reporting every cut text (needs a real X server)
    .venv/bin/python scripts/walkthrough.py cellview OUT_DIR
        the cell view of each cell type mid forward pulse and mid BPTT, and three tooltips (real X server)
    .venv/bin/python scripts/walkthrough.py deck OUT_DIR [fold nlp softmax compare]
        the deck's own views: fold/unfold, input to NLP, tagging's softmax, GRU vs LSTM (real X server)

Judge sizes under a real X server (Xvfb :N -screen 0 1280x720x24; DISPLAY=:N): offscreen's screen is larger
than a projector. Each walk lives in scripts/shots/; `WALK --help` lists its options.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WALKS = ("presets", "projector", "cellview", "deck")


def main(argv: list[str]) -> int:
    walk = argv[0] if argv and argv[0] in WALKS else "presets"
    rest = argv[1:] if argv and argv[0] in WALKS else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    module = importlib.import_module(f"scripts.shots.{walk}")
    sys.argv = [f"walkthrough.py {walk}", *rest]
    result = module.main(rest) if module.main.__code__.co_argcount else module.main()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
