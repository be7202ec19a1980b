"""`statementkit queue ...`: the triage queue for scripts (init, add, list, show, decide, undo, export, stats).

Each command opens the queue, calls one `statementkit.queue.Queue` method and
prints; `statementkit triage DB` is the interactive UI over the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    RULES_OPTION,
    Format,
    console,
    emit_records,
    err_console,
    handle_errors,
)

app = typer.Typer(
    help="The triage queue: one SQLite file per assembly with every result, decision and undo.\n\n"
         "Example: statementkit queue init assembly.db --published corpus/paper-statements.jsonl",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

DB = typer.Argument(..., metavar="DB", help="The queue's database file.")
WHO = typer.Option(None, "--who", help="Moderator name recorded with decisions (default: $STATEMENTKIT_USER or login).",
                   show_default=False)


def _open(db: Path, who: str | None = None):
    from statementkit.queue import Queue

    return Queue(db, who=who)


@app.command("init")
@handle_errors
def init(
    db: Path = DB,
    published: str = typer.Option(None, "--published", "-p", show_default=False,
                                  help="Published statements already in the assembly (any readable format): the "
                                       "reference for duplicates."),
    rules: Path = RULES_OPTION,
    name: str = typer.Option(None, "--name", help="Assembly name (default: from the rules).", show_default=False),
    who: str = WHO,
) -> None:
    """Create a queue for one assembly, optionally with its published statements.

    Example: statementkit queue init assembly.db --published corpus/paper-statements.jsonl
    """
    from statementkit.queue import Queue

    with Queue.create(db, published=published, rules=rules, name=name, who=who) as q:
        s = q.stats()
    err_console().print(f"created {db} for “{s['name']}” with {s['published']} published statements")


@app.command("add")
@handle_errors
def add(
    db: Path = DB,
    file: str = typer.Argument(..., help="Statements: JSONL, CSV (id,text), pol.is comments.csv, or - for stdin."),
    reference: bool = typer.Option(False, "--published", help="These are already published (reference), not "
                                                                "submissions to triage."),
    rules: Path = RULES_OPTION,
    skip_empty: bool = typer.Option(False, "--skip-empty", help="Drop rows without text (real pol.is exports "
                                                                 "have a few) instead of stopping."),
    id_prefix: str = typer.Option("", "--id-prefix", metavar="TEXT",
                                  help="Put TEXT before every id, e.g. 'energy:' to add a second pol.is "
                                       "conversation whose comment ids clash with the first's."),
    moderation: str = typer.Option(None, "--moderation", metavar="polis",
                                   help="Take the decisions already made: 'polis' reads a pol.is export's "
                                        "moderated column (1 accept, -1 reject, 0 pending) as decisions of "
                                        "--moderator, in the audit log like any other.", show_default=False),
    moderator: str = typer.Option("pol.is", "--moderator", help="Who made the imported decisions."),
    who: str = WHO,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Import submissions, running every available stage (language, checks, duplicates, themes) on them.

    Duplicates are looked for among everything published so far, including
    statements accepted in this queue. Re-importing a file skips ids already in.

    Example: statementkit queue add assembly.db corpus/demo-submissions.jsonl
    """
    with _open(db, who) as q:
        with err_console().status("screening…"):
            report = q.add(file, reference=reference, rules=rules, skip_empty=skip_empty, id_prefix=id_prefix,
                           moderation=moderation, moderator=moderator)
        summary = q.import_summary(report.added)
        name = q.stats()["name"]
    if fmt is not Format.table:
        emit_records([{**report.to_dict(), "summary": summary}], fmt)
        return
    what = "published statements" if reference else "submissions"
    skipped = f", skipped {len(report.skipped)} already in the queue" if report.skipped else ""
    out = console()
    out.print(f"added {len(report.added)} {what}{skipped} (stages: {', '.join(report.stages) or 'none'})")
    if reference or not report.added:
        return

    def counted(d: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"

    out.print(f"verdicts: {counted(summary['verdicts'])}")
    out.print(f"reason codes: {counted(summary['codes'])}")
    out.print(f"languages: {counted(summary['languages'])}")
    out.print(f"{summary['with_duplicates']} with near-duplicates; {summary['clusters']} clusters")
    off = summary["codes"].get("out_of_scope", 0)
    if off > summary["statements"] / 2:
        err_console().print(
            f"[yellow]warning:[/] {off} of {summary['statements']} ({off / summary['statements']:.0%}) are "
            f"out_of_scope under the rules of “{name}”. If this conversation is about something else, "
            "screen it with its own rules: --rules DIR, a copy of rules/ whose scope.toml describes it "
            "(`statementkit queue rescreen DB --rules DIR` re-screens what is pending).")


@app.command("rescreen")
@handle_errors
def rescreen(db: Path = DB, rules: Path = RULES_OPTION, who: str = WHO) -> None:
    """Run the stages again on every pending submission, against today's published statements.

    Example: statementkit queue rescreen assembly.db
    """
    with _open(db, who) as q:
        with err_console().status("screening…"):
            report = q.rescreen(rules)
    console().print(f"re-screened {len(report.added)} pending submissions (stages: {', '.join(report.stages)})")


@app.command("themes")
@handle_errors
def themes(db: Path = DB, rules: Path = RULES_OPTION, who: str = WHO, fmt: Format = FORMAT_OPTION) -> None:
    """Cluster the published and pending statements into themes again, keeping the analyst's decisions.

    Cluster ids stay stable for clusters that did not change; pins, renames and
    merges made in the analyst view (or `statementkit themes`) are applied.

    Example: statementkit queue themes assembly.db
    """
    with _open(db, who) as q:
        status = err_console().status("clustering…")
        with status:
            result = q.recluster(rules, progress=lambda stage, done, total: status.update(
                f"{stage} {done}/{total}…"))
        clusters = q.clusters()
    for note in result.uncarried:
        err_console().print(f"[yellow]not carried over:[/] {note}")
    if fmt is not Format.table:
        emit_records([c.to_dict() for c in clusters], fmt)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(result.assignments)} statements in {len(clusters)} clusters "
                        f"({result.outlier_share:.0%} unclustered)", title_justify="left")
    for col in ("id", "size", "theme", "", "label"):
        table.add_column(col, no_wrap=col != "label", overflow="fold")
    for c in clusters:
        table.add_row(Text(str(c.id)), Text(str(c.size)), Text(c.theme or "-"),
                      Text("✓" if c.confirmed else f"{c.confidence or 0:.2f}", style="green" if c.confirmed else "dim"),
                      Text(c.label or ""))
    console().print(table)


