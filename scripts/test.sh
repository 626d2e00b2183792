#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite offscreen; arguments go to pytest.
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
exec .venv/bin/python -m pytest "$@"
