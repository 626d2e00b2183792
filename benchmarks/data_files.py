"""Opening a data file: time to the first snapshot and memory against the file's size.

    python benchmarks/data_files.py              # 10 MB of text (ASCII, then with accents), 100k-row CSV
    python benchmarks/data_files.py --mb 20

Each case runs in a fresh process (so earlier cases do not hide its memory) and prints:
  open    read + validate + vocabulary + ids (engine.tasks.data.data_files.open_data)
  first   open + task + model + the first Snapshot (what the window waits for)
  rss     growth of the process's peak resident memory over open + first snapshot, per byte of file
  data    peak bytes that Python and numpy allocate while reading the file, per byte (tracemalloc)
The goals (issue 13): first snapshot under 3 s for 10 MB of text; memory under 3x the file size.
"""
from __future__ import annotations

import argparse
import pathlib
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE = ROOT / "assets" / "examples" / "coriolanus_act1.txt"


def make_text(path: pathlib.Path, size: int, accents: bool) -> None:
    """``size`` bytes of English text (the example play, shuffled by line), optionally with accents."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)
    if accents:
        lines = [ln.replace("e", "\u00e9", 1).replace("a", "\u00e4", 1) for ln in lines]
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        written = 0
        while written < size:
            ln = rng.choice(lines)
            f.write(ln)
            written += len(ln.encode("utf-8"))


def make_csv(path: pathlib.Path, rows: int, tagged: bool) -> None:
    """``rows`` rows: strings of a-d (5-60 characters) with a label, or 5-30 words with tags."""
    rng = random.Random(0)
    words = [f"w{i}" for i in range(300)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("tokens,tags\n" if tagged else "sequence,label\n")
        for _ in range(rows):
            if tagged:
                toks = [rng.choice(words) for _ in range(rng.randint(5, 30))]
                f.write(f"{' '.join(toks)},{' '.join('T' + t[-1] for t in toks)}\n")
            else:
                s = "".join(rng.choice("abcd") for _ in range(rng.randint(5, 60)))
                f.write(f"{s},{'yes' if s.count('a') > s.count('b') else 'no'}\n")


def measure(path: str) -> None:
    """Runs in the child process: prints one result line."""
    import torch

    torch.set_num_threads(1)
    from engine.lab.config import LabConfig
    from engine.lab.session import LabSession
    from engine.tasks.data.data_files import open_data, read_data_file
    from engine.tasks.data.data_tasks import task_for

    size = pathlib.Path(path).stat().st_size
    LabSession(LabConfig.for_task("parity")).snapshot()  # warm up torch and the probe
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    data = open_data(path)
    t_open = time.perf_counter() - t0
    name, params = task_for(data)
    session = LabSession(LabConfig.for_task(name, **params))
    session.snapshot()
    t_first = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss0
    tracemalloc.start()  # again, traced (slower): what the reading itself allocates at its peak
    read_data_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{pathlib.Path(path).name:16s} {size / 2**20:5.1f} MB  open {t_open:5.2f} s  first snapshot "
          f"{t_first:5.2f} s  memory: rss {rss / size:4.2f}x, data {peak / size:4.2f}x  "
          f"{verdict(path, t_first, rss, size)}")


def verdict(path: str, seconds: float, rss: int, size: int) -> str:
    """The goals (first snapshot < 3 s, memory < 3x) are stated for a 10 MB text file."""
    if not path.endswith(".txt"):
        return "(CSV: for information)"
    return "PASS" if seconds < 3 and rss < 3 * size else "FAIL"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=float, default=10.0, help="text size in MB (default 10)")
    p.add_argument("--rows", type=int, default=100_000, help="CSV rows (default 100,000)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        measure(args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for accents in (False, True):
            path = pathlib.Path(tmp) / f"text_{'accents' if accents else 'ascii'}.txt"
            make_text(path, int(args.mb * 2**20), accents)
            cases.append(path)
        for tagged in (False, True):
            path = pathlib.Path(tmp) / f"{'tagged' if tagged else 'labelled'}.csv"
            make_csv(path, args.rows, tagged)
            cases.append(path)
        failed = 0
        for path in cases:
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True)
            print(out.stdout.strip() or out.stderr.strip().splitlines()[-1])
            failed += "FAIL" in out.stdout or not out.stdout
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
