"""Shared CLI plumbing: consoles, the output-format option, error handling.

Commands parse arguments, call a stage and print. Stage errors
(`StatementkitError`) become one line on stderr and the error's exit code
(`errors.EXIT_CODES`); nothing else is caught, so real bugs still show a
traceback (exit code 1).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.segment import Segment

from statementkit.errors import EXIT_CODES, EXIT_INPUT, StatementkitError

F = TypeVar("F", bound=Callable[..., Any])


def exit_codes_help(extra: dict[int, str] | None = None) -> str:
    """The exit codes as a --help paragraph (rich markup: one line each)."""
    codes = {**EXIT_CODES, **(extra or {})}
    return "Exit codes:\n\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in sorted(codes.items()))


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


class SafeConsole(Console):
    """A rich Console that never sends a participant's control characters to the terminal: every
    text segment passes through `text.normalise.visible` just before it is written (rich's own
    cursor and style codes are added after, and are left alone)."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        from statementkit.text.normalise import visible

        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style) for segment in buffer)


def console() -> Console:
    return SafeConsole(highlight=False, soft_wrap=False)


def err_console() -> Console:
    return SafeConsole(stderr=True, highlight=False)


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    err_console().print(f"[bold red]error:[/] {_escape(message)}")
    return typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def handle_errors(func: F) -> F:
    """Turn StatementkitError into a one-line message and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StatementkitError as e:
            raise fail(str(e), e.exit_code) from None
        except BrokenPipeError:  # `statementkit ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def read_input(source: str, fmt: str | None = None, *, skip_empty: bool = False) -> list:
    """Statements from a file or stdin, saying on stderr which rows `--skip-empty` dropped."""
    from statementkit.io import read_statements

    skipped: list[int] = []
    statements = read_statements(source, fmt, skip_empty=skip_empty, skipped=skipped)
    report_skipped(source, skipped)
    return statements


def report_skipped(source: str, skipped: list[int]) -> None:
    """Say on stderr which rows `--skip-empty` dropped (nothing when none)."""
    if skipped:
        shown = ", ".join(map(str, skipped[:20])) + (", ..." if len(skipped) > 20 else "")
        name = "<stdin>" if source == "-" else source
        err_console().print(f"skipped {len(skipped)} rows with empty text in {name} (lines {shown})", soft_wrap=True)


def emit_records(records: Iterable[dict[str, Any]], fmt: Format) -> None:
    """Print result records as json or jsonl to stdout."""
    from statementkit.io import write_records

    write_records(records, sys.stdout, fmt.value)


FORMAT_OPTION = typer.Option(Format.table, "--format", "-f", help="table for people, json/jsonl for programs.")
RULES_OPTION = typer.Option(None, "--rules", help="Rules directory (default: the bundled rules/).",
                            show_default=False)
LANG_OPTION = typer.Option(None, "--lang", help="Force this language (ISO code) instead of detecting it.",
                           show_default=False)
SKIP_EMPTY_OPTION = typer.Option(False, "--skip-empty", help="Skip rows with empty text instead of stopping "
                                                               "(says which on stderr).")
