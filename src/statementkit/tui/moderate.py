"""The moderator's screen: the queue on the left, everything about the current item on the right.

Single keys act on the current item, or on the selection when there is one
(space selects, D selects the near-duplicates of the current statement).
After a decision the cursor jumps to the next pending item nobody else is
looking at. Other sessions' decisions show up within a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from statementkit.errors import QueueError, listed
from statementkit.queue import Filter, Item, Queue
from statementkit.text.normalise import visible
from statementkit.tui.detail import CompareScreen, item_view
from statementkit.tui.listview import QueueList
from statementkit.tui.modals import (
    CLEAR,
    ConfirmModal,
    EditModal,
    FilterModal,
    HelpModal,
    PickStatementModal,
    ReasonModal,
    ThemeModal,
)
from statementkit.tui.render import STATUS_GLYPH, VERDICT_GLYPH, flag_text

POLL_S = 1.0
CLAIM_DELAY_S = 0.3
RENEW_S = 60.0

KEYS = [
    ("a", "accept"), ("r", "reject with reasons"), ("e", "edit (keeps original)"), ("m", "merge into a duplicate"),
    ("t", "assign / confirm theme"), ("u", "undo your last decision"), ("n", "next pending item"),
    ("c", "compare duplicates"), ("/", "search text"), ("f", "filter (status, code…)"),
    ("p", "pending only ↔ all"), ("space", "select / unselect"), ("D", "select near-duplicates"),
    ("esc", "clear selection"), ("↑↓ j k", "move"), ("PgUp PgDn", "page"), ("g G", "first / last"),
    ("tab", "scroll the detail pane"), ("v", "analyst view (themes)"), ("q", "quit"),
]


def legend() -> Text:
    t = Text("list marks: ", style="dim")
    for status, glyph in STATUS_GLYPH.items():
        t.append(f"{glyph} {status}  ")
    t.append("\nchecker's verdict: " + "  ".join(f"{g} {v}" for v, g in VERDICT_GLYPH.items()) +
             "  ≈ has duplicates\n⚿ another moderator is on it  ▌ selected", style="")
    return t


class ModerateScreen(Screen):
    BINDINGS = [
        Binding("a", "accept", "accept"),
        Binding("r", "reject", "reject"),
        Binding("e", "edit", "edit"),
        Binding("m", "merge", "merge"),
        Binding("t", "theme", "theme"),
        Binding("u", "undo", "undo"),
        Binding("n", "next", "next"),
        Binding("slash", "search", "search", key_display="/"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("f", "filter", "filter", show=False),
        Binding("c", "compare", "compare", show=False),
        Binding("space", "select", "select", show=False),
        Binding("D", "select_duplicates", "select dups", show=False),
        Binding("escape", "clear_selection", show=False),
        Binding("p", "toggle_pending", show=False),
        Binding("v", "app.analyst", "analyst", show=False),
        Binding("q", "app.quit", "quit", show=False),
    ]
    DEFAULT_CSS = """
    #header { height: 1; background: $boost; padding: 0 1; }
    #panes { height: 1fr; }
    QueueList { width: 40%; min-width: 28; border-right: vkey $primary-darken-2; }
    #detail-scroll { width: 1fr; padding: 0 1; }
    """

    def __init__(self, queue: Queue, flt: Filter | None = None) -> None:
        super().__init__()
        self.q = queue
        self.flt = flt or Filter(status="pending")
        self.item: Item | None = None
        self._labels = {tid: label for tid, label, _ in queue.taxonomy()}
        self._claimed: str | None = None
        self._anchor: str | None = None  # the statement whose near-duplicates D selected
        self._claim_timer: Timer | None = None
        self._dv = -1

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with Horizontal(id="panes"):
            yield QueueList(self.q.rows, id="list")
            with VerticalScroll(id="detail-scroll"):
                yield Static(id="detail")
        yield Footer()

    @property
    def list(self) -> QueueList:
        return self.query_one(QueueList)

    def on_mount(self) -> None:
        self.list.focus()
        self.reload()
        row = self.list.current
        if row is not None and (row.claimed_by or row.status != "pending"):
            self._advance(0)  # start where nobody else is working
        self._dv = self._safe(self.q.data_version, -1)
        self.set_interval(POLL_S, self.poll)
        self.set_interval(RENEW_S, self._renew_claim)

    def theme_label(self, tid: str | None) -> str:
        if tid is None:
            return ""
        return "fits no theme" if tid == "none" else self._labels.get(tid, "")

    # ------------------------------------------------------------ data

    def _safe(self, fn: Callable[..., Any], default: Any = None, *args: Any, **kw: Any) -> Any:
        """Run a queue call; a QueueError becomes a notification, never a crash."""
        try:
            return fn(*args, **kw)
        except QueueError as e:
            self.notify(str(e), severity="error", timeout=6)
            return default

    def reload(self, keep: int | None = None) -> None:
        """Re-read the list for the current filter, keeping the cursor on `keep` (a seq)."""
        seqs = self._safe(self.q.seqs, [], self.flt)
        self.list.set_seqs(seqs, keep if keep is not None else self.list.current_seq)
        self.show_detail()

    def show_detail(self) -> None:
        row = self.list.current
        self.item = self._safe(self.q.get, None, row.id) if row else None
        detail = self.query_one("#detail", Static)
        if self.item is None:
            detail.update(Text(f"Nothing to show in this view ({self.flt.describe()}).\n\n"
                               "p  show all submissions\nf  change the filter\n?  every key", style="dim"))
        else:
            detail.update(item_view(self.item, self.theme_label))
        self.update_header()

    def update_header(self) -> None:
        counts = self._safe(self.q.counts, {})
        total = sum(counts.values())
        state = Text(f"{counts.get('pending', 0)} pending/{total} · ")
        state.append(f"{self.flt.describe()} ({len(self.list.seqs)})", style="cyan")
        if self.list.selected:
            state.append(f" · {len(self.list.selected)} selected", style="bold magenta")
        state.append(f" · {self.q.who}", style="dim")
        # the assembly's name gives way first: the counts and the selection are what the moderator acts on
        width = max(10, self.size.width - 2)
        t = Text(self.q.name, style="bold")
        t.truncate(max(8, width - state.cell_len - 1), overflow="ellipsis")
        t.append(" ")
        t.append_text(state)
        t.truncate(width, overflow="ellipsis")
        self.query_one("#header", Static).update(t)

    def on_queue_list_moved(self, message: QueueList.Moved) -> None:
        self.show_detail()
        if self._claim_timer is not None:
            self._claim_timer.stop()
        self._claim_timer = self.set_timer(CLAIM_DELAY_S, self._claim_current)

    def poll(self) -> None:
        """Pick up other sessions' decisions (SQLite's data_version changes on their commits)."""
        dv = self._safe(self.q.data_version, self._dv)
        if dv != self._dv:
            self._dv = dv
            self.list.invalidate()
            self.reload()

    # ------------------------------------------------------------ claims

    def _claim_current(self) -> None:
        row = self.list.current
        want = row.id if row is not None and row.status == "pending" and row.kind == "submission" else None
        if self._claimed and self._claimed != want:
            self._safe(self.q.release, None, [self._claimed])
            self._claimed = None
        if want is None or want == self._claimed:
            return
        holder = self._safe(self.q.claim, "?", want)
        if holder is None:
            self._claimed = want
        elif self.item is not None and self.item.id == want and self.item.claimed_by != holder:
            self.show_detail()

    def _renew_claim(self) -> None:
        if self._claimed:
            self._safe(self.q.claim, None, self._claimed)

    # ------------------------------------------------------------ targets

    def targets(self) -> list[str]:
        if self.list.selected:
            order = {r.id: r.seq for r in self.list._rows.values()}
            return sorted(self.list.selected, key=lambda sid: order.get(sid, 0))
        return [self.item.id] if self.item is not None else []

    def _decide(self, ids: Sequence[str], action: str, done: str, **kw: Any) -> None:
        """Decide; a single item that is already decided asks before revising it."""
        if not ids:
            return
        if len(ids) == 1 and self.item is not None and self.item.id == ids[0] and self.item.status != "pending":
            it = self.item
            question = (f"{it.id} is already {it.status}" + (f" by {it.decided_by}" if it.decided_by else "") +
                        f". Change it ({action})?")
            self.app.push_screen(ConfirmModal(question),
                                 lambda yes: yes and self._apply(ids, action, done, expect=None, **kw))
            return
        self._apply(ids, action, done, **kw)

    def _apply(self, ids: Sequence[str], action: str, done: str, **kw: Any) -> None:
        batch = len(ids) > 1
        result = self._safe(self.q.decide, None, list(ids), action, skip_conflicts=batch, **kw)
        if result is None:
            return
        made, skipped = result
        msg = f"{done} {made[0].target if len(made) == 1 else f'{len(made)} statements'}" if made else "nothing done"
        if made and action == "merge" and kw.get("into"):
            msg += f" into {kw['into']}"
        if made and made[0].codes:
            msg += f" ({', '.join(made[0].codes)})"
        if skipped:
            msg += f"; skipped {len(skipped)}: {skipped[0].reason}"
        self.notify(msg, severity="warning" if skipped else "information", timeout=4)
        self.list.selected.clear()
        self._anchor = None
        last = self.q.seq_of(made[-1].target) if made else self.list.current_seq
        self.list.invalidate()
        self.reload(keep=last)
        if action != "theme":
            self._advance(last)

    def _advance(self, after: int | None) -> None:
        sid = self._safe(self.q.claim_next, None, after or 0, self.list.seqs)
        if sid is None:
            return
        self._claimed = sid
        seq = self.q.seq_of(sid)
        if seq is not None and self.list.go_to_seq(seq):
            self.show_detail()

    # ------------------------------------------------------------ actions

    def action_accept(self) -> None:
        self._decide(self.targets(), "accept", "accepted")

    def action_reject(self) -> None:
        ids = self.targets()
        if not ids:
            return
        flagged: dict[str, str] = {}
        for sid in ids[:50]:
            item = self.item if self.item is not None and self.item.id == sid else self._safe(self.q.get, None, sid,
                                                                                              False)
            for f in item.flags if item else []:
                flagged.setdefault(f.code, f.message)
        named = listed(ids)
        # a batch names exactly what it will change
        title = f"Reject {ids[0] if len(ids) == 1 else f'{len(ids)} statements ({named})'} because…"
        pre = ["duplicate"] if self._anchor else list(flagged)

        def done(answer: tuple[list[str], str | None] | None) -> None:
            if answer:
                self._decide(ids, "reject", "rejected", codes=answer[0], note=answer[1])

        self.app.push_screen(ReasonModal(title, pre, flagged), done)

    def action_edit(self) -> None:
        if self.item is None:
            return
        if self.list.selected:
            self.notify("edit works on one statement; esc clears the selection", severity="warning")
            return
        item = self.item
        hints = [Text("• ") + flag_text(f, item.original_text) for f in item.flags if f.suggestion or f.span]

        def done(text: str | None) -> None:
            if text:
                self._decide([item.id], "edit", "edited", text=text)

        self.app.push_screen(EditModal(item.text, hints=hints, check=self._draft_checker(item.statement.lang)), done)

    def _draft_checker(self, lang: str | None) -> Callable[[str], list] | None:
        """The criteria checker for drafts, when the checks stage is installed (None otherwise)."""
        try:
            from statementkit.checks import check
        except ImportError:
            return None
        rules = self.q.rules
        from statementkit.records import Statement

        return lambda text: check([Statement("draft", text, lang)], rules)[0].flags

    def action_merge(self) -> None:
        if self.item is None:
            return
        if self.list.selected:
            into = self._anchor or self.item.id
            ids = [i for i in self.targets() if i != into]
            if not ids:
                return
            target = self._safe(self.q.get, None, into, False)
            # a merge points at a published statement: keeping a pending one means accepting it first
            accept_first = target is not None and target.status == "pending"
            names = listed(ids, 6)
            question = (f"{'Accept ' + into + ' and merge' if accept_first else 'Merge'} {len(ids)} selected "
                        f"statement{'s' * (len(ids) > 1)} ({names}) into {'it' if accept_first else into}?")

            def go(yes: bool) -> None:
                if not yes:
                    return
                if accept_first and self._safe(self.q.decide, None, [into], "accept") is None:
                    return
                self._apply(ids, "merge", "merged", into=into)

            self.app.push_screen(ConfirmModal(question), go)
            return
        if self.item.candidates:
            self.action_compare(merge=True)
            return
        item = self.item

        def search(text: str):
            return self._safe(self.q.list, [], Filter(status="published", kind="all", text=text or None), 40)

        def confirm(into: str | None) -> None:
            if not into:
                return
            target = self._safe(self.q.get, None, into)
            quoted = f": “{visible(target.text[:90])}”" if target is not None else ""
            self.app.push_screen(ConfirmModal(f"Merge {item.id} into {into}{quoted}?"),
                                 lambda yes: yes and self._decide([item.id], "merge", "merged", into=into))

        self.app.push_screen(PickStatementModal(f"Merge {item.id} into which published statement?", search,
                                                item.id), confirm)

    def action_compare(self, merge: bool = False) -> None:
        item = self.item
        if item is None or not item.candidates:
            self.notify("no duplicate candidates for this statement", severity="warning")
            return
        self.app.push_screen(CompareScreen(item, can_merge=item.status == "pending" or merge),
                             lambda into: into and self._decide([item.id], "merge", "merged", into=into))

    def action_theme(self) -> None:
        ids = self.targets()
        if not ids or self.item is None:
            return
        themes = self._safe(self.q.taxonomy, [])
        if not themes:
            self.notify("this queue has no taxonomy (rules/taxonomy.toml) to choose from", severity="warning")
            return
        t = self.item.theme
        title = f"Theme for {ids[0] if len(ids) == 1 else f'{len(ids)} statements'}"

        def done(tid: str | None) -> None:
            if tid is not None:
                self._apply(ids, "theme", "theme set for", theme=None if tid == CLEAR else tid)

        self.app.push_screen(ThemeModal(title, themes, self.item.suggested_theme, t.theme if t else None,
                                        pinned=bool(t and t.source == "analyst")), done)

    def action_undo(self) -> None:
        done = self._safe(self.q.undo)
        if not done:
            return
        d = done[-1]
        what = d.target if len(done) == 1 else f"{len(done)} statements"
        self.notify(f"undid {d.before.get('status', 'theme')} → {d.after.get('status', 'previous')} of {what}")
        self.list.invalidate()
        self.reload(keep=self._safe(self.q.seq_of, None, d.target))

    def action_next(self) -> None:
        cur = self.list.current_seq
        sid = self._safe(self.q.claim_next, None, cur or 0, self.list.seqs)
        if sid is None:
            self.notify("no pending item left in this view that nobody else is on")
            return
        self._claimed = sid
        seq = self.q.seq_of(sid)
        if seq is not None:
            self.list.go_to_seq(seq)
            self.show_detail()

    def _langs_themes(self) -> tuple[list[str], list[str]]:
        s = self._safe(self.q.stats, {}) or {}
        return [k for k in s.get("lang", {}) if k != "-"], [t[0] for t in self._safe(self.q.taxonomy, [])]

    def action_filter(self, text_only: bool = False) -> None:
        langs, themes = self._langs_themes()

        def done(flt: Filter | None) -> None:
            if flt is not None:
                self.flt = flt
                self.list.selected.clear()
                self.reload()

        self.app.push_screen(FilterModal(self.flt, langs, themes, text_only), done)

    def action_search(self) -> None:
        self.action_filter(text_only=True)

    def action_toggle_pending(self) -> None:
        self.flt = replace(self.flt, status=None if self.flt.status == "pending" else "pending")
        self.reload()

    def action_select(self) -> None:
        self._anchor = None
        self.list.toggle_selected()
        self.list.action_move(1)
        self.update_header()

    def action_select_duplicates(self) -> None:
        """Select the pending near-duplicates of one statement, for a batch reject or merge.

        When the current item duplicates a published statement, that statement is
        the anchor and everything pending that duplicates it is selected (the
        current item too). Otherwise the current item is the anchor and stays out
        of the selection: its near-duplicates are the ones to go.
        """
        item = self.item
        if item is None:
            return
        published = [c.duplicate.id for c in item.candidates
                     if c.duplicate.is_duplicate and c.status in ("accepted", "edited")]
        if published:
            anchor = published[0]
            found = list(self._safe(self.q.near_duplicates_of, [], anchor))
            if item.status == "pending" and item.kind == "submission":
                found.insert(0, item.id)
        else:
            anchor = item.id
            found = list(self._safe(self.q.near_duplicates_of, [], anchor))
            found += [c.duplicate.id for c in item.candidates if c.duplicate.is_duplicate and c.status == "pending"]
        found = [sid for sid in dict.fromkeys(found) if sid != anchor]
        if not found:
            self.notify("no pending near-duplicates of this statement", severity="warning")
            return
        self.list.selected = set(found)
        self.list.refresh()
        self.update_header()
        self._anchor = anchor
        self.notify(f"selected {len(found)} near-duplicate{'s' if len(found) > 1 else ''} of {anchor}: "
                    f"r rejects, m merges into {anchor}, esc clears")

    def action_clear_selection(self) -> None:
        self._anchor = None
        if self.list.selected:
            self.list.selected.clear()
            self.list.refresh()
            self.update_header()

    def action_help(self) -> None:
        self.app.push_screen(HelpModal("Triage keys", KEYS, legend()))

    def on_unmount(self) -> None:
        if self._claimed:
            self._safe(self.q.release, None, [self._claimed])
