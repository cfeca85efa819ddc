#!/usr/bin/env bash
# Set up (first run, or when requirements*.txt changed) and run the WHOLE test suite,
# browser tests included.
#   bash scripts/test.sh [pytest options, e.g. -q, -x, -m "not browser", tests/test_x.py]
# Browser tests use Debian's Chromium at $CHROMIUM_PATH (default /usr/bin/chromium); when it is
# missing it is installed with apt-get (as root, or through sudo). If that is impossible the
# script fails: browser tests are never skipped silently.
# Works from any directory; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

ensure_chromium() {
    CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
    export CHROMIUM_PATH
    [ -x "$CHROMIUM_PATH" ] && return 0
    [ "$CHROMIUM_PATH" = /usr/bin/chromium ] ||
        die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file (unset it to use Debian's /usr/bin/chromium)"

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "Chromium is needed for the browser tests: /usr/bin/chromium is missing, and installing it needs root (no sudo here). Run as root: apt-get update && apt-get install -y chromium"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "Chromium is needed for the browser tests: /usr/bin/chromium is missing and there is no apt-get to install it. Install Chromium and set CHROMIUM_PATH=/path/to/chromium"

    echo "Installing Chromium (Debian package 'chromium') for the browser tests ..." >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "apt-get update failed (see above); cannot install Chromium for the browser tests"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
        die "apt-get install chromium failed (see above); the browser tests need it"
    [ -x /usr/bin/chromium ] || die "apt-get installed chromium, but /usr/bin/chromium is still missing"
}

ensure_axe() {  # axe-core for tests/browser/test_accessibility.py, from npm into .cache/axe (injected, no CDN)
    [ -f .cache/axe/node_modules/axe-core/axe.min.js ] && return 0
    command -v npm >/dev/null 2>&1 ||
        die "npm is needed once to install axe-core for the accessibility test (apt-get install -y npm)"
    echo "Installing axe-core 4 from npm into .cache/axe ..." >&2
    npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4 ||
        die "npm install axe-core@4 failed (see above); the accessibility test needs it"
}

ensure_venv requirements-dev.txt
ensure_chromium
ensure_axe
exec .venv/bin/python -m pytest "$@"
