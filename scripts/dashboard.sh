#!/usr/bin/env bash
# Set up (first run, or when requirements.txt changed) and run the dashboard.
#   bash scripts/dashboard.sh [extra `streamlit run` options, e.g. --server.port 8600]
# Listens on 127.0.0.1 only. To serve a team on a network: GIFT_ADDRESS=0.0.0.0 (or one interface's address),
# or pass --server.address ADDRESS (see README, "Serving a team").
# Works from any directory; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

ensure_venv requirements.txt
[ -f app.py ] || die "app.py not found in $ROOT"
# Python's own small-object allocator keeps freed arenas that hold a single survivor; with the system allocator,
# gift_ui.sessions can return a closed tab's memory (bench/session_memory.py: +41 MiB instead of +158 MiB after
# 20 closed 10 MB uploads). Set PYTHONMALLOC=pymalloc to go back.
export PYTHONMALLOC="${PYTHONMALLOC:-malloc}"
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
    --server.address "${GIFT_ADDRESS:-127.0.0.1}" "$@"
