"""The analyst's screen: work through clusters, confirm or override their themes, per cluster or per statement.

Clusters come from the themes stage (least settled first); the decisions are
the same stored theme decisions the themes stage reads on its next run. With
no clusters yet, the published statements are listed on their own so themes
can still be confirmed one by one.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from statementkit.errors import QueueError, StatementkitError
from statementkit.queue import ClusterInfo, Queue
from statementkit.tui.modals import CLEAR, HelpModal, PromptModal, ThemeModal

KEYS = [
    ("c enter", "confirm the suggested theme"), ("t", "choose another theme"), ("r", "rename the cluster"),
    ("M", "merge cluster into another"), ("S", "split statements out into a new cluster"),
    ("n", "next unconfirmed cluster"), ("u", "undo"),
    ("R", "re-run the themes stage"),
    ("tab", "clusters ↔ statements"), ("↑↓ j k", "move"), ("v esc", "back to moderation"), ("q", "quit"),
]


class AnalystScreen(Screen):
    BINDINGS = [
        Binding("c", "confirm", "confirm"),
        Binding("t", "theme", "theme"),
        Binding("r", "rename", "rename"),
        Binding("n", "next", "next"),
        Binding("u", "undo", "undo"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("M", "merge", "merge", show=False),
        Binding("S", "split", "split", show=False),
        Binding("R", "recluster", "recluster", show=False),
        Binding("v,escape", "app.moderate", "moderate", show=False),
        Binding("q", "app.quit", "quit", show=False),
        Binding("j", "cursor(1)", show=False),
        Binding("k", "cursor(-1)", show=False),
    ]
    DEFAULT_CSS = """
    #a-header { height: 1; background: $boost; padding: 0 1; }
    #left { width: 34%; min-width: 24; height: 1fr; border-right: vkey $primary-darken-2; }
    #cluster-head { height: 1; color: $text-muted; }
    #clusters { height: 1fr; border: none; }
    #right { width: 1fr; }
    #cluster-info { height: auto; max-height: 50%; padding: 0 1; }
    #members { height: 1fr; border: none; border-top: hkey $primary-darken-2; }
    """

    def __init__(self, queue: Queue) -> None:
        super().__init__()
        self.q = queue
        self.clusters: list[ClusterInfo] = []
        self.members: list[dict[str, Any]] = []
        self._labels = {tid: label for tid, label, _ in queue.taxonomy()}
        self._reclustering = False  # a themes run is in progress (R)
        self._head = Text()  # the header without the progress of a run

    def compose(self) -> ComposeResult:
        yield Static(id="a-header")
        with Horizontal():
            with Vertical(id="left"):
                yield Static(Text(" ✓ id theme   n label", style="bold"), id="cluster-head")
                yield OptionList(id="clusters")
            with Vertical(id="right"):
                yield Static(id="cluster-info")
                yield OptionList(id="members")
        yield Footer()

    def label(self, tid: str | None) -> str:
        if tid is None:
            return "-"
        return f"{tid} {'fits no theme' if tid == 'none' else self._labels.get(tid, '')}".strip()

    def _safe(self, fn, default=None, *args, **kw):
        try:
            return fn(*args, **kw)
        except QueueError as e:
            self.notify(str(e), severity="error", timeout=6)
            return default

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#clusters" if self.clusters else "#members", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        self.call_after_refresh(self.reload)

    # ------------------------------------------------------------ data

    def reload(self, keep_cluster: int | None = None, keep_member: str | None = None) -> None:
        cl = self.query_one("#clusters", OptionList)
        current = self.current_cluster
        keep_cluster = keep_cluster if keep_cluster is not None else (current.id if current else None)
        self.clusters = self._safe(self.q.clusters, []) or []
        cl.clear_options()
        width = max(12, (cl.scrollable_content_region.width or 26) - 2)
        for c in self.clusters:
            t = Text("✓" if c.confirmed else " ", style="green")
            t.append(f"{c.id:>3} ", style="bold")
            t.append(f"{c.theme or '-':>4}", style="green" if c.confirmed else "yellow")
            t.append(f" {c.size:>3} ", style="dim")
            if c.merged_into is not None:
                t.append(f"⇢{c.merged_into} ", style="magenta")
            t.append(c.label or ", ".join(c.keywords[:3]) or "-")
            t.truncate(width, overflow="ellipsis")
            cl.add_option(Option(t, id=str(c.id)))
        if self.clusters:
            ids = [c.id for c in self.clusters]
            cl.highlighted = ids.index(keep_cluster) if keep_cluster in ids else 0
        self.show_cluster(keep_member)
        done = sum(c.confirmed for c in self.clusters)
        head = Text("Analyst · themes ", style="bold")
        head.append(f"{done}/{len(self.clusters)} clusters confirmed · {self.q.who}" if self.clusters else
                    "no clusters yet · published statements one by one")
        cl.display = bool(self.clusters)
        self._head = head
        self.query_one("#a-header", Static).update(head)

    def _progress(self, stage: str, done: int, total: int) -> None:
        """The running themes stage in the header, until it is done (it takes seconds to minutes)."""
        head = Text.assemble(self._head, " · ")
        step = f"{stage} {done}/{total}" if stage == "encode" and total else stage
        head.append(f"re-running the themes stage: {step}…", style="bold yellow")
        self.query_one("#a-header", Static).update(head)

    @property
    def current_cluster(self) -> ClusterInfo | None:
        cl = self.query_one("#clusters", OptionList)
        if cl.highlighted is None or not self.clusters or cl.highlighted >= len(self.clusters):
            return None
        return self.clusters[cl.highlighted]

    @property
    def current_member(self) -> dict[str, Any] | None:
        ml = self.query_one("#members", OptionList)
        if ml.highlighted is None or ml.highlighted >= len(self.members):
            return None
        return self.members[ml.highlighted]

    def show_cluster(self, keep_member: str | None = None) -> None:
        c = self.current_cluster
        info = self.query_one("#cluster-info", Static)
        if c is None:
            info.update(Text("Published statements and their themes, least sure first.\n"
                             "c confirms the suggested theme, t picks another; R clusters them (themes stage).",
                             style="dim"))
        else:
            parts = [Text(f"cluster {c.id}: {c.label or '-'}" + (" (renamed)" if c.renamed else ""), style="bold")]
            if c.keywords:
                parts.append(Text("keywords: " + ", ".join(c.keywords[:8]), style="dim"))
            line = Text("theme: ")
            line.append(self.label(c.theme), style="bold green" if c.confirmed else "bold yellow")
            line.append(" confirmed" if c.confirmed else f" suggested ({(c.confidence or 0):.2f})", style="dim")
            if c.confirmed and c.suggested != c.theme:
                line.append(f"  model: {self.label(c.suggested)}", style="dim")
            if c.theme2:
                line.append(f"  also {self.label(c.theme2)}", style="yellow")
            parts.append(line)
            if c.merged_into is not None:
                parts.append(Text(f"merged into cluster {c.merged_into}", style="magenta"))
            texts = {m["id"]: m["text"] for m in self._safe(self.q.cluster_members, [], c.id)}
            for rep in c.representatives[:3]:
                t = Text("» ", style="dim")
                t.append(texts.get(rep, rep))
                t.truncate(max(20, (self.size.width or 80) * 2), overflow="ellipsis")
                parts.append(t)
            info.update(Group(*parts))
        self._fill_members(c.id if c else None, keep_member)

    def _fill_members(self, cluster: int | None, keep: str | None) -> None:
        ml = self.query_one("#members", OptionList)
        self.members = self._safe(self.q.cluster_members, [], cluster) or []
        ml.clear_options()
        for m in self.members:
            t = Text("✓ " if m["source"] == "analyst" else "  ", style="green")
            t.append(f"{m['theme'] or '-':>4} ", style="bold" if m["source"] == "analyst" else "yellow")
            t.append(f"{m['id']} ", style="bold")
            t.append(m["text"].replace("\n", " "))
            t.no_wrap, t.overflow = True, "ellipsis"
            ml.add_option(Option(t, id=m["id"]))
        if self.members:
            ids = [m["id"] for m in self.members]
            ml.highlighted = ids.index(keep) if keep in ids else 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "clusters":
            self.show_cluster()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_confirm()

    # ------------------------------------------------------------ actions

    @property
    def on_members(self) -> bool:
        return self.focused is self.query_one("#members", OptionList) or not self.clusters

    def action_cursor(self, delta: int) -> None:
        ol = self.focused if isinstance(self.focused, OptionList) else self.query_one("#clusters", OptionList)
        ol.action_cursor_down() if delta > 0 else ol.action_cursor_up()

    def action_confirm(self) -> None:
        if self.on_members:
            m = self.current_member
            if m is None:
                return
            theme = m["suggested"] or m["theme"]
            if theme is None:
                self.action_theme()
                return
            if self._safe(self.q.set_theme, None, [m["id"]], theme) is not None:
                self.notify(f"{m['id']}: theme {self.label(theme)} confirmed")
            self.reload(keep_member=m["id"])
            self._next_member()
            return
        c = self.current_cluster
        if c is None:
            return
        if c.suggested is None:
            self.action_theme()
            return
        if self._safe(self.q.decide_cluster, None, c.id, "cluster_theme", c.suggested) is not None:
            self.notify(f"cluster {c.id}: theme {self.label(c.suggested)} confirmed")
        self.reload(keep_cluster=c.id)
        self.action_next()

    def _next_member(self) -> None:
        ml = self.query_one("#members", OptionList)
        if ml.highlighted is not None and ml.highlighted + 1 < len(self.members):
            ml.highlighted += 1

    def action_theme(self) -> None:
        themes = self._safe(self.q.taxonomy, []) or []
        if not themes:
            self.notify("this queue has no taxonomy to choose from", severity="warning")
            return
        if self.on_members:
            m = self.current_member
            if m is None:
                return

            def done_member(tid: str | None) -> None:
                if tid is not None:
                    self._safe(self.q.set_theme, None, [m["id"]], None if tid == CLEAR else tid)
                    self.reload(keep_member=m["id"])

            self.app.push_screen(ThemeModal(f"Theme for {m['id']}", themes, m["suggested"], m["theme"],
                                            pinned=m["source"] == "analyst"), done_member)
            return
        c = self.current_cluster
        if c is None:
            return

        def done_cluster(tid: str | None) -> None:
            if tid is not None:
                self._safe(self.q.decide_cluster, None, c.id, "cluster_theme", None if tid == CLEAR else tid)
                self.reload(keep_cluster=c.id)

        self.app.push_screen(ThemeModal(f"Theme for cluster {c.id} ({c.size} statements)", themes, c.suggested,
                                        c.theme, pinned=c.confirmed), done_cluster)

    def action_rename(self) -> None:
        c = self.current_cluster
        if c is None:
            return

        def done(label: str | None) -> None:
            if label:
                self._safe(self.q.decide_cluster, None, c.id, "cluster_label", label)
                self.reload(keep_cluster=c.id)

        self.app.push_screen(PromptModal(f"Label for cluster {c.id}", c.label or ""), done)

    def action_merge(self) -> None:
        c = self.current_cluster
        if c is None:
            return

        def done(target: str | None) -> None:
            if not target:
                return
            if not target.isdigit() or int(target) == c.id:
                self.notify("give the number of another cluster", severity="warning")
                return
            self._safe(self.q.decide_cluster, None, c.id, "cluster_merge", target)
            self.reload(keep_cluster=c.id)

        self.app.push_screen(PromptModal(f"Merge cluster {c.id} into cluster number…"), done)

    def action_split(self) -> None:
        """Split statements (the highlighted one by default) out of this cluster into a new one."""
        c = self.current_cluster
        if c is None:
            return
        m = self.current_member

        def done(answer: str | None) -> None:
            if not answer:
                return
            ids = answer.replace(",", " ").split()
            d = self._safe(self.q.split_cluster, None, c.id, ids)
            if d is not None:
                new = d.target.removeprefix("cluster:")
                self.notify(f"{len(ids)} statement{'s' * (len(ids) > 1)} of cluster {c.id} → new cluster {new}; "
                            "R re-runs the themes stage to apply it", timeout=6)
                self.reload(keep_cluster=c.id)

        self.app.push_screen(PromptModal(f"Split out of cluster {c.id} into a new cluster: statement ids",
                                         m["id"] if m else ""), done)

    def action_next(self) -> None:
        cl = self.query_one("#clusters", OptionList)
        start = (cl.highlighted or 0)
        n = len(self.clusters)
        for step in range(1, n + 1):
            i = (start + step) % n
            if not self.clusters[i].confirmed and self.clusters[i].merged_into is None:
                cl.highlighted = i
                return
        if n:
            self.notify("every cluster is confirmed")

    def action_undo(self) -> None:
        done = self._safe(self.q.undo)
        if done:
            self.notify(f"undid {done[-1].target}")
            self.reload()

    def action_recluster(self) -> None:
        """Run the themes stage again in the background (it loads the embedding model: seconds)."""
        if self._reclustering:
            self.notify("the themes stage is already running")
            return
        self._reclustering = True
        self._progress("loading the model", 0, 0)  # shown in the header until the run is done
        self._recluster_worker()

    @work(thread=True, exclusive=True, group="recluster")
    def _recluster_worker(self) -> None:
        try:
            with Queue(self.q.path, who=self.q.who) as q:  # its own connection: this runs in a thread
                result = q.recluster(progress=lambda stage, done, total: self.app.call_from_thread(
                    self._progress, stage, done, total))
            message, severity = (f"themes: {len(result.clusters)} clusters, "
                                 f"{result.outlier_share:.0%} of statements unclustered"), "information"
            if result.uncarried:
                message += f"; {len(result.uncarried)} decisions not carried over: " + "; ".join(result.uncarried)
                severity = "warning"
        except (StatementkitError, ImportError) as e:
            message, severity = f"cannot re-run the themes stage: {e}", "error"
        self.app.call_from_thread(self._reclustered, message, severity)

    def _reclustered(self, message: str, severity: str) -> None:
        self._reclustering = False
        before = {c.id: c.size for c in self.clusters}
        self.reload()
        after = {c.id: c.size for c in self.clusters}
        if severity in ("information", "warning"):
            changed = sum(1 for k in after.keys() & before.keys() if after[k] != before[k])
            message += (f"; {len(after.keys() - before.keys())} new, {len(before.keys() - after.keys())} gone, "
                        f"{changed} changed size")
        self.notify(message, severity=severity, timeout=10)

    def action_help(self) -> None:
        self.app.push_screen(HelpModal("Analyst keys", KEYS))
