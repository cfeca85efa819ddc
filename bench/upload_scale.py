"""Time and memory of an upload at the limit: 100,000 rows (gift_dash.data.MAX_ROWS), as CSV and as .xlsx.

    .venv/bin/python -m bench.upload_scale [--rows 100000] [--skip-xlsx] [--skip-page]

Prints, for each step a person waits on: reading the file (read_table), validating and merging (merge_upload),
suggestions for rows without themes (at most suggest.MAX_SUGGESTED_ROWS of them), and the whole Add records page
in AppTest from upload to rendered report. Memory: peak traced Python allocations of each step (tracemalloc,
in a second run, as it slows Python down) and the process's peak resident size at the end.
"""

from __future__ import annotations

import argparse
import io
import resource
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from gift_dash.data import load_dataset, read_table
from gift_dash.suggest import suggestions_table
from gift_dash.upload import merge_upload

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = ["id", "event_id", "record_type", "text", "themes", "primary_theme", "target_groups", "topics"]


def rows(n: int) -> pd.DataFrame:
    """n plausible records; every tenth has no theme (so suggestions have work) and is rejected until accepted."""
    return pd.DataFrame(
        {
            "id": [f"bench-{i}" for i in range(n)],
            "event_id": ["kampala-2007"] * n,
            "record_type": ["recommendation"] * n,
            "text": [f"Train police and judges to identify victims of trafficking, case {i}" for i in range(n)],
            "themes": ["" if i % 10 == 0 else "prosecution; protection" for i in range(n)],
            "primary_theme": ["" if i % 10 == 0 else "prosecution" for i in range(n)],
            "target_groups": ["victims"] * n,
            "topics": ["victim_identification"] * n,
        },
        columns=COLUMNS,
    )


def measured(label: str, step):
    """Run the step twice: timed as is, then under tracemalloc (which slows Python down) for its peak memory."""
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  {label:<44} {seconds:7.2f} s   peak {peak / 2**20:7.1f} MiB")
    return result


def bench_core(raw: bytes, name: str, dataset) -> None:
    print(f"{name}: {len(raw) / 2**20:.1f} MiB")
    frame = measured("read_table", lambda: read_table(raw, name))
    merge = measured("merge_upload (validate + merge)", lambda: merge_upload(dataset, frame, file_name=name))
    print(
        f"  -> {len(merge.accepted_ids):,} rows added, {len(merge.rejected_rows):,} rejected, "
        f"{len(merge.problems):,} problems"
    )
    measured("suggestions_table", lambda: suggestions_table(frame, dataset.codebook))


def bench_page(raw: bytes) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page("pages/upload.py")
    at.run()
    at.file_uploader[0].upload("bench.csv", raw, "text/csv")
    before = _resident_mib()
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    print(
        f"  {'Add records page, upload to report (AppTest)':<44} {seconds:7.2f} s   "
        f"{dict((m.label, m.value) for m in at.metric)}"
    )
    upload = at.session_state["upload"]
    held = sum(
        frame.memory_usage(deep=True).sum()
        for frame in (upload["records"], upload["merge"].rejected_rows, at.session_state["uploaded_dataset"].records)
    )
    print(
        f"  {'this session holds (frames in session_state)':<44} {held / 2**20:7.1f} MiB; resident size grew "
        f"{_resident_mib() - before:.0f} MiB during the run"
    )


def _resident_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    args = parser.parse_args()
    dataset = load_dataset()
    frame = rows(args.rows)
    csv_bytes = frame.to_csv(index=False).encode()
    bench_core(csv_bytes, f"{args.rows:,} rows, CSV", dataset)
    if not args.skip_page:
        bench_page(csv_bytes)
    if not args.skip_xlsx:
        out = io.BytesIO()
        frame.to_excel(out, index=False)
        bench_core(out.getvalue(), f"{args.rows:,} rows, XLSX", dataset)
    print(f"process peak resident size: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB")


if __name__ == "__main__":
    main()
