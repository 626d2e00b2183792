#!/usr/bin/env bash
# Set up (first time only) and start RNN Lab; arguments go to main.py (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
