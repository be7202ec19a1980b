"""`statementkit triage DB`: the keyboard terminal UI over a queue."""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import handle_errors


@handle_errors
def triage(
    db: Path = typer.Argument(..., metavar="DB", help="The queue's database file (statementkit queue init)."),
    who: str = typer.Option(None, "--who", help="Your name in the audit log (default: $STATEMENTKIT_USER or login).",
                            show_default=False),
    analyst: bool = typer.Option(False, "--analyst", help="Start in the analyst view (clusters and themes)."),
) -> None:
    """Triage a queue from the keyboard: accept, reject, edit, merge, theme, undo; ? shows every key.

    Several moderators can run it on the same file at once: each item is claimed
    while someone looks at it, and everyone sees the others' decisions live.

    Example: statementkit triage assembly.db --who alice
    """
    from statementkit.queue import Queue

    queue = Queue(db, who=who)  # a bad file fails here, before the screen is taken over
    try:
        from statementkit.tui.app import TriageApp

        TriageApp(queue, analyst=analyst).run()
    finally:
        queue.close()
