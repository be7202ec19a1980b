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
