"""Command line: ``python -m gift_dash validate|...``. Every failure is a message and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gift_dash.data import DATA_DIR, ReadError, load_dataset
from gift_dash.upload import check_files

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the shipped data, or a records file (CSV/XLSX) against the shipped codebook and events."""
    if args.path is None:
        dataset = load_dataset(DATA_DIR)
        problems = dataset.problems
        label = f"shipped data in {DATA_DIR}"
        count = len(dataset.records)
    else:
        # The same function as the "Add records" page, so the command and the page give the same verdict.
        merge = check_files(load_dataset(DATA_DIR), args.path, args.events)
        problems = merge.problems
        label, count = str(args.path), len(merge.accepted_ids) + len(merge.rejected_rows)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem)
    if errors:
        print(f"INVALID: {label}: {len(errors)} problem(s) in {count} record(s)", file=sys.stderr)
        return EXIT_INVALID
    print(f"valid: {label}: {count} record(s)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gift_dash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a records file (default: the shipped data)")
    validate.add_argument("path", nargs="?", type=Path, help="records CSV or XLSX; omit to check the shipped data")
    validate.add_argument("--events", type=Path, help="events CSV/XLSX that the records may refer to")
    validate.set_defaults(run=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return EXIT_UNREADABLE if exc.code else EXIT_OK
    try:
        return args.run(args)
    except ReadError as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except (OSError, ValueError) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
