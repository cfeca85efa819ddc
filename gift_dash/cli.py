"""Command line: ``python -m gift_dash validate|export|briefing|coverage|groups|neighbours``; failures are messages and exit codes, never tracebacks."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace
from pathlib import Path

from gift_dash import filters as flt
from gift_dash.data import (
    DATA_DIR,
    Dataset,
    ReadError,
    load_dataset,
    read_table,
    with_schema_columns,
)
from gift_dash.dimensions import DIMENSIONS, Dimension
from gift_dash.schema import RECORD_COLUMNS, load_codebook, validate_records
from gift_dash.upload import check_files, verdict

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the shipped data, or a records file (CSV/XLSX) against the shipped codebook and events."""
    if args.path is None:
        dataset = load_dataset(DATA_DIR)
        problems = dataset.problems
        label = f"shipped data in {DATA_DIR}"
        count = f"{len(dataset.records)} record(s)"
    else:
        # The same function as the "Add records" page, so the command and the page give the same verdict.
        merge = check_files(load_dataset(DATA_DIR), args.path, args.events)
        problems = merge.problems
        label = str(args.path)
        count = f"{len(merge.rejected_rows)} row(s) rejected, {len(merge.accepted_ids)} would be added"
    for problem in problems:
        print(problem)
    if verdict(problems) == EXIT_INVALID:
        errors = sum(p.severity == "error" for p in problems)
        print(f"INVALID: {label}: {errors} problem(s); {count}", file=sys.stderr)
        return EXIT_INVALID
    print(f"valid: {label}: {count}")
    return EXIT_OK


class UnknownValue(ValueError):
    """A filter value on the command line that the data does not know; the message lists the allowed ones."""


def _resolve(dim: Dimension, given: list[str], dataset: Dataset) -> tuple[str, ...]:
    """Values as the data spells them; a label or another letter case is accepted ("Protection", "kampala")."""
    allowed = {v: dim.labels(dataset.codebook, dataset.events).get(v, v)
               for v in dim.values(dataset.codebook, dataset.events)}
    lookup = {k.casefold(): k for k in allowed} | {v.casefold(): k for k, v in allowed.items() if v}
    out = []
    for value in given:
        if dim.field == "sources" and value.casefold() == flt.ALL_SOURCES:
            return ()
        if value.casefold().strip() not in lookup:
            listed = "\n".join(f"  {k}  ({v})" if v and v != k else f"  {k}" for k, v in allowed.items())
            extra = f"\n  {flt.ALL_SOURCES}  (every source)" if dim.field == "sources" else ""
            raise UnknownValue(f"unknown value for {dim.cli_option}: {value!r}; expected one of:\n{listed}{extra}")
        out.append(lookup[value.casefold().strip()])
    return tuple(dict.fromkeys(out))


def _filters(args: argparse.Namespace, dataset: Dataset, all_sources: bool = False) -> flt.Filters:
    chosen = {dim.field: _resolve(dim, getattr(args, dim.key), dataset)
              for dim in DIMENSIONS.values() if getattr(args, dim.key)}
    if all_sources and "sources" not in chosen:
        chosen["sources"] = ()
    return flt.Filters(**chosen, theme_mode=args.theme_mode,
                       query=(getattr(args, "query", None) or "").strip()[: flt.MAX_QUERY_CHARS])


def _input_dataset(path: Path, shipped: Dataset) -> Dataset:
    """The shipped data with its records replaced by those of ``path`` (checked like the shipped ones)."""
    records = read_table(path)
    codebook = shipped.codebook  # defines source "uploaded" too (data/codebook.csv)
    problems = validate_records(records, codebook, set(shipped.events["event_id"]), str(path))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem, file=sys.stderr)
    if errors:
        raise UnknownValue(f"{path}: {len(errors)} problem(s); nothing exported (check with: python -m gift_dash "
                           f"validate {path})")
    return replace(shipped, records=with_schema_columns(records, RECORD_COLUMNS), codebook=codebook)


class CannotWrite(OSError):
    """An output file cannot be written; the message names it and says why."""


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CannotWrite(f"{path} ({exc.strerror or exc})") from None


def cmd_export(args: argparse.Namespace) -> int:
    """Write the records a set of filters selects as CSV, XLSX or JSON, with the filters in words as the scope."""
    from gift_dash.export import export_view
    from gift_dash.response import planned_response

    dataset = load_dataset(DATA_DIR)
    if args.input is not None:
        dataset = _input_dataset(args.input, dataset)
    chosen = _filters(args, dataset, all_sources=args.input is not None)
    records = flt.apply(dataset.records, dataset.events, chosen)
    scope = flt.describe(chosen, dataset.codebook, dataset.events)
    if args.input is not None:
        scope += f" · records from {args.input.name}"
    data = export_view(records, dataset.events, dataset.codebook, fmt=args.format, scope=scope,
                       dataset_version=dataset.version, planned=planned_response(records, dataset))
    _write(args.out, data)
    print(f"wrote {args.out}: {len(records)} record(s), {args.format.upper()}, scope: {scope}")
    return EXIT_OK


