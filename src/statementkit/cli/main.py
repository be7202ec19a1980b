"""The `statementkit` command: registers one sub-command per module."""

from __future__ import annotations

import typer

from statementkit import __version__
from statementkit.cli import check as check_cmd
from statementkit.cli import convert, demo, lang, themes, triage
from statementkit.cli import dedup as dedup_cli
from statementkit.cli import models as models_cli
from statementkit.cli import queue as queue_cli
from statementkit.cli import report as report_cmd
from statementkit.cli import rules_cmd
from statementkit.cli import selfcheck as selfcheck_cmd
from statementkit.cli import serve as serve_cmd
from statementkit.cli import votes as votes_cmd
from statementkit.cli._util import exit_codes_help

app = typer.Typer(
    name="statementkit",
    help="Screen, de-duplicate and theme the statements participants submit to a deliberation.\n\n"
         "Example: statementkit demo",
    epilog=exit_codes_help(),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"statementkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Screen, de-duplicate and theme deliberation statements."""


app.command("demo")(demo.demo)
app.command("lang")(lang.lang)
app.command("convert")(convert.convert)
app.command("check")(check_cmd.check)
app.command("selfcheck")(selfcheck_cmd.selfcheck)
app.command("serve")(serve_cmd.serve)
app.add_typer(queue_cli.app, name="queue")
app.command("triage")(triage.triage)
app.command("votes")(votes_cmd.votes)
app.command("report")(report_cmd.report)
app.add_typer(themes.app, name="themes")
app.command("dedup")(dedup_cli.dedup)
app.add_typer(models_cli.app, name="models")
app.add_typer(rules_cmd.app, name="rules")


#: The cyclic garbage collector's thresholds for a CLI process (Python's default: 700, 10, 10). A
#: first `check` builds ~260,000 long-lived objects (compiled lexicon patterns, lemma memos, the
#: parser and encoder) and nearly no cyclic garbage; with the defaults it ran ~730 young and 4 full
#: collections, ~1.3 s of a 100-statement first run (py-spy, gc callbacks). Collecting young objects
#: every 50,000 allocations instead leaves ~10 young ones and no full one there (memory unchanged).
GC_THRESHOLDS = (50_000, 20, 20)


def run() -> None:
    """Console-script entry point."""
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    try:
        app()  # exits through SystemExit, whose traceback holds the command's frames until caught
        code = None
    except SystemExit as done:
        code = done.code
    # The interpreter's shutdown collects garbage several times while it clears the modules, each
    # time walking every object left (~110,000 after a first `check`: ~0.4 of its ~0.5 s exit). One
    # collection now frees what the command left, as the first of those did (an SQLite connection
    # is freed only by a collection: its statement cache refers back to it; closing the embedding
    # cache checkpoints its log); freezing the rest lets the later ones skip it. What is still in
    # use (the modules' objects) is freed by reference counting as before, and read-only lemma
    # files are closed by the operating system.
    gc.collect()
    gc.freeze()
    raise SystemExit(code)
