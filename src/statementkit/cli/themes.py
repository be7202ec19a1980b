"""`statementkit themes FILE`: clusters, labels and taxonomy themes; analyst edits.

`statementkit themes FILE` runs the themes stage and remembers the clusters
in FILE's decisions file (`--decisions PATH`, else one per input file in the
per-user state folder, `$STATEMENTKIT_DATA`); the sub-commands record the
analyst's decisions in that same file, and every later run honours them:

    statementkit themes corpus.jsonl                 # run (the default sub-command)
    statementkit themes pin corpus.jsonl aa-003 2    # statement aa-003 is theme 2
    statementkit themes pin corpus.jsonl 4 6 --cluster
    statementkit themes rename corpus.jsonl 4 "Partnerships with big tech"
    statementkit themes merge corpus.jsonl 5 4       # cluster 5 joins cluster 4
    statementkit themes split corpus.jsonl 4 aa-030 aa-031
    statementkit themes review corpus.jsonl          # least certain first
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer
from typer.core import TyperGroup

from statementkit.cli._util import (
    FORMAT_OPTION,
    SKIP_EMPTY_OPTION,
    Format,
    console,
    emit_records,
    err_console,
    handle_errors,
    read_input,
)

FILE_ARG = typer.Argument(..., help="Statements: JSONL, CSV (id,text), pol.is comments.csv.")
TAXONOMY_OPTION = typer.Option(None, "--taxonomy", help="Taxonomy TOML (default: the rules' taxonomy.toml; "
                                                         "the bundled rules have the reference assembly's).",
                               show_default=False)
RULES_OPTION = typer.Option(None, "--rules", help="Rules directory of the assembly (default: the bundled rules); "
                                                  "without a taxonomy.toml: clusters and labels only.",
                            show_default=False)
NO_TAXONOMY_OPTION = typer.Option(False, "--no-taxonomy", help="Clusters with labels only, no taxonomy themes.")
DECISIONS_OPTION = typer.Option(None, "--decisions",
                                help="Analyst decisions JSON (default: one per FILE in the per-user state folder, "
                                     "$STATEMENTKIT_DATA or ~/.local/share/statementkit/themes/).",
                                show_default=False)
MODEL_OPTION = typer.Option(None, "--model", help="Embedding model id from models/registry.toml.",
                            show_default=False)


class _RunByDefault(TyperGroup):
    """`themes FILE ...` means `themes run FILE ...`; named sub-commands still work."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="Cluster statements into themes with suggested labels, mapped onto the assembly's taxonomy; "
         "the analyst's pins, renames, merges and splits survive reruns.\n\n"
         "Example: statementkit themes corpus/paper-statements.jsonl",
)


def _paths(file: str, decisions: Path | None) -> Path | None:
    from statementkit.themes.decisions import decisions_path

    if decisions is not None:
        return decisions
    return None if file == "-" else decisions_path(file)


def _taxonomy(taxonomy: Path | None, rules: Path | None, no_taxonomy: bool = False):
    """--taxonomy, else none with --no-taxonomy, else the rules' own (none if they have none)."""
    from statementkit.themes.taxonomy import Taxonomy, load_taxonomy, taxonomy_for_rules

    if taxonomy is not None:
        return load_taxonomy(taxonomy)
    if no_taxonomy:
        return Taxonomy([], source="--no-taxonomy")
    return taxonomy_for_rules(rules)


