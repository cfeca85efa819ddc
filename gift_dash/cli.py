"""Command line: ``python -m gift_dash validate|export|briefing|groups|neighbours``; failures are messages and exit codes, never tracebacks.

The data folder ($GIFT_DATA_DIR or data/) is read only: every output goes through ``safe_io.write_output``, which
refuses a path in it or over the command's own inputs (exit 2). Text from input is printed through ``say``.
"""

from __future__ import annotations

import argparse
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
from gift_dash.safe_io import CannotWrite, ProtectedPath, check_output, printable, write_output
from gift_dash.schema import RECORD_COLUMNS, event_names, validate_records
from gift_dash.upload import check_events, check_files, verdict

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


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
        count = "files checked: codebook.csv, events.csv, recommendations.csv, ta_needs.csv"
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


# --option -> Filters field, for the briefing and export commands.
FILTER_OPTIONS = {"event": "events", "theme": "themes", "topic": "topics", "target_group": "target_groups",
                  "source": "sources"}


class UnknownValue(ValueError):
    """A filter value on the command line that the data does not know; the message lists the allowed ones."""


def _allowed_values(field: str, dataset: Dataset) -> dict[str, str]:
    if field == "events":
        return event_names(dataset.events)
    return dataset.codebook.labels(flt.FIELD_VOCABULARIES[field])


def _resolve(field: str, given: list[str], dataset: Dataset) -> tuple[str, ...]:
    """Values as the data spells them; a label or another letter case is accepted ("Protection", "kampala")."""
    allowed = _allowed_values(field, dataset)
    lookup = {k.casefold(): k for k in allowed} | {v.casefold(): k for k, v in allowed.items() if v}
    out = []
    for value in given:
        if field == "sources" and value.casefold() == flt.ALL_SOURCES:
            return ()
        if value.casefold().strip() not in lookup:
            listed = "\n".join(f"  {k}  ({v})" if v and v != k else f"  {k}" for k, v in allowed.items())
            option = "--" + next(o for o, f in FILTER_OPTIONS.items() if f == field).replace("_", "-")
            extra = f"\n  {flt.ALL_SOURCES}  (every source)" if field == "sources" else ""
            raise UnknownValue(f"unknown value for {option}: {value!r}; expected one of:\n{listed}{extra}")
        out.append(lookup[value.casefold().strip()])
    return tuple(dict.fromkeys(out))


def _filters(args: argparse.Namespace, dataset: Dataset, all_sources: bool = False) -> flt.Filters:
    chosen = {field: _resolve(field, getattr(args, option), dataset)
              for option, field in FILTER_OPTIONS.items() if getattr(args, option)}
    if all_sources and "sources" not in chosen:
        chosen["sources"] = ()
    return flt.Filters(**chosen, query=(getattr(args, "query", None) or "").strip()[: flt.MAX_QUERY_CHARS])


