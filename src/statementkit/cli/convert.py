"""`statementkit convert IN OUT`: between JSONL, JSON, CSV, pol.is and text."""

from __future__ import annotations

import sys

import typer

from statementkit.cli._util import (
    SKIP_EMPTY_OPTION,
    err_console,
    handle_errors,
    read_input,
)


@handle_errors
def convert(
    src: str = typer.Argument(..., metavar="IN", help="Input statements file, or - for stdin."),
    dst: str = typer.Argument(..., metavar="OUT", help="Output file (format from its extension), or - for stdout."),
    from_fmt: str = typer.Option(None, "--from", help="Input format: jsonl, json, csv, polis, txt (default: guess).",
                                 show_default=False),
    to_fmt: str = typer.Option(None, "--to", help="Output format: jsonl, json, csv, polis, txt (default: from OUT).",
                               show_default=False),
    skip_empty: bool = SKIP_EMPTY_OPTION,
) -> None:
    """Convert statements between formats, keeping ids and every other field.

    `--to polis` writes a pol.is comments.csv (comment-id, author-id, agrees,
    disagrees, moderated, comment-body).

    Example: statementkit convert corpus/demo-submissions.jsonl subs.csv
    """
    from statementkit.io import output_format_for, write_statements

    statements = read_input(src, from_fmt, skip_empty=skip_empty)
    if dst == "-":
        write_statements(statements, sys.stdout, to_fmt or "jsonl")
        return
    fmt = output_format_for(dst, to_fmt)
    with open(dst, "w", encoding="utf-8", newline="") as out:
        n = write_statements(statements, out, fmt)
    err_console().print(f"wrote {n} statements to {dst} ({fmt})")
