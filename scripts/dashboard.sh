#!/usr/bin/env bash
# Set up (first run, or when requirements.txt changed) and run the dashboard.
#   bash scripts/dashboard.sh [extra `streamlit run` options, e.g. --server.port 8600]
# Works from any directory; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

ensure_venv requirements.txt
[ -f app.py ] || die "app.py not found in $ROOT"
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
