"""`statementkit check FILE`: screen statements against the assembly's moderation criteria."""

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
    err_console,
    handle_errors,
    read_input,
    report_skipped,
)


def flag_lines(flags) -> object:
    """Each flag's code (in its colour), severity when not reject, message and suggestion."""
    from rich.text import Text

    from statementkit.tui.render import code_style

    out = Text()
    for n, f in enumerate(flags):
        if n:
            out.append("\n")
        out.append(f.code, style=code_style(f.code))
        if f.severity != "reject":
            out.append(f" ({f.severity})", style="dim")
        out.append(f" {f.message}")
        if f.suggestion:
            out.append(f"\n  → {f.suggestion}", style="dim")
    return out


def optional_embedder(model: str | None):
    """The embedding model if it is installed, else None with a note on stderr (the checks then use
    the lexicons alone)."""
    from statementkit.embed import installed_embedder, missing_model

    missing = missing_model(model)
    if missing:
        err_console().print(f"[yellow]{missing}: lexicons only[/]")
    return installed_embedder(model)


#: Statements read, checked and printed at a time by `check --format jsonl`.
CHUNK = 2000


def _stream_jsonl(file: str, rules, force: str | None, skip_empty: bool, embedder) -> None:
    """Read, check and print in batches (check_stream: languages are detected batch by batch), so
    the first line comes at once."""
    import json
    import sys
    from dataclasses import replace

    from statementkit.checks import check_stream
    from statementkit.io import iter_statements
    from statementkit.text.language import forced_language

    skipped: list[int] = []
    statements = iter_statements(file, skip_empty=skip_empty, skipped=skipped)
    if force:
        lang = forced_language(force)
        statements = (replace(s, lang=lang) for s in statements)
    for n, screening in enumerate(check_stream(statements, rules, embedder=embedder, chunk=CHUNK), 1):
        sys.stdout.write(json.dumps(screening.to_dict(), ensure_ascii=False) + "\n")
        if n in (1, 17) or n % CHUNK == 0:  # the first answers at once, then a batch at a time
            sys.stdout.flush()
    report_skipped(file, skipped)


@handle_errors
def check(
    file: str = typer.Argument(..., help="Statements: JSONL, CSV (id,text), pol.is comments.csv, or - for stdin."),
    against: str = typer.Option(None, "--against", metavar="PUBLISHED",
                                help="Published statements: flag near-duplicates of them (loads the embedding model).",
                                show_default=False),
    embed: bool = typer.Option(True, "--embed/--no-embed",
                               help="Use the embedding model: classifiers trained on labelled examples catch what "
                                    "the lexicons miss, and scope is judged by meaning (~2 s to load the model), as "
                                    "selfcheck and the triage queue do. --no-embed: lexicons only, fastest, and it "
                                    "gives up those flags, so its verdicts can differ from the queue's. Without the "
                                    "model installed: lexicons only."),
    model: str = typer.Option(None, "--model", help="Embedding model id from models/registry.toml (default: the "
                                                    "registry's default).", show_default=False),
    force: str = LANG_OPTION,
    rules: Path = RULES_OPTION,
    skip_empty: bool = SKIP_EMPTY_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Screen every statement against the assembly's moderation criteria.

    Each statement gets a verdict (accept, review, reject) and a flag per
    criterion it breaks, with the reason code, a message, the span of text it
    is about and a suggestion. The criteria, lexicons, scope and severities are
    data in the rules directory (--rules DIR runs another assembly). With
    --against, near-duplicates of the published statements are flagged too.

    By default the embedding model (when installed) adds classifier flags for
    what the lexicons miss (rules/classifier.toml); --no-embed uses the
    lexicons alone, which needs no model and checks thousands of statements
    per second.

    Example: statementkit check corpus/demo-submissions.jsonl --against corpus/paper-statements.jsonl
    """
    from statementkit.checks import check as run_check
    from statementkit.checks import load_rules
    from statementkit.text.language import with_languages

    loaded = load_rules(rules)
    if fmt is Format.jsonl and not against:  # one record per line as soon as it is checked: any file size
        _stream_jsonl(file, loaded, force, skip_empty, optional_embedder(model) if embed else None)
        return
    statements = with_languages(read_input(file, skip_empty=skip_empty), loaded.languages, force)
    published = with_languages(read_input(against, skip_empty=skip_empty), loaded.languages) if against else None
    embedder = None
    if against:
        from statementkit.embed import default_embedder

        embedder = default_embedder(model)
    elif embed:
        embedder = optional_embedder(model)
    results = run_check(statements, loaded, against=published, embedder=embedder)
    if fmt is not Format.table:
        emit_records((r.to_dict() for r in results), fmt)
        return
    if not results:  # an empty table and "verdicts:" with nothing after it said nothing
        console().print(f"no statements to check in {'<stdin>' if file == '-' else file}")
        return
    from rich.table import Table
    from rich.text import Text

    from statementkit.tui.render import VERDICT_STYLE, highlight

    table = Table(title=f"{len(results)} statements checked against {loaded.name}"
                        + (f" and {len(published)} published statements" if published else ""),
                  title_justify="left", show_lines=True)
    table.add_column("id", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("statement", ratio=3, overflow="fold")
    table.add_column("flags", ratio=4, overflow="fold")
    for s, r in zip(statements, results):
        table.add_row(s.id, r.lang or "", Text(r.verdict, style=VERDICT_STYLE[r.verdict]), highlight(s.text, r.flags),
                      flag_lines(r.flags))
    out = console()
    out.print(table)
    verdicts = Counter(r.verdict for r in results)
    codes = Counter(code for r in results for code in r.codes)
    out.print("verdicts: " + ", ".join(f"{v} {verdicts[v]}" for v in ("accept", "review", "reject") if verdicts[v]))
    if codes:
        out.print("codes: " + ", ".join(f"{c} {n}" for c, n in codes.most_common()))
