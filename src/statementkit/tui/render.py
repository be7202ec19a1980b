"""Rich renderings shared by the triage UI and the CLI (`check`, `selfcheck`, `queue show`), and
the one palette they all use, so a verdict, a severity or a status looks the same everywhere.

Only rich is imported here (never textual), so the CLI can use it and stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from statementkit.records import Flag
from statementkit.text.normalise import visible

# ---------------------------------------------------------------- the palette
VERDICT_STYLE = {"accept": "green", "review": "yellow", "reject": "bold red"}
#: The verdict as a shape too, so it reads without colour: empty, half, full.
VERDICT_GLYPH = {"accept": "○", "review": "◐", "reject": "●"}
#: A flagged span: how sure the flag is (reject: the criterion is broken; review: a moderator should look).
SEVERITY_STYLE = {"reject": "bold white on red", "review": "black on yellow", "info": "underline"}
#: A flag's reason code, where several flags are listed together.
CODE_STYLE = {
    "too_long": "magenta", "jargon": "cyan", "vague": "yellow", "out_of_scope": "blue", "no_standpoint": "bright_blue",
    "multiple_ideas": "bright_magenta", "not_standalone": "bright_cyan", "duplicate": "green", "incivility": "red",
}
STATUS_STYLE = {"pending": "bold", "accepted": "green", "edited": "cyan", "rejected": "red", "merged": "magenta"}
STATUS_GLYPH = {"pending": "·", "accepted": "✓", "edited": "✎", "rejected": "✗", "merged": "⇢"}


def code_style(code: str) -> str:
    return f"bold {CODE_STYLE.get(code, 'red')}"


def highlight(text: str, flags: Sequence[Flag | Any]) -> Text:
    """The statement with each flagged span marked in its severity's colour (anything with a `span`
    and a `severity`: a moderator's flags, a participant's problems)."""
    out = Text(visible(text))  # one character for one: the spans still fit
    for f in flags:
        if f.span is None:
            continue
        start, end = max(0, f.span.start), min(len(text), f.span.end)
        if end > start:
            out.stylize(SEVERITY_STYLE.get(f.severity, "underline"), start, end)
    return out


def flag_text(flag: Flag, text: str) -> Text:
    """One flag as a line: code, quoted span, message, suggestion."""
    line = Text()
    line.append(f"{flag.code}", style=SEVERITY_STYLE.get(flag.severity, "bold"))
    if flag.span is not None and flag.span.end > flag.span.start and flag.span.of(text) not in flag.message:
        line.append(f" “{visible(flag.span.of(text))}”", style="italic")
    line.append(f" {flag.message}")
    if flag.suggestion:
        line.append(" → ", style="dim")
        line.append(flag.suggestion, style="green")
    return line


def status_text(status: str, who: str | None = None) -> Text:
    t = Text(f"{STATUS_GLYPH.get(status, '?')} {status}", style=STATUS_STYLE.get(status, ""))
    if who:
        t.append(f" by {who}", style="dim")
    return t


def score_text(score: float, is_duplicate: bool, same_stance: bool) -> Text:
    style = "bold red" if is_duplicate else "yellow" if score >= 0.5 else "dim"
    t = Text(f"{score:.2f}", style=style)
    if not same_stance:
        t.append(" ≠stance", style="cyan")
    return t
