"""The detail pane and the side-by-side duplicate comparison.

`item_view` turns a queue `Item` into one rich renderable: the text with its
flagged spans highlighted, each flag's message and suggestion, the duplicate
candidates with scores, the suggested theme, the decision and who holds it.
`CompareScreen` puts the statement and one candidate side by side, full width.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from statementkit.queue.items import Item
from statementkit.text.normalise import visible
from statementkit.tui.render import (
    VERDICT_STYLE,
    flag_text,
    highlight,
    score_text,
    status_text,
)

Labels = Callable[[str | None], str]


def section(title: str, hint: str = "") -> Text:
    t = Text(f"─ {title} ", style="bold")
    if hint:
        t.append(hint, style="dim")
    return t


def item_view(item: Item, theme_label: Labels, max_candidates: int = 3) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text(f"{item.id} ", style="bold")
    head.append_text(status_text(item.status, item.decided_by))
    head.append(f" · {item.statement.lang or '?'}", style="dim")
    if item.verdict:
        head.append(f" · {item.verdict}", style=VERDICT_STYLE.get(item.verdict, ""))
    if item.kind == "reference":
        head.append(" · published reference", style="dim")
    parts.append(head)
    if item.claimed_by:
        parts.append(Text(f"⚿ {item.claimed_by} is looking at this item", style="bold cyan"))
    if item.edited:
        parts.append(Text(visible(item.text)))
        parts.append(Text("original: ", style="dim") + highlight(item.original_text, item.flags))
    else:
        parts.append(highlight(item.text, item.flags))
    parts.append(Text(f"{len(item.text)} characters", style="dim"))
    if item.status != "pending" and item.kind == "submission":
        d = Text("decision: ", style="dim")
        d.append(", ".join(item.codes) or item.status)
        if item.merged_into:
            d.append(f" → merged into {item.merged_into}", style="magenta")
        if item.note:
            d.append(f" · “{item.note}”", style="italic")
        if item.decided_at:
            d.append(f" · {item.decided_at[:16].replace('T', ' ')}", style="dim")
        parts.append(d)
    if item.flags:
        parts.append(section("flags"))
        for f in item.flags:
            parts.append(Text("• ") + flag_text(f, item.original_text))
    if item.candidates:
        more = len(item.candidates) - max_candidates
        parts.append(section("duplicates", "c compare · m merge" + (f" · {more} more" if more > 0 else "")))
        for c in item.candidates[:max_candidates]:
            line = score_text(c.duplicate.score, c.duplicate.is_duplicate, c.duplicate.same_stance)
            line.append(f" {c.duplicate.id} ", style="bold")
            line.append_text(status_text(c.status or "?"))
            line.append(f"  {visible(c.text) if c.text else '(not in this queue)'}")
            parts.append(line)
    if item.group_members:
        parts.append(Text(f"near-duplicate group: {', '.join(item.group_members[:6])}"
                          f"{' …' if len(item.group_members) > 6 else ''} (D selects them)", style="dim"))
    if item.theme is not None:
        t = item.theme
        parts.append(section("theme", "t assign/confirm"))
        line = Text(f"{t.theme or '-'} {theme_label(t.theme)}", style="bold")
        src = {"analyst": "analyst", "cluster": "cluster pinned by analyst"}.get(t.source, f"suggested {t.confidence:.2f}")
        line.append(f"  ({src})", style="dim")
        if t.source in ("analyst", "cluster") and item.suggested_theme and item.suggested_theme != t.theme:
            line.append(f"  model: {item.suggested_theme} {theme_label(item.suggested_theme)}", style="dim")
        if t.theme2:
            line.append(f"  also {t.theme2} {theme_label(t.theme2)}", style="yellow")
        parts.append(line)
        if t.cluster is not None:
            parts.append(Text(f"cluster {t.cluster}" + (f" “{item.cluster_label}”" if item.cluster_label else ""),
                              style="dim"))
    if len(item.history) > (0 if item.status == "pending" else 1):
        parts.append(section("history"))
        for d in item.history[-4:]:
            undone = " (undone)" if d.undone_by else ""
            parts.append(Text(f"#{d.seq} {d.at[5:16].replace('T', ' ')} {d.who} {d.action}{undone} "
                              f"{','.join(d.codes)}", style="dim"))
    return Group(*parts)


class CompareScreen(Screen[str | None]):
    """The statement and one duplicate candidate side by side; `m` merges into the candidate."""

    BINDINGS = [
        Binding("escape,q,c", "close", "back"),
        Binding("down,j,right,l", "step(1)", "next candidate"),
        Binding("up,k,left,h", "step(-1)", "previous", show=False),
        Binding("m,enter", "merge", "merge into this one"),
    ]
    DEFAULT_CSS = "CompareScreen VerticalScroll { height: 1fr; }"

    def __init__(self, item: Item, can_merge: bool) -> None:
        super().__init__()
        self.item, self.i, self.can_merge = item, 0, can_merge

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="compare")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        c = self.item.candidates[self.i]
        title = Text(f"candidate {self.i + 1}/{len(self.item.candidates)}  score ", style="bold")
        title.append_text(score_text(c.duplicate.score, c.duplicate.is_duplicate, c.duplicate.same_stance))
        title.append("  duplicate" if c.duplicate.is_duplicate else "  similar, not a duplicate",
                     style="bold red" if c.duplicate.is_duplicate else "yellow")
        if not c.duplicate.same_stance:
            title.append("  opposite stance", style="cyan")
        if c.duplicate.reason:
            title.append(f"\n{c.duplicate.reason}", style="dim")
        table = Table(expand=True, show_lines=False)
        left = Text(f"{self.item.id} ", style="bold") + status_text(self.item.status)
        right = Text(f"{c.duplicate.id} ", style="bold") + status_text(c.status or "?")
        table.add_column(left, ratio=1)
        table.add_column(right, ratio=1)
        table.add_row(highlight(self.item.text, [] if self.item.edited else self.item.flags),
                      Text(visible(c.text) if c.text else "(not in this queue)"))
        self.query_one("#compare", Static).update(Group(title, table))

    def action_step(self, delta: int) -> None:
        self.i = (self.i + delta) % len(self.item.candidates)
        self._show()

    def action_merge(self) -> None:
        if not self.can_merge:
            self.notify(f"{self.item.id} is {self.item.status}; only pending items are merged here", severity="warning")
            return
        self.dismiss(self.item.candidates[self.i].duplicate.id)

    def action_close(self) -> None:
        self.dismiss(None)