@app.command("list")
@handle_errors
def list_(
    db: Path = DB,
    status: str = typer.Option(None, "--status", "-s", show_default=False,
                               help="pending, accepted, rejected, edited, merged, decided, published or all."),
    code: str = typer.Option(None, "--code", "-c", help="A reason code among the flags or the decision.",
                             show_default=False),
    lang: str = typer.Option(None, "--lang", "-l", help="Language code.", show_default=False),
    theme: str = typer.Option(None, "--theme", "-t", help="Theme id, or - for none.", show_default=False),
    search: str = typer.Option(None, "--search", "-q", help="Text or id contains this (any case).",
                               show_default=False),
    verdict: str = typer.Option(None, "--verdict", help="accept, review or reject (the checker's).",
                                show_default=False),
    group: int = typer.Option(None, "--group", help="A group of mutual near-duplicates.", show_default=False),
    kind: str = typer.Option("submission", "--kind", help="submission, reference or all."),
    limit: int = typer.Option(None, "--limit", "-n", help="At most this many.", show_default=False),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List statements, filtered by status, reason code, language, theme or text.

    Example: statementkit queue list assembly.db --status pending --code jargon
    """
    from statementkit.queue import Filter

    flt = Filter(status=status, kind=kind, code=code, lang=lang, theme=theme, text=search, verdict=verdict,
                 group=group)
    with _open(db) as q:
        rows = q.list(flt, limit)
    if fmt is not Format.table:
        emit_records((r.to_dict() for r in rows), fmt)
        return
    from rich.table import Table
    from rich.text import Text

    from statementkit.tui.render import STATUS_STYLE, VERDICT_STYLE

    cells = [[Text(r.id), Text(r.status, style=STATUS_STYLE.get(r.status, "")), Text(r.lang or ""),
              Text(",".join(r.codes or r.flag_codes) or (r.verdict or ""),
                   style=VERDICT_STYLE.get(r.verdict or "", "")), Text(r.theme or ""), Text(r.text)]
             for r in rows]
    caps = {"id": 16, "codes": 22}
    names = ("id", "status", "lang", "codes", "theme")
    widths = [min(max([len(n), *(c[i].cell_len for c in cells)]), caps.get(n, 12)) for i, n in enumerate(names)]
    out = console()
    room = max(12, out.width - sum(widths) - 3 * (len(names) + 1) - 1)
    table = Table(title=f"{len(rows)} statements · {flt.describe()}", title_justify="left",
                  caption="codes: the decision's reason codes, else the checker's flags (coloured by verdict)",
                  caption_justify="left")
    for name, width in zip(names, widths):
        table.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
    table.add_column("text", no_wrap=True, overflow="ellipsis", max_width=room)
    for c in cells:
        c[-1].truncate(room, overflow="ellipsis")
        table.add_row(*c)
    out.print(table)


@app.command("show")
@handle_errors
def show(db: Path = DB, sid: str = typer.Argument(..., metavar="ID", help="Statement id."),
         fmt: Format = FORMAT_OPTION) -> None:
    """Everything about one statement: flags with spans, duplicate candidates, theme, history.

    Example: statementkit queue show assembly.db sub-02
    """
    with _open(db) as q:
        item = q.get(sid)
    if fmt is not Format.table:
        emit_records([item.to_dict()], fmt)
        return
    from statementkit.cli._queue_view import print_item

    print_item(console(), item)


@app.command("decide")
@handle_errors
def decide(
    db: Path = DB,
    action: str = typer.Argument(..., help="accept, reject, edit, merge or theme."),
    ids: list[str] = typer.Argument(..., metavar="ID...", help="Statement ids (one for edit), or - to read them "
                                                                "from stdin, one per line."),
    reason: list[str] = typer.Option([], "--reason", "-r", help="Reason code(s), repeatable or comma-separated; "
                                                                  "required to reject."),
    note: str = typer.Option(None, "--note", help="Free-text note kept with the decision.", show_default=False),
    text: str = typer.Option(None, "--text", help="The edited text (edit).", show_default=False),
    into: str = typer.Option(None, "--into", help="The canonical statement to merge into (merge).",
                             show_default=False),
    theme: str = typer.Option(None, "--theme", help="Theme id to assign (theme); 'none' = fits no theme.",
                              show_default=False),
    revise: bool = typer.Option(False, "--revise", help="Allow changing an item that is already decided."),
    skip: bool = typer.Option(False, "--skip-conflicts", help="Skip items others decided or hold, instead of "
                                                              "failing the whole batch."),
    who: str = WHO,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Decide one or more statements in one all-or-nothing transaction.

    Scripts can pipe ids in: `statementkit queue list DB --code duplicate -f jsonl | jq -r .id |
    statementkit queue decide DB reject - -r duplicate`.

    Example: statementkit queue decide assembly.db reject sub-02 --reason jargon --note "LoRA, zero-shot"
    """
    codes = [c for r in reason for c in r.split(",")]
    if ids == ["-"]:
        ids = [line.strip() for line in sys.stdin if line.strip()]
    with _open(db, who) as q:
        made, skipped = q.decide(ids, action, codes=codes, note=note, text=text, into=into, theme=theme,
                                 expect=None if revise else ("pending",), skip_conflicts=skip)
    if fmt is not Format.table:
        emit_records([d.to_dict() for d in made] + [{"id": s.id, "skipped": s.reason} for s in skipped], fmt)
        return
    out = console()
    for d in made:
        extra = f" ({', '.join(d.codes)})" if d.codes else ""
        out.print(f"#{d.seq} {d.action} {d.target}{extra}")
    for s in skipped:
        err_console().print(f"skipped {s.id}: {s.reason}")


@app.command("undo")
@handle_errors
def undo(db: Path = DB,
         seq: int = typer.Option(None, "--seq", help="Undo this decision (default: your latest).",
                                 show_default=False),
         who: str = WHO, fmt: Format = FORMAT_OPTION) -> None:
    """Undo your latest decision (a whole batch at once), or decision #SEQ of the audit log.

    Example: statementkit queue undo assembly.db
    """
    with _open(db, who) as q:
        done = q.undo(seq)
    if fmt is not Format.table:
        emit_records([d.to_dict() for d in done], fmt)
        return
    for d in done:
        console().print(f"#{d.seq} undid #{d.undoes}: {d.target} is {d.after.get('status', d.after.get('value'))} "
                        "again")


@app.command("log")
@handle_errors
def log(db: Path = DB, target: str = typer.Option(None, "--id", help="Only this statement.", show_default=False),
        limit: int = typer.Option(50, "--limit", "-n", help="The last N entries."),
        fmt: Format = FORMAT_OPTION) -> None:
    """The audit log: every decision and undo, who made it and when.

    Example: statementkit queue log assembly.db -n 20
    """
    with _open(db) as q:
        entries = q.log(target=target, limit=limit)
    if fmt is not Format.table:
        emit_records([d.to_dict() for d in entries], fmt)
        return
    from statementkit.cli._queue_view import log_table

    console().print(log_table(entries))


@app.command("export")
@handle_errors
def export(
    db: Path = DB,
    what: str = typer.Argument(..., help="published, statements (all, with their state), log or themes."),
    out: str = typer.Argument("-", metavar="OUT", help="Output file, or - for stdout."),
    to: str = typer.Option(None, "--to", show_default=False,
                           help="csv, jsonl, json; for published also polis (comments.csv) and polis-seed "
                                "(pol.is bulk upload); default: from OUT's extension, else csv."),
    new: bool = typer.Option(False, "--new", help="published: only statements accepted in this queue."),
) -> None:
    """Export the published set, every statement's state, the moderation log or the theme assignments.

    Example: statementkit queue export assembly.db published published.csv --to polis-seed
    """
    fmt = to or {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(Path(out).suffix.lower(), "csv")
    with _open(db) as q:
        from statementkit.queue.export import check_format

        check_format(what, fmt)
        if out == "-":
            q.export(what, sys.stdout, fmt, new_only=new)
            return
        with open(out, "w", encoding="utf-8", newline="") as fh:
            n = q.export(what, fh, fmt, new_only=new)
    err_console().print(f"wrote {n} records to {out} ({what}, {fmt})")


@app.command("stats")
@handle_errors
def stats(db: Path = DB, check: bool = typer.Option(False, "--check", help="Also run SQLite's integrity check."),
          fmt: Format = FORMAT_OPTION) -> None:
    """Counts by status, verdict, reason, language, theme and moderator.

    Example: statementkit queue stats assembly.db
    """
    with _open(db) as q:
        s = q.stats()
        if check:
            s["integrity"] = q.check() or "ok"
    if fmt is not Format.table:
        emit_records([s], fmt)
        return
    from statementkit.cli._queue_view import stats_view

    console().print(stats_view(s))
