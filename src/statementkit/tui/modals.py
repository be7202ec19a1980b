"""Small dialogs of the triage UI: reason codes, edit, theme, filter, text prompt, confirm, help.

Each is a ModalScreen that returns its answer with `dismiss` (None = cancelled)
and fits an 80×24 terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection

from statementkit.errors import QueueError, StatementkitError
from statementkit.queue.query import STATUS_FILTERS, Filter
from statementkit.records import REASON_CODES, Flag
from statementkit.text.normalise import visible
from statementkit.tui.render import flag_text

#: Shared look of every dialog; the app installs it (a screen's DEFAULT_CSS is scoped to that screen).
MODAL_CSS = """
ModalScreen { align: center middle; }
ModalScreen > Vertical {
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $surface; padding: 0 1;
}
ModalScreen .title { text-style: bold; }
ModalScreen .hint { color: $text-muted; }
ModalScreen .error { color: $error; }
ModalScreen SelectionList, ModalScreen OptionList { height: auto; max-height: 14; }
"""

CODE_HELP = {
    "too_long": "over the character limit", "jargon": "terms only AI specialists know",
    "vague": "vague or empty wording", "out_of_scope": "not about the assembly's subject",
    "no_standpoint": "nothing to agree or disagree with", "multiple_ideas": "more than one idea",
    "not_standalone": "a reply, not a stand-alone idea", "duplicate": "says what is already published",
    "incivility": "insults or attacks on people",
}


class ReasonList(SelectionList[str]):
    """A SelectionList whose unticked boxes are blank: ticked reads `▐X▌`, unticked `▐ ▌`, without colour."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        if selection.value in self.selected:
            return line
        segments = list(line)  # SelectionList draws: left side, the box's inner mark, right side, prompt
        if len(segments) > 3:
            segments[1] = Segment(" " * len(segments[1].text), segments[1].style)
        return Strip(segments, line.cell_length)


