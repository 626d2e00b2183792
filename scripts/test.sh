#!/usr/bin/env bash
# Set up (first time only) and run the tests offscreen; other arguments go to pytest.
#   bash scripts/test.sh           the whole suite (what CI runs), one worker per core (RNNLAB_TEST_WORKERS=N)
#   bash scripts/test.sh --fast    the fast tier: no slow training runs, no window (engine process), < 2 minutes
#   bash scripts/test.sh --lessons every built-in lesson verified headless (--verify) for seeds 0-2
#   bash scripts/test.sh --results every classic result reproduced at full (scaled-down) size for seeds 0-2: each
#                                  published-vs-measured check must hold; figures, CSV, README in build/results/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
if [[ "${1:-}" == "--lessons" ]]; then  # every built-in lesson's expects, seeds 0-2 (one line per step)
    status=0
    for seed in 0 1 2; do
        .venv/bin/python main.py --headless --lesson all --verify --seed "$seed" || status=1
    done
    exit "$status"
fi
if [[ "${1:-}" == "--results" ]]; then  # each run prints its line and how long it took; exit 1 if any did not reproduce
    status=0
    names=$(.venv/bin/python -c "from engine.reproductions import list_results; print(' '.join(list_results()))")
    for seed in 0 1 2; do
        for name in $names; do
            start=$SECONDS
            .venv/bin/python main.py --headless --reproduce "$name" --seed "$seed" --quiet \
                --export "build/results/seed$seed/$name" || status=1
            echo "  ($name, seed $seed: $((SECONDS - start)) s)"
        done
    done
    exit "$status"
fi
tier=()
if [ "${1:-}" = "--fast" ]; then
  shift
  tier=(-m "not slow and not window")
fi
# one pytest worker per core (at most 4: each holds torch, Qt and an engine process); RNNLAB_TEST_WORKERS=0 runs
# in this process (e.g. for pdb). Every worker has its own settings, data folder, engine process and X display.
workers=${RNNLAB_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
(( workers > 4 )) && workers=4
exec .venv/bin/python -m pytest -n "$workers" "${tier[@]}" "$@"
