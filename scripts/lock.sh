#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml's ranges (run after changing a dependency, then run the suite):
#   bash scripts/lock.sh            # newest versions the ranges allow
#   bash scripts/lock.sh -c FILE    # extra uv options, e.g. constraints to keep what is installed
# requirements.lock is what the dashboard installs; requirements-dev.lock adds the test tools.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tool="$(mktemp -d)"
trap 'rm -rf "$tool"' EXIT
python3 -m venv "$tool" && "$tool/bin/pip" install --quiet "uv>=0.13,<1"
for extra in "" test; do
    out=requirements${extra:+-dev}.lock
    "$tool/bin/uv" pip compile pyproject.toml --python-version 3.11 --no-annotate --quiet \
        --custom-compile-command "bash scripts/lock.sh" ${extra:+--extra "$extra"} "$@" -o "$out"
    echo "wrote $out"
done
