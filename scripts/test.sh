#!/usr/bin/env bash
# Set up (first run, or when requirements*.txt changed) and run the WHOLE test suite,
# browser tests included.
#   bash scripts/test.sh [pytest options, e.g. -q, -x, -m "not browser", tests/test_x.py]
# Browser tests use Debian's Chromium at $CHROMIUM_PATH (default /usr/bin/chromium); when it is
# missing it is installed with apt-get (as root, or through sudo). If that is impossible the
# script fails: browser tests are never skipped silently.
# The follow-up store's tests also run on PostgreSQL: a throwaway cluster from Debian's server binaries
# (/usr/lib/postgresql/*/bin); when they are missing the package 'postgresql' is installed the same way.
# GIFT_TEST_POSTGRES=skip runs without them, on purpose and visibly (the tests report as skipped).
# Works from any directory; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

apt_install() {  # apt_install PACKAGE WHY: as root, or through sudo; dies with WHY when impossible
    local package="$1" why="$2" sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "$why, and installing it needs root (no sudo here). Run as root: apt-get update && apt-get install -y $package"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || die "$why, and there is no apt-get to install the package '$package'"
    echo "Installing the Debian package '$package' ..." >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed (see above)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null ||
        die "apt-get install $package failed (see above)"
}

ensure_chromium() {
    CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
    export CHROMIUM_PATH
    [ -x "$CHROMIUM_PATH" ] && return 0
    [ "$CHROMIUM_PATH" = /usr/bin/chromium ] ||
        die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file (unset it to use Debian's /usr/bin/chromium)"

    apt_install chromium "Chromium is needed for the browser tests: /usr/bin/chromium is missing"
    [ -x /usr/bin/chromium ] || die "apt-get installed chromium, but /usr/bin/chromium is still missing"
}

ensure_postgresql() {
    [ "${GIFT_TEST_POSTGRES:-}" = skip ] && { echo "GIFT_TEST_POSTGRES=skip: PostgreSQL tests are skipped" >&2; return 0; }
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
    apt_install postgresql "The follow-up store's tests need PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)"
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null ||
        die "apt-get installed postgresql, but /usr/lib/postgresql/*/bin/initdb is still missing"
}

ensure_axe() {  # axe-core for tests/browser/test_accessibility.py, from npm into .cache/axe (injected, no CDN)
    [ -f .cache/axe/node_modules/axe-core/axe.min.js ] && return 0
    command -v npm >/dev/null 2>&1 || apt_install npm "npm is needed once to install axe-core for the accessibility test"
    echo "Installing axe-core 4 from npm into .cache/axe ..." >&2
    npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4 ||
        die "npm install axe-core@4 failed (see above); the accessibility test needs it"
}

ensure_venv requirements-dev.txt
# Style is kept, not only configured: lint and format are checked before any test runs.
.venv/bin/ruff check . || die "ruff check found problems (above); fix them or run: .venv/bin/ruff check --fix ."
.venv/bin/ruff format --check . >/dev/null || die "files need formatting: run .venv/bin/ruff format ."
ensure_chromium
ensure_postgresql
ensure_axe
exec .venv/bin/python -m pytest "$@"
