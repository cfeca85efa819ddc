"""Command line: ``python -m gift_dash validate|export|briefing|coverage|groups|neighbours|search|users|followup``;
failures are messages and exit codes, never tracebacks.

The data folder ($GIFT_DATA_DIR or data/) is read only: every output goes through ``safe_io.write_output``, which
refuses a path in it or over the command's own inputs (exit 2). Text from input is printed through ``say``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace
from pathlib import Path

from gift_dash import filters as flt
from gift_dash.data import (
    Dataset,
    ReadError,
    ShippedDataError,
    check_shipped,
    data_dir,
    load_dataset,
    read_table,
    with_schema_columns,
)
from gift_dash.dimensions import DIMENSIONS, Dimension
from gift_dash.safe_io import CannotWrite, ProtectedPath, check_output, printable, write_output
from gift_dash.schema import RECORD_COLUMNS, validate_records
from gift_dash.upload import check_events, check_files, verdict

# 0: done; 1: the input is invalid (the messages say where); 2: the command could not do its work (unreadable or
# protected file, damaged shipped data, no Chromium for a PDF, no store).
EXIT_OK, EXIT_INVALID, EXIT_CANNOT = 0, 1, 2


def say(text: object, err: bool = False) -> None:
    """Print a line that may hold text from input (a file name, a cell, a query): control characters are shown as
    escapes, so a file cannot recolour, move or hide what the terminal shows."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the shipped data, a records file (CSV/XLSX) against the shipped codebook and events, or an events
    file alone (--events without a records file)."""
    if args.path is None and args.events is None:
        problems = check_shipped()
        label = f"shipped data in {data_dir()}"
        count = (
            "files checked: codebook.csv, codebook_rules.csv, events.csv, recommendations.csv, ta_needs.csv, "
            "workplan.csv, responses.csv"
        )
    elif args.path is None:
        problems = check_events(load_dataset(), args.events)
        label = str(args.events)
        count = "events file checked against the shipped events"
    else:
        # The same function as the "Add records" page, so the command and the page give the same verdict.
        merge = check_files(load_dataset(), args.path, args.events)
        problems = merge.problems
        label = str(args.path)
        count = f"{len(merge.rejected_rows)} row(s) rejected, {len(merge.accepted_ids)} would be added"
    for problem in problems:
        say(problem)
    if verdict(problems) == EXIT_INVALID:
        errors = sum(p.severity == "error" for p in problems)
        say(f"INVALID: {label}: {errors} problem(s); {count}", err=True)
        return EXIT_INVALID
    say(f"valid: {label}: {count}")
    return EXIT_OK


class BadInput(ValueError):
    """Input the command cannot use: a filter value the data does not know (the message lists the allowed ones)
    or an --input file with invalid rows (the messages name them)."""


def _resolve(dim: Dimension, given: list[str], dataset: Dataset) -> tuple[str, ...]:
    """Values as the data spells them; a label or another letter case is accepted ("Protection", "kampala")."""
    allowed = {
        v: dim.labels(dataset.codebook, dataset.events).get(v, v) for v in dim.values(dataset.codebook, dataset.events)
    }
    lookup = {k.casefold(): k for k in allowed} | {v.casefold(): k for k, v in allowed.items() if v}
    out = []
    for value in given:
        if dim.field == "sources" and value.casefold() == flt.ALL_SOURCES:
            return ()
        if value.casefold().strip() not in lookup:
            listed = "\n".join(f"  {k}  ({v})" if v and v != k else f"  {k}" for k, v in allowed.items())
            extra = f"\n  {flt.ALL_SOURCES}  (every source)" if dim.field == "sources" else ""
            raise BadInput(f"unknown value for {dim.cli_option}: {value!r}; expected one of:\n{listed}{extra}")
        out.append(lookup[value.casefold().strip()])
    return tuple(dict.fromkeys(out))


def _filters(args: argparse.Namespace, dataset: Dataset, all_sources: bool = False) -> flt.Filters:
    chosen = {
        dim.field: _resolve(dim, getattr(args, dim.key), dataset)
        for dim in DIMENSIONS.values()
        if getattr(args, dim.key)
    }
    if all_sources and "sources" not in chosen:
        chosen["sources"] = ()
    return flt.Filters(
        **chosen, theme_mode=args.theme_mode, query=(getattr(args, "query", None) or "").strip()[: flt.MAX_QUERY_CHARS]
    )


def _input_dataset(path: Path, shipped: Dataset) -> Dataset:
    """The shipped data with its records replaced by those of ``path`` (checked like the shipped ones)."""
    records = read_table(path)
    codebook = shipped.codebook  # defines source "uploaded" too (data/codebook.csv)
    problems = validate_records(records, codebook, set(shipped.events["event_id"]), str(path)).problems
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        say(problem, err=True)
    if errors:
        raise BadInput(
            f"{path}: {len(errors)} problem(s); nothing exported (check with: python -m gift_dash validate {path})"
        )
    return replace(shipped, records=with_schema_columns(records, RECORD_COLUMNS), codebook=codebook)


def _store_entries():
    """The follow-up store's entries when there is a store (none is made for an export); a store that cannot be
    opened is said on standard error and the export goes on without its columns."""
    from gift_dash.followup import db, store

    url = db.database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    try:
        return store.entries_frame(db.engine_for(url))
    except db.StoreUnavailable as exc:
        say(f"follow-up columns left out: {exc}", err=True)
        return None


def _to_filter(dataset: Dataset, chosen: flt.Filters, entries):
    """The records the filters apply to: with the follow-up status joined from the store when there is one (the
    registry's joined dimension); --status without a store is refused rather than answered with a guess."""
    from gift_dash.followup import db, summary

    if entries is not None:
        return summary.joined(dataset.records, entries)
    if chosen.statuses:
        raise BadInput(
            f"--status needs the follow-up store, and there is none to read at {db.describe(db.database_url())} "
            f"(set ${db.STATE_DIR_ENV} or ${db.DATABASE_URL_ENV})"
        )
    return dataset.records


def _selected(args: argparse.Namespace, dataset: Dataset, all_sources: bool = False):
    """(records, scope in words, follow-up entries or None) of the filters given: one selection for every command
    that takes filters, so --status is answered from the store everywhere it is offered."""
    chosen = _filters(args, dataset, all_sources=all_sources)
    entries = _store_entries()
    records = flt.apply(_to_filter(dataset, chosen, entries), dataset.events, chosen, dataset.codebook)
    return records, flt.describe(chosen, dataset.codebook, dataset.events), entries


def cmd_export(args: argparse.Namespace) -> int:
    """Write the records a set of filters selects as CSV, XLSX or JSON, with the filters in words as the scope."""
    from gift_dash.export import export_view, follow_up_columns

    inputs = {"--input": args.input}
    check_output(args.out, inputs)
    dataset = load_dataset()
    if args.input is not None:
        dataset = _input_dataset(args.input, dataset)
    records, scope, entries = _selected(args, dataset, all_sources=args.input is not None)
    if args.input is not None:
        scope += f" · records from {args.input.name}"
    data = export_view(
        records,
        dataset.events,
        dataset.codebook,
        fmt=args.format,
        scope=scope,
        dataset_version=dataset.version,
        extra=follow_up_columns(records, dataset, entries),
    )
    write_output(args.out, data, inputs)
    say(f"wrote {args.out}: {len(records)} record(s), {args.format.upper()}, scope: {scope}")
    return EXIT_OK


def cmd_briefing(args: argparse.Namespace) -> int:
    """Write the briefing for a scope as self-contained HTML (and PDF when Chromium is available)."""
    from gift_dash.briefing import (
        followup_summary,
        planned_responses,
        render_briefing,
    )

    check_output(args.out)
    if args.pdf is not None:
        check_output(args.pdf, {"--out": args.out})  # the PDF must not replace the HTML just written
    dataset = load_dataset()
    records, scope, entries = _selected(args, dataset)
    document = render_briefing(
        records,
        dataset,
        scope,
        responses=planned_responses(records, dataset),
        followup=followup_summary(records, entries),
    )
    write_output(args.out, document.encode("utf-8"))
    say(f"wrote {args.out}: briefing on {len(records)} record(s), scope: {scope}")
    return _write_pdf(args, document, f". Open {args.out} in a browser and print it instead")


def _write_pdf(args: argparse.Namespace, document: str, hint: str = "") -> int:
    """With --pdf, the HTML ``document`` printed to PDF beside --out (never over it); the exit code either way."""
    if args.pdf is None:
        return EXIT_OK
    from gift_dash.briefing import PdfUnavailable, html_to_pdf

    try:
        pdf = html_to_pdf(document)
    except PdfUnavailable as exc:
        say(f"no PDF written: {exc}{hint}.", err=True)
        return EXIT_CANNOT
    write_output(args.pdf, pdf, {"--out": args.out})
    say(f"wrote {args.pdf}")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the share of the selected records with a planned response (overall or by --by) and those without."""
    import json

    from gift_dash import response
    from gift_dash.export import csv_bytes, neutralise

    dataset = load_dataset()
    records, scope, _ = _selected(args, dataset)
    table = response.coverage(records, dataset, args.by)
    gaps = response.unanswered_table(records, dataset)
    outside = len(records) - len(response.in_scope(records))
    if args.format == "json":
        print(
            json.dumps(
                {
                    "scope": scope,
                    "link_rule": response.LINK_RULE,
                    "records_not_read_against_the_workplan": outside,
                    "coverage": table.astype(object).where(table.notna(), None).to_dict(orient="records"),
                    "unanswered": gaps.to_dict(orient="records"),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    # Two tables, each under its "# key,value" lines (as an export's metadata), a blank line between them.
    notes = {
        "coverage": [
            ("Coverage", "share with at least one explicit or thematic response; explicit and thematic only apart"),
            ("Link rule", f"{response.LINK_RULE}: explicit links read by a person, thematic links derived by the rule"),
            ("Scope", scope),
            ("Records not read against the workplan (not counted)", str(outside)),
        ],
        "unanswered": [("No planned response", f"{len(gaps)} record(s)")],
    }
    lines = csv.writer(sys.stdout, lineterminator="\n")
    for name, frame in (("coverage", table), ("unanswered", gaps)):
        lines.writerows([neutralise(f"# {key}"), neutralise(value)] for key, value in notes[name])
        sys.stdout.write(csv_bytes(frame).decode("utf-8-sig").replace("\r\n", "\n") + "\n")
    return EXIT_OK


def _similarity_records(args: argparse.Namespace, dataset: Dataset):
    """The records to compare: every row of --input (any table with at least id and text), or else the shipped
    annex II records (the dashboard's default sources)."""
    if args.input is not None:
        return read_table(args.input), str(args.input)
    records = dataset.records
    return records[records["source"].isin(flt.DEFAULT_SOURCES)].reset_index(drop=True), "shipped annex II records"


def _run_similarity(args: argparse.Namespace, compute) -> int:
    """Shared by ``groups`` and ``neighbours``: read, compute, write CSV; unusable input is exit 1 with the reason."""
    from gift_dash.export import csv_bytes
    from gift_dash.similarity import SimilarityError, build_index

    inputs = {"--input": args.input}
    check_output(args.out, inputs)
    dataset = load_dataset()  # checked even with --input: its codebook gives the tags their meaning
    records, label = _similarity_records(args, dataset)
    try:
        table = compute(build_index(records, codebook=dataset.codebook))
    except SimilarityError as exc:
        say(f"INVALID: {label}: {exc}", err=True)
        return EXIT_INVALID
    write_output(args.out, csv_bytes(table), inputs)
    say(f"wrote {args.out}: {len(table)} row(s) from {len(records)} record(s) ({label})")
    return EXIT_OK


def cmd_groups(args: argparse.Namespace) -> int:
    """Write every record's group of similar recommendations: id, group, label, score."""
    from gift_dash.similarity import groups

    return _run_similarity(args, lambda index: groups(index, threshold=args.threshold))


def cmd_neighbours(args: argparse.Namespace) -> int:
    """Write each record's top-k most similar records from other lists: id, rank, neighbour_id, score."""
    from gift_dash.similarity import neighbours

    def compute(index):
        frame = neighbours(index, k=args.k, reasons=args.with_reason)
        return frame if args.with_reason else frame.drop(columns="reason")

    return _run_similarity(args, compute)


def cmd_search(args: argparse.Namespace) -> int:
    """Print (or write) the records a query finds: id, match (confident, or closest below them), score, reason."""
    import json

    from gift_dash.export import csv_bytes
    from gift_dash.search import CLOSEST, SearchError, parse_query, search

    inputs = {"--input": args.input}
    if args.out is not None:
        check_output(args.out, inputs)
    if not parse_query(args.query):
        say(f"INVALID: the query {args.query!r} has no word to search for", err=True)
        return EXIT_INVALID
    dataset = load_dataset()
    records, label = _similarity_records(args, dataset)
    try:
        found = search(records, args.query, codebook=dataset.codebook)
    except SearchError as exc:
        say(f"INVALID: {label}: {exc}", err=True)
        return EXIT_INVALID
    total, matches = len(found), found["match"]
    if args.k is not None:
        found = found.head(args.k)
    if args.format == "json":
        data = (json.dumps(found.to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    else:
        data = csv_bytes(found)
    if args.out is None:  # a terminal or a pipe: no byte-order mark
        sys.stdout.buffer.write(data.removeprefix("\ufeff".encode("utf-8")))
        sys.stdout.flush()
    else:
        write_output(args.out, data, inputs)
    closest = int((matches == CLOSEST).sum())
    say(
        f"{total} record(s) of {len(records)} match {args.query!r} ({label}): {total - closest} confident, "
        f"{closest} closest matches (column match); {len(found)} listed",
        err=True,
    )
    return EXIT_OK


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text}")
    return value


def _add_similarity_parsers(sub) -> None:
    from gift_dash.similarity import DEFAULT_K, DEFAULT_THRESHOLD

    help_input = (
        "records CSV/XLSX with at least the columns id and text (tag columns are used when present); "
        "default: the shipped annex II records"
    )
    groups = sub.add_parser(
        "groups",
        help="group records that express the same idea (CSV: id,group,label,score,also; a record with a second idea has a second row, also=True)",
    )
    groups.add_argument("--input", type=Path, help=help_input)
    groups.add_argument(
        "--threshold",
        type=_unit_interval,
        default=DEFAULT_THRESHOLD,
        help=f"similarity (0-1) a group must hold together at; default {DEFAULT_THRESHOLD}, as the dashboard",
    )
    groups.add_argument("--out", type=Path, required=True, help="CSV file to write")
    groups.set_defaults(run=cmd_groups)
    near = sub.add_parser("neighbours", help="most similar records from other lists (CSV: id,rank,neighbour_id,score)")
    near.add_argument("--input", type=Path, help=help_input)
    near.add_argument("-k", type=_positive_int, default=DEFAULT_K, help=f"neighbours per record; default {DEFAULT_K}")
    near.add_argument("--with-reason", action="store_true", help="add a reason column (shared topics and terms)")
    near.add_argument("--out", type=Path, required=True, help="CSV file to write")
    near.set_defaults(run=cmd_neighbours)


def _add_filter_options(command: argparse.ArgumentParser) -> None:
    """One option per dimension of the registry (the sidebar's filters), plus the theme mode and the search."""
    group = command.add_argument_group("filters (repeat an option for several values; ids or labels)")
    for dim in DIMENSIONS.values():
        extra = f"; default {', '.join(flt.DEFAULT_SOURCES)}, or {flt.ALL_SOURCES}" if dim.field == "sources" else ""
        extra += " (read from the follow-up store, which it needs)" if dim.joined else ""
        group.add_argument(
            dim.cli_option,
            dest=dim.key,
            action="append",
            default=[],
            metavar=dim.key.upper(),
            help=f"{dim.label.lower()}{extra}",
        )
    group.add_argument(
        "--theme-mode",
        choices=flt.THEME_MODES,
        default="any",
        help="with several --theme: records with any (default) or all of them",
    )
    group.add_argument(
        "--query",
        help='text search as in the dashboard: words, their concepts (training ~ capacity-building) and tag labels, typos tolerated; "a phrase" literally',
    )


# ------------------------------------------------------------------------------------------- follow-up store


def _followup_command(run):
    """A users/followup handler with the store opened; store and account errors become messages and exit 1."""

    def handler(args: argparse.Namespace) -> int:
        from gift_dash.followup import db
        from gift_dash.followup.transfer import RestoreRefused
        from gift_dash.followup.users import NotAllowed, UserError

        try:
            return run(args, db.engine_for())
        except db.StoreUnavailable as exc:
            say(str(exc), err=True)
            return EXIT_CANNOT
        except (UserError, NotAllowed, RestoreRefused) as exc:
            say(str(exc), err=True)
            return EXIT_INVALID

    return handler


def _read_password(args: argparse.Namespace) -> str:
    """From the first line of standard input (--password-stdin, for scripts), or typed twice without echo."""
    import getpass

    from gift_dash.followup.users import UserError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("no terminal to type the password in; pass it on standard input with --password-stdin")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Type it again: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first


def cmd_users_add(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.users import add_user, check_new_password

    password = _read_password(args)
    check_new_password(password)
    add_user(engine, args.name, args.role, password)
    say(f"added account {args.name} ({args.role})")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.users import COMMAND_LINE, list_users

    accounts = list_users(engine, by=COMMAND_LINE)
    for account in accounts:
        state = "active" if account["active"] else "deactivated"
        last = account["last_sign_in_at"]
        say(
            f"{account['name']}\t{account['role']}\t{state}\tcreated {account['created_at']:%Y-%m-%d}\t"
            f"last sign-in {f'{last:%Y-%m-%d %H:%M} UTC' if last else 'never'}"
        )
    say(f"{len(accounts)} account(s)", err=True)
    return EXIT_OK


# What each account command does (a users.py function, called as the command line) and what it then says.
_ACCOUNT_CHANGES = {
    "deactivate": "deactivated {name}: it can no longer sign in; its sessions have ended",
    "reactivate": "reactivated {name}: it can sign in again with its password",
    "set-role": "{name} is now {role}; its sessions have ended, so the role applies from its next sign-in",
    "reset-password": "{name} has a new password; its sessions have ended",
}


def cmd_users_change(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup import users

    by = users.COMMAND_LINE
    if args.verb == "set-role":
        users.set_role(engine, args.name, args.role, by=by)
    elif args.verb == "reset-password":
        users.reset_password(engine, args.name, _read_password(args), by=by)
    else:
        {"deactivate": users.deactivate, "reactivate": users.reactivate}[args.verb](engine, args.name, by=by)
    say(_ACCOUNT_CHANGES[args.verb].format(name=args.name, role=getattr(args, "role", "")))
    return EXIT_OK


def cmd_users_history(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.users import COMMAND_LINE, account_history_rows

    rows = account_history_rows(engine, by=COMMAND_LINE, account=args.name)
    for row in rows:
        change = f"{row['before']} -> {row['after']}" if row["before"] else row["after"]
        say(
            f"{row['changed_at']:%Y-%m-%d %H:%M} UTC\t{row['account']}\t{row['action']}\t{change}\tby {row['changed_by']}"
        )
    say(f"{len(rows)} change(s)", err=True)
    return EXIT_OK


def cmd_followup_export(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.transfer import export_csv

    data, count = export_csv(engine)
    write_output(args.out, data)
    say(f"wrote {args.out}: {count} follow-up entr{'y' if count == 1 else 'ies'}")
    return EXIT_OK


def cmd_followup_import(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.targets import targets
    from gift_dash.followup.transfer import import_csv

    known = targets(load_dataset().records["id"], data_dir())
    result = import_csv(engine, args.path, args.by, known)
    for problem in result.problems:
        say(problem, err=True)
    if verdict(result.problems) == EXIT_INVALID:
        errors = sum(p.severity == "error" for p in result.problems)
        say(f"INVALID: {args.path}: {errors} problem(s); nothing imported", err=True)
        return EXIT_INVALID
    say(
        f"imported {args.path}: {result.saved} entr{'y' if result.saved == 1 else 'ies'} saved, "
        f"{result.unchanged} unchanged"
    )
    return EXIT_OK


def cmd_followup_backup(args: argparse.Namespace, engine) -> int:
    from gift_dash.followup.transfer import write_backup

    check_output(args.file)
    counts = write_backup(engine, args.file)
    say(f"wrote {args.file}: " + ", ".join(f"{n} {key}" for key, n in counts.items()))
    return EXIT_OK


def cmd_followup_restore(args: argparse.Namespace, engine) -> int:
    from datetime import UTC, datetime

    from gift_dash.followup.db import state_dir
    from gift_dash.followup.targets import targets
    from gift_dash.followup.transfer import restore, store_counts, write_backup
    from gift_dash.safe_io import PRIVATE_DIR_MODE

    if args.force and any(store_counts(engine).values()):
        # What a forced restore replaces is kept: the store itself never deletes anything.
        kept = state_dir() / "backups" / f"before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        kept.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        write_backup(engine, kept)
        say(f"kept what was in the store in {kept}")
    counts = restore(engine, args.file, targets(load_dataset().records["id"], data_dir()), force=args.force)
    say(f"restored {args.file}: " + ", ".join(f"{n} {key}" for key, n in counts.items()))
    return EXIT_OK


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def cmd_followup_report(args: argparse.Namespace, engine) -> int:
    """Write the progress report of a period and scope (HTML, CSV, JSON or XLSX by --out's suffix; PDF with --pdf)."""
    from datetime import UTC, datetime

    from gift_dash.followup import report, report_files

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in report_files.FORMATS:
        endings = [f".{f}" for f in report_files.FORMATS]
        raise BadInput(f"--out {args.out.name}: expected a file ending in {', '.join(endings[:-1])} or {endings[-1]}")
    check_output(args.out)
    if args.pdf is not None:
        check_output(args.pdf, {"--out": args.out})
    until = args.until or datetime.now(UTC).date()
    if until < args.since:
        raise BadInput(f"--until {until} is before --since {args.since}")
    period = report.Period(args.since, until)
    dataset = load_dataset()
    records, scope, _ = _selected(args, dataset)
    narrowed = _filters(args, dataset) != flt.Filters()
    made = report.progress_report(
        report.read_history(engine, period), period, report.scope_of(dataset, records, scope, narrowed)
    )
    write_output(args.out, report_files.report_bytes(made, fmt, dataset.version))
    say(f"wrote {args.out}: {report_files.in_short(made)} Scope: {made.scope}")
    return _write_pdf(args, report_files.render_html(made, dataset.version) if args.pdf is not None else "")


def _add_followup_parsers(sub) -> None:
    from gift_dash.followup.tables import ROLES

    store = " (store: $GIFT_DATABASE_URL, else SQLite in $GIFT_STATE_DIR)"
    accounts = sub.add_parser("users", help="accounts that may sign in to the follow-up pages" + store)
    verbs = accounts.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="make an account; the password is typed twice (or read with --password-stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, help="viewer reads; editor and admin change entries")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(run=_followup_command(cmd_users_add))
    verbs.add_parser(
        "list", help="every account, its role, whether it is active and when it last signed in"
    ).set_defaults(run=_followup_command(cmd_users_list))
    for verb, help_text in (
        ("deactivate", "stop an account from signing in (its history stays)"),
        ("reactivate", "let a deactivated account sign in again"),
        ("set-role", "give an account another role (its sign-ins end)"),
        ("reset-password", "set a new password, typed twice or read with --password-stdin (its sign-ins end)"),
    ):
        change = verbs.add_parser(verb, help=help_text)
        change.add_argument("name")
        if verb == "set-role":
            change.add_argument("role", choices=ROLES)
        if verb == "reset-password":
            change.add_argument("--password-stdin", action="store_true", help="read it from the first line of stdin")
        change.set_defaults(run=_followup_command(cmd_users_change))
    history = verbs.add_parser("history", help="what was done to accounts (created, role, password, deactivated)")
    history.add_argument("name", nargs="?", help="one account's changes only")
    history.set_defaults(run=_followup_command(cmd_users_history))

    followup = sub.add_parser("followup", help="follow-up entries: export, import, backup, restore, report" + store)
    verbs = followup.add_subparsers(dest="verb", required=True)
    out = verbs.add_parser("export", help="write every follow-up entry as CSV")
    out.add_argument("--out", type=Path, required=True, help="CSV file to write")
    out.set_defaults(run=_followup_command(cmd_followup_export))
    imp = verbs.add_parser("import", help="check a follow-up CSV row by row and save it all, or nothing")
    imp.add_argument("path", type=Path, help="CSV/XLSX with the columns `followup export` writes")
    imp.add_argument("--by", required=True, help="the editor or admin account the changes are recorded under")
    imp.set_defaults(run=_followup_command(cmd_followup_import))
    back = verbs.add_parser("backup", help="write the whole store (entries, history, accounts) to a JSON file")
    back.add_argument("file", type=Path)
    back.set_defaults(run=_followup_command(cmd_followup_backup))
    res = verbs.add_parser("restore", help="replace the store with a backup (a non-empty store needs --force)")
    res.add_argument("file", type=Path)
    res.add_argument("--force", action="store_true", help="replace a store that holds data (it is backed up first)")
    res.set_defaults(run=_followup_command(cmd_followup_restore))
    rep = verbs.add_parser(
        "report",
        help="what changed in a period, counted from the history: entries created, status changes by theme, event "
        "and pillar, what became overdue, evidence added, who changed what, the status at both ends",
    )
    rep.add_argument("--since", type=_day, required=True, help="first day (YYYY-MM-DD, UTC), included")
    rep.add_argument("--until", type=_day, help="last day (YYYY-MM-DD, UTC), included; default today")
    _add_filter_options(rep)
    rep.add_argument("--out", type=Path, required=True, help="file to write: .html, .csv, .json or .xlsx")
    rep.add_argument("--pdf", type=Path, help="also print the report to this PDF (needs Chromium)")
    rep.set_defaults(run=_followup_command(cmd_followup_report))


class _Parser(argparse.ArgumentParser):
    """argparse's own messages quote the arguments given ("invalid choice: ..."): printed like everything else."""

    def _print_message(self, message: str, file=None) -> None:
        super()._print_message(printable(message), file)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gift_dash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a records file (default: the shipped data)")
    validate.add_argument("path", nargs="?", type=Path, help="records CSV or XLSX; omit to check the shipped data")
    validate.add_argument(
        "--events",
        type=Path,
        help="events CSV/XLSX that the records may refer to; given alone, the events file is checked on its own",
    )
    validate.set_defaults(run=cmd_validate)

    export = sub.add_parser("export", help="write the records a set of filters selects as CSV, XLSX or JSON")
    export.add_argument(
        "--input",
        type=Path,
        help="records CSV/XLSX to export instead of the shipped records "
        "(every source is included unless --source is given)",
    )
    _add_filter_options(export)
    export.add_argument("--format", choices=("csv", "xlsx", "json"), required=True)
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.set_defaults(run=cmd_export)

    briefing = sub.add_parser("briefing", help="write a print-ready briefing (HTML, and PDF with Chromium)")
    _add_filter_options(briefing)
    briefing.add_argument("--out", type=Path, required=True, help="HTML file to write")
    briefing.add_argument("--pdf", type=Path, help="also print it to this PDF (needs Chromium; see CHROMIUM_PATH)")
    briefing.set_defaults(run=cmd_briefing)

    coverage = sub.add_parser(
        "coverage", help="print the share of records with a planned response and those without one (CSV or JSON)"
    )
    _add_filter_options(coverage)
    coverage.add_argument(
        "--by",
        choices=("event", "theme", "target_group"),
        help="one row per event, theme or target group; default: one row for all",
    )
    coverage.add_argument("--format", choices=("csv", "json"), default="csv")
    coverage.set_defaults(run=cmd_coverage)

    _add_similarity_parsers(sub)

    search = sub.add_parser(
        "search",
        help="records matching a query, ranked, with the reason (id,match,score,reason; closest matches below)",
    )
    search.add_argument(
        "query",
        help="words to find (typos tolerated, synonyms through the concept lexicon and "
        'the codebook\'s tags); "a phrase in quotes" must appear as written',
    )
    search.add_argument(
        "--input",
        type=Path,
        help="records CSV/XLSX with at least the columns id and text; default: the shipped annex II records",
    )
    search.add_argument("-k", type=_positive_int, help="list at most this many results; default: every match")
    search.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    search.add_argument("--out", type=Path, help="file to write; default: standard output")
    search.set_defaults(run=cmd_search)
    _add_followup_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return EXIT_CANNOT if exc.code else EXIT_OK
    try:
        return args.run(args)
    except BadInput as exc:
        say(exc, err=True)
        return EXIT_INVALID
    except (ProtectedPath, ShippedDataError) as exc:
        say(exc, err=True)
        return EXIT_CANNOT
    except CannotWrite as exc:
        say(f"cannot write: {exc}", err=True)
        return EXIT_CANNOT
    except (ReadError, OSError, ValueError) as exc:
        say(f"cannot read: {exc}", err=True)
        return EXIT_CANNOT
