"""Benchmark of the follow-up store (run on demand; prints figures, asserts nothing).

1. The Follow-up page's warm run through AppTest on SQLite with 10,000 entries (one per record of a synthetic
   10,000-record corpus, bench_pages.synthetic_data_dir) and 100,000 history rows: the median of N runs. Target:
   <= 150 ms. Beside it: the store read alone (done once per change of the store: the app caches the entries
   under the store's fingerprint), the summary worked out afresh (once per view and state of the store), and the
   page's run right after another session saved (the caches missed: the entries read, the summary redone).
2. The progress report (gift_dash.followup.report) on the same store, over the last 90 days and over the whole
   history, and the replay check, on SQLite and on a throwaway PostgreSQL cluster (tests/postgres.py). Target:
   <= 1 s.
3. 50 concurrent saves from 5 sessions (separate processes, each with its own connection) on one entry, each
   session re-reading and retrying on a conflict as a person would: is any update lost? The final version must be
   50 and every session's mark in the notes.

    .venv/bin/python -m bench.bench_followup [--runs 7] [--entries 10000] [--history 100000] [--sessions 5]
        [--report-only] [--no-postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_pages import page_times, synthetic_data_dir
from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.followup import db, report, store, summary, users
from gift_dash.followup.tables import entries, history

ROOT = Path(__file__).resolve().parents[1]

PASSWORD = "correct horse battery staple"
STATUSES = ("not_started", "planned", "in_progress", "completed", "not_applicable")


def seed(engine, record_ids: list[str], n_history: int) -> None:
    """One entry per record and ``n_history`` history rows spread over them, written in bulk (as a restore would),
    a history that replays to the entries: a first save (status, target date, notes), then saves over about a year
    that change the notes, the status or the evidence in turn."""
    now = datetime.now(UTC)
    per_entry = max(3, n_history // len(record_ids))
    entry_rows, history_rows = [], []
    for n, record_id in enumerate(record_ids, start=1):
        when = now - timedelta(days=400 - n % 40)
        values = {"status": STATUSES[n % len(STATUSES)], "target_date": (when + timedelta(days=90 + n % 200)).date()}
        values |= {"notes": "note 1", "evidence": ""}
        rows = [("status", "", values["status"]), ("target_date", "", values["target_date"].isoformat())]
        rows.append(("notes", "", "note 1"))
        changes = [(1, when, rows)]
        for version in range(2, per_entry - 1):
            field = ("notes", "status", "evidence", "notes")[version % 4]
            if field == "notes":
                after = f"note {version}"
            elif field == "status":
                after = STATUSES[(n + version) % len(STATUSES)]
            else:
                after = (values["evidence"] + "\n" if values["evidence"] else "") + f"UNODC/{n}/{version}"
            if after == values[field]:
                after = f"note {version}" if field == "notes" else STATUSES[(n + version + 1) % len(STATUSES)]
            changes.append((version, when + timedelta(days=3 * version + n % 3), [(field, values[field], after)]))
            values[field] = after
        for version, at, rows in changes:
            history_rows += [
                {
                    "entry_id": n,
                    "version": version,
                    "changed_by": ("ann", "bob", "cy")[(n + version) % 3],
                    "changed_at": at,
                    "field": f,
                    "before": b,
                    "after": a,
                }
                for f, b, a in rows
            ]
        version, at, rows = changes[-1]
        entry_rows.append(
            {
                "id": n,
                "target_kind": "record",
                "target_id": record_id,
                **values,
                "responsible": "",
                "withdrawn": False,
                "withdrawn_reason": "",
                "version": version,
                "changed_by": history_rows[-1]["changed_by"],
                "changed_at": at,
            }
        )
    with engine.begin() as connection:
        connection.execute(entries.insert(), entry_rows)
        for start in range(0, len(history_rows), 20_000):
            connection.execute(history.insert(), history_rows[start : start + 20_000])


def timed(runs: int, work) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return samples


def summary_work(engine, records, entries):
    """The page's summary worked out afresh, as after a change of filters or of the store: the fingerprint, each
    record's status, the counts and what is overdue (a warm run draws them from the cache instead)."""

    def work() -> None:
        store.entries_stamp(engine)
        frame = summary.with_status(records, entries)
        summary.status_counts(frame, "themes", multi=True)
        summary.status_counts(frame, "event_id")
        summary.overdue(frame, datetime.now(UTC).date())

    return work


def say(label: str, samples: list[float], target: str = "") -> None:
    print(
        f"{label}: median {statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f}, "
        f"max {max(samples) * 1000:.0f}) over {len(samples)} runs{target}"
    )


