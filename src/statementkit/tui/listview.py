"""The statement list: a virtualised line-API widget, so 10,000 items open instantly.

It holds only the ordered row numbers of the current filter; the rows a
screen shows are fetched from the queue a page at a time and cached. One line
per statement: selection mark, status glyph, verdict dot, duplicate and claim
markers, id and text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from statementkit.errors import QueueError
from statementkit.queue.items import Row
from statementkit.text.normalise import visible
from statementkit.tui.render import STATUS_GLYPH, STATUS_STYLE, VERDICT_GLYPH, VERDICT_STYLE

PAGE = 200


class QueueList(ScrollView, can_focus=True):
    """Rows of the queue for the current filter, with a cursor and a multi-selection."""

    DEFAULT_CSS = """
    QueueList { overflow-x: hidden; scrollbar-size-vertical: 1; }
    QueueList:focus { border: none; }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "up", show=False),
        Binding("down,j", "move(1)", "down", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home,g", "jump(0)", show=False),
        Binding("end,G", "jump(-1)", show=False),
    ]

    class Moved(Message):
        """The cursor moved to another row (or the list changed under it)."""

        def __init__(self, seq: int | None) -> None:
            super().__init__()
            self.seq = seq

    def __init__(self, fetch: Callable[[Sequence[int]], list[Row]], **kw) -> None:
        super().__init__(**kw)
        self._fetch = fetch
        self.seqs: list[int] = []
        self._index: dict[int, int] = {}
        self._rows: dict[int, Row] = {}
        self.cursor = 0
        self.selected: set[str] = set()
        self._error_at = 0.0

    # ------------------------------------------------------------ data

    def set_seqs(self, seqs: list[int], keep: int | None = None) -> None:
        """Show these rows; keep the cursor on `keep` (a seq) or the nearest row after it."""
        self.seqs = seqs
        self._index = {s: i for i, s in enumerate(seqs)}
        self._rows.clear()
        if keep is not None and keep in self._index:
            self.cursor = self._index[keep]
        elif keep is not None:
            self.cursor = next((i for i, s in enumerate(seqs) if s > keep), max(0, len(seqs) - 1))
        self.cursor = min(self.cursor, max(0, len(seqs) - 1))
        self.virtual_size = Size(self.size.width, len(seqs))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Moved(self.current_seq))

    def invalidate(self) -> None:
        """Forget cached rows (someone decided something); redraw."""
        self._rows.clear()
        self.refresh()

    def row(self, i: int) -> Row | None:
        if not 0 <= i < len(self.seqs):
            return None
        seq = self.seqs[i]
        if seq not in self._rows:
            start = max(0, i - PAGE // 4)
            try:
                fetched = self._fetch(self.seqs[start:start + PAGE])
            except QueueError as e:  # e.g. locked for longer than the busy timeout: show, retry on next draw
                if time.monotonic() - self._error_at > 5:
                    self._error_at = time.monotonic()
                    self.app.notify(str(e), severity="error", timeout=6)
                return None
            for r in fetched:
                self._rows[r.seq] = r
        return self._rows.get(seq)

    @property
    def current_seq(self) -> int | None:
        return self.seqs[self.cursor] if self.seqs else None

    @property
    def current(self) -> Row | None:
        return self.row(self.cursor) if self.seqs else None

    def go_to_seq(self, seq: int) -> bool:
        if seq not in self._index:
            return False
        self._set_cursor(self._index[seq])
        return True

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        i = self.scroll_offset.y + y
        r = self.row(i)
        if r is None:
            return Strip.blank(width, self.rich_style)
        line = self._line(r, width)
        if i == self.cursor:
            line.stylize(Style(reverse=True) if self.has_focus else Style(bgcolor="grey23"))
        return Strip(line.render(self.app.console), line.cell_len)

    def _line(self, r: Row, width: int) -> Text:
        t = Text(no_wrap=True, end="")
        t.append("▌" if r.id in self.selected else " ", style="bold magenta")
        t.append(STATUS_GLYPH.get(r.status, "?"), style=STATUS_STYLE.get(r.status, ""))
        t.append(VERDICT_GLYPH.get(r.verdict or "", " "), style=VERDICT_STYLE.get(r.verdict or "", "dim"))
        t.append("≈" if r.n_duplicates else " ", style="bold yellow")
        t.append("⚿" if r.claimed_by else " ", style="bold cyan")
        t.append(f"{r.id} ", style="bold" if r.status == "pending" else "dim")
        t.append(visible(r.text).replace("\n", " "), style="" if r.status == "pending" else "dim")
        t.truncate(width, overflow="ellipsis", pad=True)
        return t

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.seqs))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ------------------------------------------------------------ moving

    def _set_cursor(self, i: int) -> None:
        if not self.seqs:
            return
        i = max(0, min(i, len(self.seqs) - 1))
        old = self.cursor
        self.cursor = i
        self._scroll_to_cursor()
        self.refresh()
        if i != old:
            self.post_message(self.Moved(self.current_seq))

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self._set_cursor(0 if where == 0 else len(self.seqs) - 1)

    def on_click(self, event) -> None:
        self._set_cursor(self.scroll_offset.y + event.y)

    def toggle_selected(self) -> None:
        r = self.current
        if r is None:
            return
        self.selected.symmetric_difference_update({r.id})
        self.refresh()