def cmd_briefing(args: argparse.Namespace) -> int:
    """Write the briefing for a scope as self-contained HTML (and PDF when Chromium is available)."""
    from gift_dash.briefing import PdfUnavailable, html_to_pdf, planned_responses, render_briefing

    dataset = load_dataset(DATA_DIR)
    chosen = _filters(args, dataset)
    records = flt.apply(dataset.records, dataset.events, chosen)
    scope = flt.describe(chosen, dataset.codebook, dataset.events)
    document = render_briefing(records, dataset, scope, responses=planned_responses(records, dataset))
    _write(args.out, document.encode("utf-8"))
    print(f"wrote {args.out}: briefing on {len(records)} record(s), scope: {scope}")
    if args.pdf is not None:
        try:
            pdf = html_to_pdf(document)
        except PdfUnavailable as exc:
            print(f"no PDF written: {exc}. Open {args.out} in a browser and print it instead.", file=sys.stderr)
            return EXIT_UNREADABLE
        _write(args.pdf, pdf)
        print(f"wrote {args.pdf}")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the share of the selected records with a planned response (overall or by --by) and those without."""
    import json

    from gift_dash import response
    from gift_dash.export import csv_bytes, neutralise

    dataset = load_dataset(DATA_DIR)
    chosen = _filters(args, dataset)
    records = flt.apply(dataset.records, dataset.events, chosen)
    scope = flt.describe(chosen, dataset.codebook, dataset.events)
    table = response.coverage(records, dataset, args.by)
    gaps = response.unanswered_table(records, dataset)
    outside = len(records) - len(response.in_scope(records))
    if args.format == "json":
        print(json.dumps({"scope": scope, "records_not_read_against_the_workplan": outside,
                          "coverage": table.astype(object).where(table.notna(), None).to_dict(orient="records"),
                          "unanswered": gaps.to_dict(orient="records")}, ensure_ascii=False, indent=2))
        return EXIT_OK
    # Two tables, each under its "# key,value" lines (as an export's metadata), a blank line between them.
    notes = {"coverage": [("Coverage", "share with at least one explicit or thematic response"), ("Scope", scope),
                          ("Records not read against the workplan (not counted)", str(outside))],
             "unanswered": [("No planned response", f"{len(gaps)} record(s)")]}
    lines = csv.writer(sys.stdout, lineterminator="\n")
    for name, frame in (("coverage", table), ("unanswered", gaps)):
        lines.writerows([neutralise(f"# {key}"), neutralise(value)] for key, value in notes[name])
        sys.stdout.write(csv_bytes(frame).decode("utf-8-sig").replace("\r\n", "\n") + "\n")
    return EXIT_OK


def _similarity_records(args: argparse.Namespace):
    """The records to compare: every row of --input (any table with at least id and text), or else the shipped
    annex II records (the dashboard's default sources)."""
    if args.input is not None:
        return read_table(args.input), str(args.input)
    records = load_dataset(DATA_DIR).records
    return records[records["source"].isin(flt.DEFAULT_SOURCES)].reset_index(drop=True), "shipped annex II records"


def _run_similarity(args: argparse.Namespace, compute) -> int:
    """Shared by ``groups`` and ``neighbours``: read, compute, write CSV; unusable input is exit 1 with the reason."""
    from gift_dash.export import csv_bytes
    from gift_dash.similarity import SimilarityError, build_index

    records, label = _similarity_records(args)
    try:
        table = compute(build_index(records, codebook=load_codebook(DATA_DIR / "codebook.csv")))
    except SimilarityError as exc:
        print(f"INVALID: {label}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    _write(args.out, csv_bytes(table))
    print(f"wrote {args.out}: {len(table)} row(s) from {len(records)} record(s) ({label})")
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

    help_input = ("records CSV/XLSX with at least the columns id and text (tag columns are used when present); "
                  "default: the shipped annex II records")
    groups = sub.add_parser("groups", help="group records that express the same idea (CSV: id,group,label,score)")
    groups.add_argument("--input", type=Path, help=help_input)
    groups.add_argument("--threshold", type=_unit_interval, default=DEFAULT_THRESHOLD,
                        help=f"similarity (0-1) a group must hold together at; default {DEFAULT_THRESHOLD}, as the dashboard")
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
        group.add_argument(dim.cli_option, dest=dim.key, action="append", default=[], metavar=dim.key.upper(),
                           help=f"{dim.label.lower()}{extra}")
    group.add_argument("--theme-mode", choices=flt.THEME_MODES, default="any",
                       help="with several --theme: records with any (default) or all of them")
    group.add_argument("--query", help="text search (typo-tolerant, every word must match)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gift_dash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a records file (default: the shipped data)")
    validate.add_argument("path", nargs="?", type=Path, help="records CSV or XLSX; omit to check the shipped data")
    validate.add_argument("--events", type=Path, help="events CSV/XLSX that the records may refer to")
    validate.set_defaults(run=cmd_validate)

    export = sub.add_parser("export", help="write the records a set of filters selects as CSV, XLSX or JSON")
    export.add_argument("--input", type=Path, help="records CSV/XLSX to export instead of the shipped records "
                        "(every source is included unless --source is given)")
    _add_filter_options(export)
    export.add_argument("--format", choices=("csv", "xlsx", "json"), required=True)
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.set_defaults(run=cmd_export)

    briefing = sub.add_parser("briefing", help="write a print-ready briefing (HTML, and PDF with Chromium)")
    _add_filter_options(briefing)
    briefing.add_argument("--out", type=Path, required=True, help="HTML file to write")
    briefing.add_argument("--pdf", type=Path, help="also print it to this PDF (needs Chromium; see CHROMIUM_PATH)")
    briefing.set_defaults(run=cmd_briefing)

    coverage = sub.add_parser("coverage", help="print the share of records with a planned response and those "
                              "without one (CSV or JSON)")
    _add_filter_options(coverage)
    coverage.add_argument("--by", choices=("event", "theme", "target_group"),
                          help="one row per event, theme or target group; default: one row for all")
    coverage.add_argument("--format", choices=("csv", "json"), default="csv")
    coverage.set_defaults(run=cmd_coverage)

    _add_similarity_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return EXIT_UNREADABLE if exc.code else EXIT_OK
    try:
        return args.run(args)
    except UnknownValue as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except CannotWrite as exc:
        print(f"cannot write: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except (ReadError, OSError, ValueError) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
