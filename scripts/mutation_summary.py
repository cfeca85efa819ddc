"""The summary of a mutmut run for bench/mutation/<module>.txt (called by scripts/mutation.sh from mutmut's work
folder): the score, the time it took, the tests it ran, and each surviving mutant with its diff. What was written
by hand below EXPLAINED in the previous summary (why each survivor is equivalent) is kept.

    python scripts/mutation_summary.py SOURCE_FILE SECONDS PREVIOUS_SUMMARY TEST_FILE ...
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

EXPLAINED = "== Survivors explained (by hand; kept when the summary is written again) =="


def mutmut(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "mutmut", *args], capture_output=True, text=True, check=True).stdout


def main(source: str, seconds: str, previous: str, *tests: str) -> None:
    mutmut("export-cicd-stats")
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
    killed = stats["killed"] + stats.get("timeout", 0)
    tested = stats["total"] - stats.get("skipped", 0)
    survivors = [
        line.split(":")[0].strip() for line in mutmut("results").splitlines() if line.strip().endswith(": survived")
    ]
    minutes, secs = divmod(int(seconds), 60)
    print(f"mutmut on {source}, {datetime.now(UTC):%Y-%m-%d} (bash scripts/mutation.sh)")
    print(f"tests: {' '.join(tests)}")
    print(f"time: {minutes} min {secs} s, one mutant at a time, on the shared 2-core machine")
    print(f"score: {killed}/{tested} killed = {100 * killed / max(tested, 1):.1f}%")
    counts = ", ".join(f"{key} {value}" for key, value in stats.items())
    print(f"mutmut's counts: {counts}")
    print()
    print(f"== Survivors ({len(survivors)}) ==")
    for name in survivors:
        print()
        print(mutmut("show", name).rstrip())
    print()
    print(EXPLAINED)
    before = Path(previous).read_text() if Path(previous).is_file() else ""
    if EXPLAINED in before:
        print(before.split(EXPLAINED, 1)[1].strip("\n"))


if __name__ == "__main__":
    main(*sys.argv[1:])
