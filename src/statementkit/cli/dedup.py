"""`statementkit dedup FILE --against PUBLISHED`: near-duplicates, stance-aware."""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    RULES_OPTION,
    SKIP_EMPTY_OPTION,
    Format,
    console,
    emit_records,
    err_console,
    handle_errors,
    read_input,
)


@handle_errors
def dedup(
    file: str = typer.Argument(..., help="New statements: JSONL, CSV (id,text), pol.is comments.csv, or - for stdin."),
    against: str = typer.Option(None, "--against", "-a", show_default=False,
                                help="Published statements to compare with (same formats)."),
    model: str = typer.Option(None, "--model", "-m", show_default=False,
                              help="Embedding model: a registry id (statementkit models list), a "
                                   "sentence-transformers name or a local path (default: the registry default)."),
    threshold: float = typer.Option(None, "--threshold", "-t", show_default=False, min=0.0, max=1.0,
                                    help="Cosine at or above which a same-claim pair is a duplicate "
                                         "(default: the model's calibrated threshold)."),
    copies_only: bool = typer.Option(False, "--copies-only",
                                     help="Only exact and near-exact copies, without any model."),
    all_matches: bool = typer.Option(False, "--all", help="Table: also list statements without matches."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the embedding cache."),
    rules: Path = RULES_OPTION,
    skip_empty: bool = SKIP_EMPTY_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Find near-duplicates of each new statement among the published ones and within the batch.

    Exact and near-exact copies are found from the text alone; paraphrases and
    translations through a multilingual embedding model, then a second stage
    compares what the two statements claim: a pair that flips the stance
    ("should" / "should not", "allow" / "verbieten") is listed with
    same_stance false and is not a duplicate. Duplicates form groups, so a
    moderator can act on all of them at once.

    Example: statementkit dedup corpus/demo-submissions.jsonl --against corpus/paper-statements.jsonl
    """
    from statementkit.dedup.detect import DedupStats, find_duplicates
    from statementkit.rules import expected_languages
    from statementkit.text.language import with_languages

    new = read_input(file, skip_empty=skip_empty)
    published = read_input(against, skip_empty=skip_empty) if against else []
    languages = expected_languages(rules)
    new, published = with_languages(new, languages), with_languages(published, languages)
    embedder = None
    if not copies_only:
        from statementkit.embed import default_embedder

        embedder = default_embedder(model, cached=not no_cache)
    stats = DedupStats()
    with _progress(fmt is Format.table and not copies_only) as progress:
        results = find_duplicates(new, published, embedder=embedder, threshold=threshold, progress=progress,
                                  rules=rules, semantic=not copies_only, stats=stats)
    if fmt is not Format.table:
        emit_records((r.to_dict() for r in results), fmt)
        return
    _table(results, new, published, stats, all_matches)


class _progress:
    """A rich progress bar for the encode step (only on a terminal table run)."""

    def __init__(self, show: bool):
        self.show = show
        self.bar = None

    def __enter__(self):
        if not self.show:
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeRemainingColumn,
        )

        self.bar = Progress("encoding", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=err_console(), transient=True)
        self.bar.start()
        task = self.bar.add_task("encode", total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _table(results, new, published, stats, all_matches: bool) -> None:
    from rich.table import Table

    texts = {s.id: s.text for s in list(published) + list(new)}
    table = Table(title=f"Near-duplicates of {len(new)} statements against {len(published)} published "
                        f"({stats.duplicate_pairs} duplicate pairs, {stats.stance_flips} stance flips)",
                  title_justify="left")
    for name, opts in (("id", {"no_wrap": True}), ("group", {"justify": "right"}), ("match", {"no_wrap": True}),
                       ("score", {"justify": "right"}), ("verdict", {}), ("texts", {"ratio": 1})):
        table.add_column(name, **opts)
    for r in results:
        shown = [d for d in r.duplicates if d.is_duplicate or not d.same_stance]
        if not shown and not all_matches:
            continue
        if not shown:
            table.add_row(r.id, "", "-", "", "", texts.get(r.id, ""))
            continue
        for k, d in enumerate(shown[:3]):
            colour = "red" if d.is_duplicate else "yellow"
            verdict = f"[{colour}]{_escape(d.reason or ('duplicate' if d.is_duplicate else 'opposite stance'))}[/]"
            where = "" if d.published else " [dim](new)[/]"
            table.add_row(r.id if k == 0 else "", str(r.group or "") if k == 0 else "", d.id + where,
                          f"{d.score:.2f}", verdict,
                          (_escape(texts.get(r.id, "")) + "\n" if k == 0 else "") + "[dim]≈ " +
                          _escape(texts.get(d.id, "")) + "[/]")
        table.add_section()
    out = console()
    out.print(table)
    out.print(f"[dim]model search: {stats.method or 'copies only'}; {stats.candidate_pairs} candidate pairs; "
              f"encode {stats.encode_s:.1f}s, search {stats.search_s:.2f}s, claims {stats.claims_s:.2f}s[/]")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