def page_after_saves(engine, runs: int, record_id: str, timeout: float) -> list[float]:
    """Seconds per run of the Follow-up page right after another session saved an entry: the fingerprint moved,
    so the run reads the entries again."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page("pages/followup.py")
    at.run()
    users.add_user(engine, "bench", "editor", PASSWORD)
    version = store.get(engine, "record", record_id).version
    samples = []
    for n in range(runs):
        changes = {"status": "in_progress", "notes": f"bench {n}"}
        version = store.save(engine, "record", record_id, changes, version, "bench").version
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
    return samples


def _session(url: str, n: int, saves: int, target: str, out) -> None:
    engine = db.engine_for(url)
    conflicts = 0
    for i in range(saves):
        while True:
            current = store.get(engine, "record", target)
            notes = (current.notes + "\n" if current.notes else "") + f"s{n}-{i}"
            try:
                store.save(
                    engine, "record", target, {"status": "in_progress", "notes": notes}, current.version, f"editor{n}"
                )
                break
            except store.Conflict:
                conflicts += 1
    out.put(conflicts)


def concurrent_saves(url: str, target: str, sessions: int, saves: int) -> None:
    engine = db.engine_for(url)
    start_version = store.get(engine, "record", target).version
    for n in range(sessions):
        users.add_user(engine, f"editor{n}", "editor", PASSWORD)
    db.dispose(url)  # each process opens its own connections
    queue = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(target=_session, args=(url, n, saves, target, queue))
        for n in range(sessions)
    ]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    conflicts = sum(queue.get(timeout=600) for _ in procs)
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - start
    final = store.get(db.engine_for(url), "record", target)
    marks = set(final.notes.split("\n"))  # the seeded notes plus one line per save
    expected = {f"s{n}-{i}" for n in range(sessions) for i in range(saves)}
    lost = sorted(expected - marks)
    print(
        f"concurrent saves: {sessions} sessions x {saves} saves on one entry in {elapsed:.1f} s; "
        f"{conflicts} conflicts refused and retried; final version {final.version} (expected "
        f"{start_version + sessions * saves}); lost updates: {len(lost)}{' ' + ', '.join(lost[:5]) if lost else ''}"
    )


def report_work(engine, dataset, since_days: int):
    """The progress report on the whole default scope (every record in the synthetic corpus with its annex II source)
    for the last ``since_days`` days, as the page and the command make it: the history rows read, the scope, the
    report worked out."""
    today = datetime.now(UTC).date()
    period = report.Period(today - timedelta(days=since_days - 1), today)
    records = flt.apply(dataset.records, dataset.events, flt.Filters(), dataset.codebook)

    def work() -> None:
        rows = report.read_history(engine, period)
        report.progress_report(rows, period, report.scope_of(dataset, records, "all", narrowed=False))

    return work


def report_figures(label: str, engine, dataset, runs: int) -> None:
    """The report's time over a quarter and over the whole history, and the replay check, on one store. Beside the
    wall-clock time, this process's CPU time: on a shared machine the wall clock counts the waits for a core too
    (PostgreSQL's own work is in its server, outside this CPU time)."""
    print(f"{label}: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine is shared)")
    for days in (90, 800):
        work, cpu = report_work(engine, dataset, days), []

        def counted(work=work, cpu=cpu) -> None:
            start = time.process_time()
            work()
            cpu.append(time.process_time() - start)

        say(
            f"{label}: progress report, last {days} days (read + scope + report)",
            timed(runs, counted),
            "; target <= 1 s",
        )
        print(f"    CPU time of this process: median {statistics.median(cpu) * 1000:.0f} ms")
    start = time.perf_counter()
    problems = report.replay_problems(report.history_rows(engine), store.entries_frame(engine))
    print(
        f"{label}: replaying the whole history gives the entries: {not problems} ({len(problems)} differences) in "
        f"{time.perf_counter() - start:.2f} s"
    )


def postgres_report(dataset, record_ids: list[str], n_history: int, runs: int) -> None:
    """The same store on a throwaway PostgreSQL cluster (tests/postgres.py), the report timed there."""
    from tests.postgres import Cluster, server_bin

    bindir = server_bin()
    if bindir is None:
        print("PostgreSQL: no server binaries (/usr/lib/postgresql/*/bin); skipped")
        return
    cluster = Cluster(bindir)
    try:
        url = cluster.start()
        engine = db.engine_for(url)
        start = time.perf_counter()
        seed(engine, record_ids, n_history)
        print(f"seeded PostgreSQL in {time.perf_counter() - start:.1f} s")
        report_figures("PostgreSQL", engine, dataset, runs)
        db.dispose(url)
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--saves", type=int, default=10, help="saves per session")
    parser.add_argument("--report-only", action="store_true", help="only the progress report (SQLite, PostgreSQL)")
    parser.add_argument("--no-postgres", action="store_true", help="the report on SQLite only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-followup-") as folder:
        folder = Path(folder)
        data_dir = synthetic_data_dir(folder / "data", args.entries)
        os.environ["GIFT_DATA_DIR"] = str(data_dir)
        os.environ[db.STATE_DIR_ENV] = str(folder / "state")
        os.environ.pop(db.DATABASE_URL_ENV, None)
        url = db.database_url()
        engine = db.engine_for(url)
        records = load_dataset(data_dir).records
        start = time.perf_counter()
        seed(engine, list(records["id"].head(args.entries)), args.history)
        counts = {
            t.name: len(store.entries_frame(engine)) if t is entries else len(store.history_frame(engine))
            for t in (entries, history)
        }
        print(f"seeded SQLite {counts} in {time.perf_counter() - start:.1f} s ({len(records):,} records)")
        dataset = load_dataset(data_dir)
        report_figures("SQLite", engine, dataset, args.runs)
        if not args.no_postgres:
            postgres_report(dataset, list(records["id"].head(args.entries)), args.history, args.runs)
        if args.report_only:
            return
        say(
            "store read (entries_frame, once per change of the store)",
            timed(args.runs, lambda: store.entries_frame(engine)),
        )
        entries_now = store.entries_frame(engine)
        say(
            "fingerprint + summary afresh (a run after a change of filters)",
            timed(args.runs, summary_work(engine, records, entries_now)),
        )
        page = page_times(args.runs, timeout=300, only=["pages/followup.py"])["pages/followup.py"]
        if not page:
            raise SystemExit("the Follow-up page's first run did not finish in 300 s")
        say("Follow-up page warm run (AppTest)", page, "; target <= 150 ms")
        say(
            "Follow-up page run after another session saved (AppTest; reads the entries again)",
            page_after_saves(engine, args.runs, records["id"].iloc[1], timeout=300),
        )
        concurrent_saves(url, records["id"].iloc[0], args.sessions, args.saves)
        db.dispose(url)


if __name__ == "__main__":
    main()
