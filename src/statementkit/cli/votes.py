"""`statementkit votes CONVERSATION_DIR`: shares, categories and opinion groups of a pol.is export."""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    RULES_OPTION,
    Format,
    console,
    emit_records,
    handle_errors,
)


@handle_errors
def votes(
    conversation: Path = typer.Argument(..., metavar="CONVERSATION_DIR",
                                        help="A pol.is export folder: comments.csv + votes.csv or "
                                             "participants-votes.csv, or pol.is' API export (comments.json, "
                                             "votes.json, math-pca2.json)."),
    participants: bool = typer.Option(False, "--participants",
                                      help="One record per participant (group, x, y) instead of per statement."),
    no_groups: bool = typer.Option(False, "--no-groups", help="Skip the opinion groups (shares only)."),
    polis_start: bool = typer.Option(False, "--polis-clusters",
                                     help="Group pol.is' own participants from pol.is' own base clusters "
                                          "(API export with math-pca2.json) instead of computing them."),
    compare_polis: bool = typer.Option(False, "--compare-polis",
                                       help="Print, step by step, where our computation and pol.is' own "
                                            "(math-pca2.json) differ: participants, base clusters, k, groups, "
                                            "repness, consensus."),
    meta: str = typer.Option("", "--meta", metavar="IDS",
                             help="Statements pol.is' moderators marked meta (questions about the participants "
                                  "themselves), e.g. 1-14,20: left out of the groups, as pol.is does. pol.is' "
                                  "API export says which; its CSV export does not."),
    rules: Path = RULES_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Vote shares with confidence intervals, the paper's categories and pol.is-style opinion groups.

    Per statement: agree / disagree / pass counts and shares, a Wilson interval,
    and a category (consensus, rejection, friction, uncertainty, divided,
    too_few_votes, moderated_out) with thresholds from the rules' votes.toml.
    With --participants: each participant's opinion group (null when left out
    of the clustering for voting too little), the two PCA coordinates, and
    pol.is' own group when the export has it.

    Opinion groups follow pol.is' own computation step by step (rules' [groups]
    method = "polis"). With --compare-polis: one row per step, ours against pol.is'.

    Example: statementkit votes tests/fixtures/polis/london.youth.policing --meta 0-13 --format jsonl
    """
    from statementkit.votes.analysis import analyse_conversation, load_vote_rules
    from statementkit.votes.conversation import read_conversation

    conv = read_conversation(conversation)
    if meta:
        from statementkit.votes.conversation import parse_id_ranges, with_meta

        conv = with_meta(conv, parse_id_ranges(meta))
    if compare_polis:
        from statementkit.votes.compare import compare_with_polis

        steps = compare_with_polis(conv, load_vote_rules(rules))
        if fmt is not Format.table:
            emit_records((s.to_dict() for s in steps), fmt)
            return
        _comparison_table(conv.name, steps)
        return
    analysis = analyse_conversation(conv, load_vote_rules(rules), groups=not no_groups or participants,
                                    polis_start=polis_start)
    if participants:
        assert analysis.groups is not None
        records = analysis.groups.participant_records(conv.polis_groups if conv.polis_groups else None)
        if fmt is not Format.table:
            emit_records(records, fmt)
            return
        _participants_table(analysis.groups, records)
        return
    texts = {s.id: s.text for s in conv.statements}
    if fmt is not Format.table:
        emit_records(({**sv.to_dict(), "text": texts.get(sv.id, "")} for sv in analysis.statements), fmt)
        return
    _statements_table(conv.name, analysis, texts)


def _statements_table(name: str, analysis, texts: dict[str, str]) -> None:
    from rich.table import Table

    og = analysis.groups
    groups = f", {og.k} opinion groups of {', '.join(map(str, og.sizes))}" if og is not None and og.k else ""
    table = Table(title=f"{name}: {analysis.n_participants} participants, {analysis.n_votes} votes{groups}",
                  title_justify="left")
    for col, justify in (("id", "left"), ("n", "right"), ("agree [95% CI]", "right"), ("disagree", "right"),
                         ("pass", "right"), ("category", "left"), ("text", "left")):
        table.add_column(col, justify=justify, no_wrap=col != "text", ratio=1 if col == "text" else None,
                         overflow="fold", min_width=24 if col == "text" else None)
    for sv in analysis.statements:
        ci = f" [{sv.agree_ci[0] * 100:.0f}–{sv.agree_ci[1] * 100:.0f}]" if sv.agree_ci else ""
        table.add_row(sv.id, str(sv.n), f"{sv.agree_share:.0%}{ci}", f"{sv.disagree_share:.0%}",
                      f"{sv.pass_share:.0%}", (sv.category or "-").replace("_", " "), texts.get(sv.id, "")[:160])
    out = console()
    out.print(table)
    counts = analysis.category_counts()
    out.print("categories: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))


def _comparison_table(name: str, steps) -> None:
    from rich.table import Table

    table = Table(title=f"{name}: ours against pol.is' own math, step by step", title_justify="left")
    for col in ("step", "from", "same", "ours", "pol.is", "detail"):
        table.add_column(col, overflow="fold")
    for s in steps:
        table.add_row(s.step, s.start, "yes" if s.same else "NO", s.ours, s.polis, s.detail)
    out = console()
    out.print(table)
    out.print(f"{sum(s.same for s in steps)} of {len(steps)} steps the same as pol.is")


def _participants_table(og, records: list[dict]) -> None:
    from rich.table import Table

    has_polis = any("polis_group" in r for r in records)
    table = Table(title=f"{len(records)} participants, {og.n_clustered} clustered into {og.k} groups",
                  title_justify="left")
    for col in ("id", "group", "x", "y") + (("pol.is group",) if has_polis else ()):
        table.add_column(col, justify="left" if col == "id" else "right")
    for r in records:
        row = [r["id"], og.name(r["group"]) if r["group"] is not None else "-", f"{r['x']:.3f}", f"{r['y']:.3f}"]
        if has_polis:
            row.append(og.name(r["polis_group"]) if r.get("polis_group") is not None else "-")
        table.add_row(*row)
    console().print(table)
