"""Tables and panels that `statementkit queue show|log|stats` print (rich only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from statementkit.queue.items import Item, LogEntry
from statementkit.tui.render import flag_text, highlight, score_text, status_text


def print_item(out: Console, item: Item) -> None:
    head = Text(f"{item.id}  ", style="bold")
    if item.kind == "reference":
        head.append("published reference", style="green")
    else:
        head.append_text(status_text(item.status, item.decided_by))
    head.append(f"  {item.statement.lang or '?'}  verdict: {item.verdict or '-'}", style="dim")
    out.print(head)
    out.print(highlight(item.text, item.flags if not item.edited else []))
    if item.edited:
        out.print(Text("original: ", style="dim") + highlight(item.original_text, item.flags))
    if item.codes or item.note or item.merged_into:
        out.print(Text(f"decision: {', '.join(item.codes) or '-'}"
                       f"{'  into ' + item.merged_into if item.merged_into else ''}"
                       f"{'  note: ' + item.note if item.note else ''}", style="dim"))
    if item.flags:
        out.print(Text("flags", style="bold underline"))
        for f in item.flags:
            out.print(Text("  ") + flag_text(f, item.original_text))
    if item.candidates:
        table = Table(title="duplicate candidates", title_justify="left", expand=True)
        table.add_column("score", no_wrap=True)
        table.add_column("id", no_wrap=True)
        table.add_column("this statement", ratio=1)
        table.add_column("candidate", ratio=1)
        for c in item.candidates:
            table.add_row(score_text(c.duplicate.score, c.duplicate.is_duplicate, c.duplicate.same_stance),
                          Text(c.duplicate.id), Text(item.text), Text(c.text or "(not in the queue)"))
        out.print(table)
    if item.theme is not None:
        t = item.theme
        line = f"theme {t.theme or '-'} ({t.source})"
        if item.suggested_theme:
            line += f"  model: {item.suggested_theme}{' / ' + t.theme2 if t.theme2 else ''} ({t.confidence:.2f})"
        if t.cluster is not None:
            line += f"  cluster {t.cluster}" + (f" “{item.cluster_label}”" if item.cluster_label else "")
        out.print(Text(line))
    if item.claimed_by:
        out.print(Text(f"being looked at by {item.claimed_by}", style="yellow"))
    if item.history:
        out.print(log_table(item.history, title="history"))


def log_table(entries: Sequence[LogEntry], title: str = "audit log") -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("#", "at", "who", "action", "target", "codes", "change"):
        table.add_column(col, overflow="fold")
    for d in entries:
        change = f"{_state(d.before)} → {_state(d.after)}"
        if d.after.get("merged_into"):
            change += f" ({d.after['merged_into']})"
        action = d.action + (f" #{d.undoes}" if d.undoes else "") + (" (undone)" if d.undone_by else "")
        table.add_row(*(Text(x) for x in (str(d.seq), d.at[:16].replace("T", " "), d.who, action, d.target,
                                           ",".join(d.codes), change)))
    return table


def _state(snapshot: dict[str, Any]) -> str:
    value = snapshot.get("status", snapshot.get("value"))
    return "-" if value is None else str(value)


def stats_view(s: dict[str, Any]) -> Group:
    parts: list[Any] = [Text(f"{s['name']}: {s['submissions']} submissions, {s['published']} published "
                             f"({s['reference']} reference), {s['decisions']} log entries, {s['clusters']} clusters; "
                             f"stages run: {', '.join(s['stages']) or 'none'}", style="bold")]
    table = Table(show_header=False, box=None, padding=(0, 1, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key in ("status", "verdict", "flags", "reasons", "lang", "themes", "moderators"):
        if s[key] and set(s[key]) != {"-"}:
            table.add_row(Text(key), Text(" · ".join(f"{k}: {v}" for k, v in s[key].items())))
    parts.append(table)
    a = s.get("checker_vs_moderators") or {}
    if a:
        agree = a["both_accept"] + a["both_reject"]
        firm = a["decided"] - a["checker_review"]
        parts.append(Text(f"checker vs moderators: {agree}/{firm} firm verdicts agreed "
                          f"({a['checker_reject_moderator_accept']} rejected by the checker but accepted, "
                          f"{a['checker_accept_moderator_reject']} the other way; {a['checker_review']} left for "
                          "review)"))
    if "integrity" in s:
        parts.append(Text(f"integrity: {s['integrity']}"))
    return Group(*parts)
