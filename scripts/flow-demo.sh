#!/usr/bin/env bash
# From a dropped sales file to a new recommendation with no manual click (see scripts/flow_demo.py).
# Usage: scripts/flow-demo.sh [--days 30] [--timeout 1800] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python scripts/flow_demo.py "$@"
