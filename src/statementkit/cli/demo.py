"""`statementkit demo`: the main job on the bundled corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from statementkit.cli._util import (
    FORMAT_OPTION,
    RULES_OPTION,
    Format,
    console,
    emit_records,
    handle_errors,
)


@handle_errors
def demo(
    rules: Path = RULES_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Screen the bundled demo batch of submissions against the published statements.

    The batch (corpus/demo-submissions.jsonl) mixes good submissions with ones
    that break each moderation criterion, in several languages; the published
    statements are those quoted in the reference assembly's paper.

    Example: statementkit demo --format jsonl | head -3
    """
    from statementkit.pipeline import demo as run_demo

    result = run_demo(rules)
    if fmt is not Format.table:
        emit_records((row.to_dict() for row in result.rows), fmt)
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"{len(result.rows)} submissions screened against {len(result.published)} "
                        f"published statements (stages: {', '.join(result.stages)})",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("codes", max_width=14, overflow="fold")
    table.add_column("theme", no_wrap=True)
    table.add_column("dup of", max_width=10, overflow="fold")
    table.add_column("text", overflow="fold")
    for row in result.rows:
        theme = "-"
        if row.theme is not None and row.theme.theme is None:  # rules without a taxonomy: the cluster
            theme = "-" if row.theme.cluster is None else f"c{row.theme.cluster}"
        elif row.theme is not None:
            theme = f"{row.theme.theme}{'+' + row.theme.theme2 if row.theme.theme2 else ''} {row.theme.confidence:.2f}"
        table.add_row(row.statement.id, row.statement.lang or "", row.verdict or "-",
                      ", ".join(row.codes), theme, _duplicates(row), row.statement.text)
    out = console()
    out.print(table)
    langs = Counter(row.statement.lang for row in result.rows)
    verdicts = Counter(row.verdict or "-" for row in result.rows)
    codes = Counter(code for row in result.rows for code in row.codes)
    out.print("verdicts: " + ", ".join(f"{k} {v}" for k, v in verdicts.most_common()))
    out.print("reason codes: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))
    out.print("languages: " + ", ".join(f"{k} {v}" for k, v in langs.most_common()))


def _duplicates(row) -> str:
    """Ids of near-duplicates; "≠id" marks a close statement with the opposite stance."""
    if not row.duplicates:
        return ""
    dups = [d.id for d in row.duplicates.duplicates if d.is_duplicate]
    flips = [f"[yellow]≠{d.id}[/]" for d in row.duplicates.duplicates if not d.same_stance]
    return ", ".join(dups[:2] + flips[:1])
