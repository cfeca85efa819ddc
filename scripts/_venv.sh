# shellcheck shell=bash
# Shared by scripts/dashboard.sh and scripts/test.sh (sourced, not run).
# ensure_venv REQUIREMENTS_FILE
#   - creates $ROOT/.venv with the first Python >= 3.11 found (or $PYTHON), recreating it
#     when its interpreter is missing or broken (e.g. a venv copied from another machine);
#   - runs `pip install -r REQUIREMENTS_FILE` only when that file (or a file it includes
#     with -r / -c) changed since the last successful install: the sha256 is kept in
#     .venv/.stamp-<file name>.
# Safe to run twice at once (serialised with flock when available).

die() {
    echo "error: $*" >&2
    exit 1
}

_python_ok() {  # _python_ok CMD: CMD runs and is Python >= 3.11
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

_pick_python() {
    local cand
    for cand in ${PYTHON:-} python3.11 python3.12 python3.13 python3.14 python3; do
        if command -v "$cand" >/dev/null 2>&1 && _python_ok "$cand"; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

_requirements_hash() {  # sha256 over the file and, recursively, the files it includes
    local file="$1" dir inc
    dir="$(dirname "$file")"
    {
        echo "== $(basename "$file")"
        cat "$file"
        sed -nE 's/^[[:space:]]*(-r|-c|--requirement|--constraint)[[:space:]=]+([^[:space:]#]+).*/\2/p' "$file" |
            while read -r inc; do
                case "$inc" in /*) ;; *) inc="$dir/$inc" ;; esac
                [ -f "$inc" ] || die "$file includes $inc, which does not exist"
                _requirements_hash "$inc"
            done
    } | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    local req="$ROOT/$1" stamp want have="" py lock=""
    stamp="$ROOT/.venv/.stamp-$(basename "$1")"
    [ -f "$req" ] || die "$req not found"

    if command -v flock >/dev/null 2>&1; then
        lock="${TMPDIR:-/tmp}/gift-dash-venv-$(printf '%s' "$ROOT" | sha256sum | cut -c1-16).lock"
        exec 9>"$lock"
        flock 9
    fi

    if ! _python_ok "$ROOT/.venv/bin/python"; then
        py="$(_pick_python)" || die "no Python >= 3.11 found (tried \$PYTHON, python3.11 ... python3); install one or set PYTHON=/path/to/python3.11"
        echo "Creating .venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])') ..." >&2
        rm -rf "$ROOT/.venv"
        "$py" -m venv "$ROOT/.venv"
    fi

    want="$(_requirements_hash "$req")"
    [ -f "$stamp" ] && have="$(cat "$stamp")"
    if [ "$want" != "$have" ]; then
        rm -f "$stamp"
        if [ -z "$have" ] && ! ls "$ROOT"/.venv/.stamp-* >/dev/null 2>&1; then
            # First install into a fresh .venv (about a minute): pip's own progress lines, so it never looks hung.
            echo "Installing $1 into a new .venv (first run, about a minute; pip shows each package) ..." >&2
            "$ROOT/.venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r "$req" >&2
        else
            echo "Installing $1 into .venv (the requirements changed) ..." >&2
            "$ROOT/.venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$req"
        fi
        echo "$want" >"$stamp"
    fi

    if [ -n "$lock" ]; then
        flock -u 9
        exec 9>&-
    fi
}