class ReasonModal(ModalScreen[tuple[list[str], str | None] | None]):
    """Pick reason codes (pre-selected from the flags) and an optional note."""

    BINDINGS = [Binding("escape", "cancel", "cancel"), Binding("enter", "submit", "reject", priority=True)]
    BINDINGS += [Binding(str(i + 1), f"toggle({i})", show=False) for i in range(len(REASON_CODES))]

    def __init__(self, title: str, preselected: Sequence[str], flagged: dict[str, str] | None = None) -> None:
        super().__init__()
        self._title = title
        self._pre = set(preselected)
        self._flagged = flagged or {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Label("space/1-9 toggle · enter reject · esc cancel", classes="hint")
            items = []
            for i, code in enumerate(REASON_CODES):
                prompt = Text(f"{i + 1} {code:<15}", style="bold" if code in self._flagged else "")
                prompt.append(self._flagged.get(code) or CODE_HELP[code], style="yellow" if code in self._flagged
                              else "dim")
                prompt.truncate(60, overflow="ellipsis")
                items.append(Selection(prompt, code, code in self._pre))
            yield ReasonList(*items, id="codes")
            yield Label("", id="chosen", classes="hint")
            yield Input(placeholder="note (optional)", id="note")
            yield Label("", classes="error", id="error")

    def on_mount(self) -> None:
        self._show_chosen()

    def on_selection_list_selected_changed(self) -> None:
        self._show_chosen()

    def _show_chosen(self) -> None:
        """The chosen reasons in words, so the choice reads without colour."""
        chosen = [c for c in REASON_CODES if c in self.query_one(SelectionList).selected]
        self.query_one("#chosen", Label).update("reasons: " + (", ".join(chosen) if chosen else "none chosen yet"))

    def action_toggle(self, i: int) -> None:
        if isinstance(self.focused, Input):
            self.focused.insert_text_at_cursor(str(i + 1))
            return
        self.query_one(SelectionList).toggle(REASON_CODES[i])

    def action_submit(self) -> None:
        codes = [c for c in REASON_CODES if c in self.query_one(SelectionList).selected]
        if not codes:
            self.query_one("#error", Label).update("choose at least one reason")
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss((codes, note))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditModal(ModalScreen[str | None]):
    """Edit the text; the original is kept by the queue.

    With a `check` function (the criteria checker, when installed) the draft is
    re-checked as the moderator types, so they see whether the edit fixes the flags.
    """

    DEFAULT_CSS = "EditModal TextArea { height: 6; }"
    BINDINGS = [Binding("escape", "cancel", "cancel"), Binding("enter,ctrl+s", "save", "save", priority=True),
                Binding("ctrl+u", "clear", "clear all", priority=True)]
    CHECK_DELAY_S = 0.35

    def __init__(self, text: str, limit: int = 140, hints: Sequence[Text] = (),
                 check: Callable[[str], list[Flag]] | None = None) -> None:
        super().__init__()
        self._text, self._limit, self._hints, self._check = text, limit, list(hints), check
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Edit the statement (the original text is kept)", classes="title")
            yield TextArea(self._text, id="text", soft_wrap=True)
            yield Label("", id="count", classes="hint")
            yield Static(Text("\n").join(self._hints[:4]) if self._hints and self._check is None else "", id="live")
            yield Label("enter save · esc cancel · ctrl+u clear all · ctrl+z undo typing", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self._count()
        self._schedule()

    def on_text_area_changed(self) -> None:
        self._count()
        self._schedule()

    def _count(self) -> None:
        n = len(self.query_one(TextArea).text.strip())
        self.query_one("#count", Label).update(Text(f"{n}/{self._limit} characters",
                                                    style="bold red" if n > self._limit else ""))

    def _schedule(self) -> None:
        if self._check is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.CHECK_DELAY_S, lambda: self._recheck(self._draft()))

    def _draft(self) -> str:
        return " ".join(self.query_one(TextArea).text.split())

    @work(thread=True, exclusive=True, group="recheck")
    def _recheck(self, draft: str) -> None:
        try:
            result: list[Flag] | str = self._check(draft) if draft else []
        except StatementkitError as e:
            result = f"cannot check: {e}"
        self.app.call_from_thread(self._show_check, draft, result)

    def _show_check(self, draft: str, result: list[Flag] | str) -> None:
        if draft != self._draft():
            return  # typed on meanwhile; a newer check is coming
        live = self.query_one("#live", Static)
        if isinstance(result, str):
            live.update(Text(result, style="yellow"))
        elif not result:
            live.update(Text("✓ the draft passes the checks", style="green"))
        else:
            live.update(Text("\n").join(Text("• ") + flag_text(f, draft) for f in result[:5]))

    def action_clear(self) -> None:
        """The whole text, not the wrapped line the cursor is on: a statement is one paragraph."""
        self.query_one(TextArea).clear()

    def action_save(self) -> None:
        text = self._draft()
        if len(text) > self._limit:  # the queue refuses it too; say so here, keeping what was typed
            self.notify(f"{len(text)}/{self._limit} characters: shorten it first", severity="warning")
            return
        self.dismiss(text if text and text != self._text else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


CLEAR = "\0clear"


class ThemeModal(ModalScreen[str | None]):
    """Pick a theme; the suggestion is highlighted so enter confirms it."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, themes: Sequence[tuple[str, str, str]], suggested: str | None,
                 current: str | None, pinned: bool = False) -> None:
        super().__init__()
        self._title, self._themes, self._suggested, self._current = title, themes, suggested, current
        self._pinned = pinned

    def compose(self) -> ComposeResult:
        options = []
        for tid, label, _ in [*self._themes, ("none", "fits no theme", "")]:
            prompt = Text(f"{tid:>4}  {label}")
            if tid == self._suggested:
                prompt.append("  ← suggested", style="bold green")
            if tid == self._current and tid != self._suggested:
                prompt.append("  (current)", style="cyan")
            options.append(Option(prompt, id=tid))
        if self._pinned:
            options.append(Option(Text("   ×  remove the analyst's choice (back to the model's)", style="dim"),
                                  id=CLEAR))
        with Vertical():
            yield Label(self._title, classes="title")
            yield OptionList(*options)
            yield Label("↑↓ choose · enter assign · esc cancel", classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [o.id for o in ol.options]
        target = self._suggested if self._suggested in ids else self._current if self._current in ids else None
        ol.highlighted = ids.index(target) if target else 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterModal(ModalScreen[Filter | None]):
    """The filter bar: `status:pending code:jargon lang:de theme:3 words`."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, current: Filter, langs: Sequence[str], themes: Sequence[str], text_only: bool = False):
        super().__init__()
        self._current, self._langs, self._themes, self._text_only = current, langs, themes, text_only

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Search words; filter with key:value", classes="title")
            yield Input(self._current.to_query(), id="query")
            yield Label("", classes="error", id="error")
            help_ = Text()
            for key, values in (("status:", STATUS_FILTERS), ("code:", REASON_CODES), ("lang:", self._langs),
                                ("theme:", [*self._themes, "-"]), ("verdict:", ("accept", "review", "reject")),
                                ("kind:", ("submission", "reference", "all"))):
                help_.append(f"{key:<9}", style="bold")
                help_.append(" ".join(values) + "\n", style="dim")
            yield Static(help_)
            yield Label("enter apply · empty = all submissions · esc cancel", classes="hint")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        if self._text_only:
            box.value = (box.value + " ") if box.value else ""
        box.cursor_position = len(box.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            flt = Filter.parse(event.value)
        except QueueError as e:
            self.query_one("#error", Label).update(str(e))
            return
        self.dismiss(flt)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptModal(ModalScreen[str | None]):
    """One line of text (a label, a statement id)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "enter ok · esc cancel") -> None:
        super().__init__()
        self._title, self._value, self._hint = title, value, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Input(self._value)
            yield Label(self._hint, classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickStatementModal(ModalScreen[str | None]):
    """Find the statement to merge into by typing words of it (published statements first)."""

    BINDINGS = [Binding("escape", "cancel", "cancel"), Binding("down", "to_list", show=False)]

    def __init__(self, title: str, search, exclude: str) -> None:
        super().__init__()
        self._title, self._search, self._exclude = title, search, exclude

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Input(placeholder="type words of the statement, or its id")
            yield OptionList()
            yield Label("type to search · ↓ to the list · enter merge · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        for row in self._search(text):
            if row.id == self._exclude:
                continue
            prompt = Text(f"{row.id} ", style="bold")
            prompt.append(visible(row.text).replace("\n", " "))
            prompt.no_wrap, prompt.overflow = True, "ellipsis"
            ol.add_option(Option(prompt, id=row.id))
        if ol.option_count:
            ol.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter picks only what the typing names: the one statement left, or an exact id. Otherwise
        it moves to the list, so an empty search never merges into whatever comes first."""
        ol = self.query_one(OptionList)
        typed = event.value.strip()
        ids = [ol.get_option_at_index(i).id for i in range(ol.option_count)]
        if typed and (typed in ids or len(ids) == 1):
            self.dismiss(typed if typed in ids else ids[0])
        elif ids:
            ol.focus()
            self.notify("choose the statement to merge into: ↑↓ then enter", timeout=3)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("y,enter", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question)
            yield Label("y/enter yes · n/esc no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpModal(ModalScreen[None]):
    """Every key of the current view."""

    BINDINGS = [Binding("escape,q,question_mark,enter", "close", "close")]

    def __init__(self, title: str, keys: Sequence[tuple[str, str]], legend: Text | None = None) -> None:
        super().__init__()
        self._title, self._keys, self._legend = title, keys, legend

    #: Inner width of the box at 80 columns: two columns only when every description fits whole.
    WIDTH = 72

    def compose(self) -> ComposeResult:
        table = Text()
        widest = max((len(what) for _, what in self._keys), default=0)
        columns = 2 if 2 * (10 + widest) + 2 <= self.WIDTH else 1
        rows = (len(self._keys) + columns - 1) // columns
        parts = [self._keys[i * rows:(i + 1) * rows] for i in range(columns)]
        for i in range(rows):
            for j, col in enumerate(parts):
                if i < len(col):
                    key, what = col[i]
                    table.append(f"{key:>9} ", style="bold cyan")
                    table.append(f"{what:<{widest}}" + ("  " if j < columns - 1 else ""))
            table.append("\n")
        with Vertical():
            yield Label(self._title, classes="title")
            yield Static(table)
            if self._legend is not None:
                yield Static(self._legend)
            yield Label("esc close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
