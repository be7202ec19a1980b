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


def run() -> None:
    """Console-script entry point."""
    app()
