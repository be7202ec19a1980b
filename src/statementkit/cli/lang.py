"""`statementkit lang FILE`: the language of every statement."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    LANG_OPTION,
    RULES_OPTION,
    SKIP_EMPTY_OPTION,
    Format,
    console,
    emit_records,
    handle_errors,
    read_input,
)


@handle_errors
def lang(
    file: str = typer.Argument(..., help="Statements: JSONL, CSV (id,text), pol.is comments.csv, or - for stdin."),
    force: str = LANG_OPTION,
    rules: Path = RULES_OPTION,
    fmt: Format = FORMAT_OPTION,
    skip_empty: bool = SKIP_EMPTY_OPTION,
) -> None:
    """Detect the language of each statement, with a summary per language.

    Only the languages listed in the rules' assembly.toml are considered for
    Latin-script text; too short or unclear text is reported as `und`.

    Example: statementkit lang corpus/demo-submissions.jsonl
    """
    from statementkit.rules import expected_languages
    from statementkit.text.language import detect_languages

    statements = read_input(file, skip_empty=skip_empty)
    results = detect_languages(statements, expected_languages(rules), force=force)
    if fmt is not Format.table:
        emit_records((r.to_dict() for r in results), fmt)
        return
    from rich.table import Table

    table = Table(title=f"Languages of {len(results)} statements", title_justify="left")
    for name in ("id", "lang", "prob", "text"):
        table.add_column(name, overflow="fold", ratio=4 if name == "text" else None)
    for s, r in zip(statements, results):
        table.add_row(s.id, r.lang, "given" if r.forced else f"{r.prob:.2f}", s.text[:100])
    out = console()
    out.print(table)
    counts = Counter(r.lang for r in results)
    summary = Table(title="Summary", title_justify="left")
    summary.add_column("lang")
    summary.add_column("statements", justify="right")
    summary.add_column("share", justify="right")
    for code, n in counts.most_common():
        summary.add_row(code, str(n), f"{n / len(results):.0%}")
    out.print(summary)