@app.command("run")
@handle_errors
def run(
    file: str = FILE_ARG,
    taxonomy: Path = TAXONOMY_OPTION,
    rules: Path = RULES_OPTION,
    no_taxonomy: bool = NO_TAXONOMY_OPTION,
    decisions: Path = DECISIONS_OPTION,
    model: str = MODEL_OPTION,
    save: bool = typer.Option(True, "--save/--no-save", help="Remember this run's clusters in the decisions file."),
    skip_empty: bool = SKIP_EMPTY_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Cluster FILE, label the clusters and suggest a theme for each statement and cluster.

    JSON output follows the contract {"id", "cluster", "theme", "confidence",
    "labels"} (plus theme2, source and cluster_label). Cluster ids stay stable
    across reruns through FILE's decisions file (printed after the table).

    With rules that have no taxonomy (`statementkit rules init` writes none),
    every theme is null and the clusters carry the labels.

    Example: statementkit themes run corpus/paper-statements.jsonl --format jsonl
    """
    from statementkit.themes.decisions import ThemeDecisions

    path = _paths(file, decisions)
    stored = ThemeDecisions.load(path) if path else ThemeDecisions()
    result, statements = _run(file, _taxonomy(taxonomy, rules, no_taxonomy), stored, model, skip_empty)
    if save and path is not None:
        stored.save(path)
    if fmt is not Format.table:
        emit_records(result.to_records(), fmt)
        return
    _print_table(result, statements, path if save else None, file)
    if result.taxonomy_fit_warning:  # for people; programs read ThemeResult.taxonomy_fit_warning
        err_console().print(f"[yellow]warning:[/] {result.taxonomy_fit_warning}")


def _run(file: str, tax, stored, model: str | None, skip_empty: bool = False):
    from statementkit.embed import default_embedder
    from statementkit.themes.assign import assign_themes

    statements = read_input(file, skip_empty=skip_empty)
    if not statements:
        from statementkit.errors import InputError

        raise InputError("no statements to cluster", "<stdin>" if file == "-" else file)
    err = err_console()
    with err.status("loading the embedding model ...") as status:
        def progress(stage: str, done: int, total: int) -> None:
            status.update(f"{stage}: {done}/{total}" if stage == "encode" else f"{stage} ...")

        result = assign_themes(statements, tax, embedder=default_embedder(model), decisions=stored,
                               progress=progress)
    return result, statements


def _print_table(result, statements, saved: Path | None, file: str) -> None:
    from rich.table import Table

    texts = {s.id: s.text for s in statements}
    tax = result.taxonomy
    out = console()
    by_cluster: dict = {}
    for a in result.assignments:
        by_cluster.setdefault(a.cluster, []).append(a)
    for cluster in result.clusters:
        marks = (" [analyst label]" if cluster.label_source == "analyst" else "") + \
                (" [analyst theme]" if cluster.theme_source == "analyst" else "")
        title = f"cluster {cluster.id} · {cluster.size} statements · {cluster.label}"
        if not tax.empty:
            theme = f"{cluster.theme} {tax.label(cluster.theme)}"
            if cluster.theme2:
                theme += f" (+{cluster.theme2} {tax.label(cluster.theme2)})"
            title += f"\ntheme {theme} · confidence {cluster.confidence:.2f}"
        table = Table(title=title + marks, title_justify="left", show_lines=False)
        _add_rows(table, by_cluster.get(cluster.id, []), texts, set(cluster.representatives), not tax.empty)
        out.print(table)
    if None in by_cluster:
        table = Table(title=f"unclustered · {len(by_cluster[None])} statements", title_justify="left")
        _add_rows(table, by_cluster[None], texts, set(), not tax.empty)
        out.print(table)
    for note in result.uncarried:
        err_console().print(f"[yellow]not carried over:[/] {note}")
    share = result.outlier_share
    themes = ", ".join(f"{t.id} {t.label}" for t in tax.themes) if not tax.empty else \
        "none (no taxonomy: clusters and labels only)"
    out.print(f"{len(result.assignments)} statements, {len(result.clusters)} clusters, "
              f"{share:.0%} unclustered; themes: {themes}")
    if saved:
        out.print(f"clusters remembered in {saved}; pin, rename, merge or split with `statementkit themes pin|rename|"
                  f"merge|split {file} ...`")


def _add_rows(table, assignments, texts, representatives, themed: bool = True) -> None:
    table.add_column("id", no_wrap=True)
    if themed:
        table.add_column("theme", no_wrap=True)
        table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("text", ratio=1, overflow="fold")
    for a in assignments:
        theme = (a.theme or "-") + (f"+{a.theme2}" if a.theme2 else "") + (" *" if a.source == "analyst" else "")
        star = "● " if a.id in representatives else ""
        cells = [theme, f"{a.confidence:.2f}"] if themed else []
        table.add_row(a.id, *cells, star + texts.get(a.id, ""))


# ---------------------------------------------------------------- analyst commands


def _load(file: str, decisions: Path | None):
    from statementkit.errors import InputError
    from statementkit.themes.decisions import ThemeDecisions

    path = _paths(file, decisions)
    if path is None:
        raise InputError("analyst decisions need a file, not stdin", hint="pass --decisions PATH")
    return path, ThemeDecisions.load(path)


@contextmanager
def _editing(path: Path):
    """Name the decisions file in an edit the decisions refuse."""
    from statementkit.errors import ClusterEditError

    try:
        yield
    except ClusterEditError as e:
        hint = e.hint and e.hint.replace("run the themes stage first", "run `statementkit themes FILE` first")
        raise ClusterEditError(e.problem, path, hint=hint) from None


@app.command("pin")
@handle_errors
def pin(
    file: str = FILE_ARG,
    target: str = typer.Argument(..., help="Statement id (or cluster id with --cluster)."),
    theme: str = typer.Argument(..., help="Theme id from the taxonomy, or 'none'."),
    cluster: bool = typer.Option(False, "--cluster", help="TARGET is a cluster id."),
    taxonomy: Path = TAXONOMY_OPTION,
    rules: Path = RULES_OPTION,
    decisions: Path = DECISIONS_OPTION,
) -> None:
    """Pin a statement (or a whole cluster) to a theme; pinned statements teach the model.

    Example: statementkit themes pin corpus/paper-statements.jsonl aa-003 2
    """
    from statementkit.errors import InputError
    from statementkit.io import read_statements

    path, stored = _load(file, decisions)
    theme = _taxonomy(taxonomy, rules).check_theme(theme)
    if cluster:
        cid = _cluster_id(target)
        with _editing(path):
            stored.pin_cluster(cid, theme)
        what = f"cluster {cid}"
    else:
        statement = next((s for s in read_statements(file) if s.id == target), None)
        if statement is None:
            raise InputError(f"no statement with id '{target}'", file)
        stored.pin_statement(statement.id, theme, statement.text, statement.lang)
        what = f"statement {target}"
    stored.save(path)
    err_console().print(f"pinned {what} to theme {theme} ({path})")


@app.command("unpin")
@handle_errors
def unpin(
    file: str = FILE_ARG,
    target: str = typer.Argument(..., help="Statement id (or cluster id with --cluster)."),
    cluster: bool = typer.Option(False, "--cluster", help="TARGET is a cluster id."),
    decisions: Path = DECISIONS_OPTION,
) -> None:
    """Remove a pin: the model suggests the theme again.

    Example: statementkit themes unpin corpus/paper-statements.jsonl aa-003
    """
    path, stored = _load(file, decisions)
    if cluster:
        stored.unpin_cluster(_cluster_id(target))
    else:
        stored.unpin_statement(target)
    stored.save(path)
    err_console().print(f"unpinned {'cluster ' if cluster else ''}{target} ({path})")


@app.command("rename")
@handle_errors
def rename(
    file: str = FILE_ARG,
    cluster: int = typer.Argument(..., help="Cluster id."),
    label: str = typer.Argument(..., help="The new label."),
    decisions: Path = DECISIONS_OPTION,
) -> None:
    """Give a cluster the analyst's own label.

    Example: statementkit themes rename corpus/paper-statements.jsonl 0 "Climate footprint of AI"
    """
    path, stored = _load(file, decisions)
    with _editing(path):
        stored.rename(cluster, label)
    stored.save(path)
    err_console().print(f"cluster {cluster} is now labelled '{label}' ({path})")


@app.command("merge")
@handle_errors
def merge(
    file: str = FILE_ARG,
    cluster: int = typer.Argument(..., help="Cluster to merge away."),
    into: int = typer.Argument(..., help="Cluster that receives its statements."),
    decisions: Path = DECISIONS_OPTION,
) -> None:
    """Merge one cluster into another.

    Example: statementkit themes merge corpus/paper-statements.jsonl 3 1
    """
    path, stored = _load(file, decisions)
    with _editing(path):
        stored.merge(cluster, into)
    stored.save(path)
    err_console().print(f"cluster {cluster} merged into {into} ({path})")


@app.command("split")
@handle_errors
def split(
    file: str = FILE_ARG,
    cluster: int = typer.Argument(..., help="Cluster to split."),
    ids: list[str] = typer.Argument(..., help="Statement ids that move to a new cluster."),
    decisions: Path = DECISIONS_OPTION,
) -> None:
    """Move some statements out of a cluster into a new cluster of their own.

    Example: statementkit themes split corpus/paper-statements.jsonl 2 aa-030 aa-031
    """
    path, stored = _load(file, decisions)
    with _editing(path):
        new = stored.split(cluster, ids)
    stored.save(path)
    err_console().print(f"{len(ids)} statements moved from cluster {cluster} to new cluster {new} ({path})")


@app.command("review")
@handle_errors
def review(
    file: str = FILE_ARG,
    n: int = typer.Option(10, "-n", help="How many to show."),
    kind: str = typer.Option("statement", "--kind", help="statement, cluster or both."),
    taxonomy: Path = TAXONOMY_OPTION,
    rules: Path = RULES_OPTION,
    decisions: Path = DECISIONS_OPTION,
    model: str = MODEL_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List the statements (or clusters) whose theme the model is least sure about, least sure first.

    Confirm them with `statementkit themes pin`: each pin becomes an example
    and the suggestions for the rest improve.

    Example: statementkit themes review corpus/paper-statements.jsonl -n 5
    """
    from statementkit.errors import InputError
    from statementkit.themes.assign import least_certain

    if kind not in ("statement", "cluster", "both"):
        raise InputError(f"unknown --kind '{kind}'", hint="valid: statement, cluster, both")
    path, stored = _load(file, decisions)
    tax = _taxonomy(taxonomy, rules)
    if tax.empty:
        raise InputError("nothing to review: without a taxonomy there are no theme suggestions",
                         hint="rename the clusters instead (statementkit themes rename FILE CLUSTER LABEL)")
    result, statements = _run(file, tax, stored, model)
    stored.save(path)
    items = least_certain(result, n, kind, statements)
    if fmt is not Format.table:
        emit_records((u.to_dict() for u in items), fmt)
        return
    from rich.table import Table

    tax = result.taxonomy
    table = Table(title=f"least certain first ({len(items)} of {len(result.assignments)})", title_justify="left")
    for col in ("kind", "id", "suggested", "or", "conf", "text"):
        table.add_column(col, overflow="fold", ratio=1 if col == "text" else None)
    for u in items:
        table.add_row(u.kind, u.id, f"{u.theme} {tax.label(u.theme)}", (u.theme2 or "") and tax.label(u.theme2),
                      f"{u.confidence:.2f}", u.text)
    console().print(table)


def _cluster_id(value: str) -> int:
    from statementkit.errors import InputError

    try:
        return int(value)
    except ValueError:
        raise InputError(f"cluster ids are numbers, got '{value}'") from None
