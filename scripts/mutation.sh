#!/usr/bin/env bash
# Mutation testing of one module with mutmut: how many small changes to the code (a < for a <=, "all" for "any",
# a dropped line) the fast tests that exercise it catch. Too slow for every CI run; run it before you resolve a
# change to the module, and keep its summary in bench/mutation/<module>.txt.
#   bash scripts/mutation.sh MODULE [TEST_FILE ...]
# MODULE is a path under gift_dash/ without .py (filters, tabulate, export, rules, schema, followup/store,
# response, search). Without TEST_FILEs, the module's own fast tests below are run; give some to narrow or widen.
# It works in a copy of the project under .cache/mutation/MODULE (never in the work tree), one mutant at a time
# by default (MUTATION_JOBS=N for more: the machine is shared), and writes the score and every surviving mutant
# with its diff to bench/mutation/MODULE.txt. Explain each survivor there, or kill it with a test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

[ $# -ge 1 ] || die "usage: bash scripts/mutation.sh MODULE [TEST_FILE ...]  (MODULE: filters, tabulate, export, rules, schema, followup/store, response, search)"
module="${1%.py}"
module="${module#gift_dash/}"
shift
source_file="gift_dash/$module.py"
[ -f "$source_file" ] || die "$source_file does not exist"

if [ $# -gt 0 ]; then
    tests=("$@")
else
    # The narrowest selection that exercises each module: its unit tests and the reference's checks.
    case "$module" in
        filters) tests=(tests/test_filters.py tests/test_oracle.py) ;;
        tabulate) tests=(tests/test_tabulate.py tests/test_oracle.py) ;;
        export) tests=(tests/test_export.py) ;;
        rules) tests=(tests/test_codebook_rules.py) ;;
        # schema: its own small tables (the data-file tests validate the shipped data at import, unseen by mutmut,
        # and test_cli_validate's subprocess made it 90 min).
        schema) tests=(tests/test_schema_validators.py) ;;
        # Not the property tests: a mutant they catch is shrunk by hypothesis for minutes, and the hand-written
        # tests of the store catch each mutant they do (bench/mutation/followup_store.txt).
        followup/store) tests=(tests/test_followup_store.py tests/test_followup_safety.py) ;;
        response) tests=(tests/test_response.py tests/test_workplan.py) ;;
        search) tests=(tests/test_search.py tests/test_meaning.py) ;;
        *) die "no default tests for $module: name the test files after the module" ;;
    esac
fi
for test in "${tests[@]}"; do
    [ -f "$test" ] || die "test file $test does not exist"
done

ensure_venv requirements-dev.txt
.venv/bin/python -c 'import mutmut' 2>/dev/null ||
    die "mutmut is not installed in .venv: .venv/bin/python -m pip install -r requirements-dev.txt"

name="${module//\//_}"
work="$ROOT/.cache/mutation/$name"
rm -rf "$work"
mkdir -p "$work"
# What the tests read besides the code: the data, the app's pages (a few tests import gift_ui) and settings.
for part in gift_dash gift_ui pages data static tests scripts .streamlit app.py pyproject.toml README.md ARCHITECTURE.md; do
    [ -e "$part" ] && cp -r "$part" "$work/"
done
quoted_tests="$(printf '"%s", ' "${tests[@]}")"
cat >>"$work/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["gift_dash/"]
only_mutate = ["$source_file"]
also_copy = ["gift_ui/", "pages/", "data/", "static/", "scripts/", ".streamlit/", "app.py", "README.md", "ARCHITECTURE.md"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = [${quoted_tests%, }]
EOF

jobs="${MUTATION_JOBS:-1}"
started=$SECONDS
echo "mutmut on $source_file with ${tests[*]} ($jobs at a time; in $work) ..." >&2
# Property tests that read GIFT_TEST_EXAMPLES run 10 examples per mutant instead of 60 (each mutant reruns them).
(cd "$work" && GIFT_TEST_EXAMPLES="${GIFT_TEST_EXAMPLES:-10}" GIFT_TEST_POSTGRES="${GIFT_TEST_POSTGRES:-skip}" \
    "$ROOT/.venv/bin/python" -m mutmut run --max-children "$jobs") ||
    die "mutmut failed (above); its work is in $work"
took=$((SECONDS - started))

mkdir -p bench/mutation
out="bench/mutation/$name.txt"
summary="$(cd "$work" && "$ROOT/.venv/bin/python" "$ROOT/scripts/mutation_summary.py" "$source_file" "$took" "$ROOT/$out" "${tests[@]}")" ||
    die "could not summarise the run (above); mutmut's results are in $work"
printf '%s\n' "$summary" >"$out"
head -5 "$out"
echo "written to $out: explain each survivor below its last heading, or kill it with a test" >&2
