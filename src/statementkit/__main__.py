"""`python -m statementkit` runs the CLI."""

from statementkit.cli.main import run

run()