def _input_dataset(path: Path, shipped: Dataset) -> Dataset:
    """The shipped data with its records replaced by those of ``path`` (checked like the shipped ones)."""
    records = read_table(path)
    codebook = shipped.codebook  # defines source "uploaded" too (data/codebook.csv)
    problems = validate_records(records, codebook, set(shipped.events["event_id"]), str(path))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        say(problem, err=True)
    if errors:
        raise UnknownValue(f"{path}: {len(errors)} problem(s); nothing exported (check with: python -m gift_dash "
                           f"validate {path})")
    return replace(shipped, records=with_schema_columns(records, RECORD_COLUMNS), codebook=codebook)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the records a set of filters selects as CSV or XLSX, with the filters in words as the scope."""
    from gift_dash.export import export_view

    inputs = {"--input": args.input}
    check_output(args.out, inputs)
    dataset = load_dataset()
    if args.input is not None:
        dataset = _input_dataset(args.input, dataset)
    chosen = _filters(args, dataset, all_sources=args.input is not None)
    records = flt.apply(dataset.records, dataset.events, chosen)
    scope = flt.describe(chosen, dataset.codebook, dataset.events)
    if args.input is not None:
        scope += f" · records from {args.input.name}"
    data = export_view(records, dataset.events, dataset.codebook, fmt=args.format, scope=scope,
                       dataset_version=dataset.version)
    write_output(args.out, data, inputs)
    say(f"wrote {args.out}: {len(records)} record(s), {args.format.upper()}, scope: {scope}")
    return EXIT_OK


def cmd_briefing(args: argparse.Namespace) -> int:
    """Write the briefing for a scope as self-contained HTML (and PDF when Chromium is available)."""
    from gift_dash.briefing import PdfUnavailable, html_to_pdf, render_briefing

    check_output(args.out)
    if args.pdf is not None:
        check_output(args.pdf, {"--out": args.out})  # the PDF must not replace the HTML just written
    dataset = load_dataset()
    chosen = _filters(args, dataset)
    records = flt.apply(dataset.records, dataset.events, chosen)
    scope = flt.describe(chosen, dataset.codebook, dataset.events)
    document = render_briefing(records, dataset, scope)
    write_output(args.out, document.encode("utf-8"))
    say(f"wrote {args.out}: briefing on {len(records)} record(s), scope: {scope}")
    if args.pdf is not None:
        try:
            pdf = html_to_pdf(document)
        except PdfUnavailable as exc:
            say(f"no PDF written: {exc}. Open {args.out} in a browser and print it instead.", err=True)
            return EXIT_UNREADABLE
        write_output(args.pdf, pdf, {"--out": args.out})
        say(f"wrote {args.pdf}")
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
    group = command.add_argument_group("filters (repeat an option for several values; ids or labels)")
    for option, helptext in (("event", "event id, e.g. kampala-2007"), ("theme", "theme, e.g. protection"),
                             ("topic", "topic, e.g. training_capacity_building"),
                             ("target_group", "target group, e.g. children"),
                             ("source", "annex-ii (default), section-vi, section-v, or all")):
        group.add_argument(f"--{option.replace('_', '-')}", dest=option, action="append", default=[],
                           metavar=option.upper(), help=helptext)
    group.add_argument("--query", help="text search (typo-tolerant, every word must match)")


class _Parser(argparse.ArgumentParser):
    """argparse's own messages quote the arguments given ("invalid choice: ..."): printed like everything else."""

    def _print_message(self, message: str, file=None) -> None:
        super()._print_message(printable(message), file)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gift_dash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a records file (default: the shipped data)")
    validate.add_argument("path", nargs="?", type=Path, help="records CSV or XLSX; omit to check the shipped data")
    validate.add_argument("--events", type=Path, help="events CSV/XLSX that the records may refer to; "
                          "given alone, the events file is checked on its own")
    validate.set_defaults(run=cmd_validate)

    export = sub.add_parser("export", help="write the records a set of filters selects as CSV or XLSX")
    export.add_argument("--input", type=Path, help="records CSV/XLSX to export instead of the shipped records "
                        "(every source is included unless --source is given)")
    _add_filter_options(export)
    export.add_argument("--format", choices=("csv", "xlsx"), required=True)
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.set_defaults(run=cmd_export)

    briefing = sub.add_parser("briefing", help="write a print-ready briefing (HTML, and PDF with Chromium)")
    _add_filter_options(briefing)
    briefing.add_argument("--out", type=Path, required=True, help="HTML file to write")
    briefing.add_argument("--pdf", type=Path, help="also print it to this PDF (needs Chromium; see CHROMIUM_PATH)")
    briefing.set_defaults(run=cmd_briefing)

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
        say(exc, err=True)
        return EXIT_INVALID
    except ProtectedPath as exc:
        say(exc, err=True)
        return EXIT_UNREADABLE
    except CannotWrite as exc:
        say(f"cannot write: {exc}", err=True)
        return EXIT_UNREADABLE
    except ShippedDataError as exc:
        say(exc, err=True)
        return EXIT_UNREADABLE
    except (ReadError, OSError, ValueError) as exc:
        say(f"cannot read: {exc}", err=True)
        return EXIT_UNREADABLE
