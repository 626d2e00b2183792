#!/usr/bin/env bash
# Set up (first time only) and start RNN Lab; arguments go to main.py (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
needs_window=1
for arg in "$@"; do
  case "$arg" in --headless|--help|-h|--version|--list-tasks|--list-presets|--install-desktop|--uninstall-desktop)
    needs_window=0 ;; esac
done
if [ "$needs_window" = 1 ]; then
  bash scripts/qt_preflight.sh || exit 1
fi
exec .venv/bin/python main.py "$@"
