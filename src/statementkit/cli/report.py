"""`statementkit report DB_OR_FILES -o report.html`: the assembly report as one offline HTML file."""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import RULES_OPTION, err_console, handle_errors

#: Steps a report usually takes (reading, counting, projecting, clustering, repness, classifying, figures, HTML).
EXPECTED_STEPS = 8


@handle_errors
def report(
    sources: list[str] = typer.Argument(..., metavar="DB_OR_FILES...",
                                        help="pol.is export folders, statements files (JSONL/CSV, e.g. "
                                             "corpus/paper-statements.jsonl), a triage-queue database, and/or "
                                             "the JSONL of `statementkit themes FILE --format jsonl` to add "
                                             "themes to another source's statements."),
    output: Path = typer.Option(Path("report.html"), "--output", "-o", help="Where to write the HTML report."),
    title: str = typer.Option(None, "--title", help="Report title (default: the conversation's topic).",
                              show_default=False),
    max_rows: int = typer.Option(50, "--max-rows", min=1, help="Statements shown per table before '… and N more'."),
    meta: str = typer.Option("", "--meta", metavar="IDS",
                             help="Statements of the pol.is export that its moderators marked meta (e.g. 1-14): "
                                  "left out of the groups, as pol.is does; its CSV export does not say which."),
    rules: Path = RULES_OPTION,
) -> None:
    """Write the assembly report: overview, categories, themes, opinion groups, moderation log.

    One self-contained HTML file (plots embedded, opens offline): participants,
    votes and submissions; accepted / rejected by reason code; consensus,
    friction and uncertainty tables like the reference paper's; the themes with
    their statements and vote bars; the opinion-group map with each group's
    representative statements; how the computed categories compare with a
    source's own (the paper's); and the thresholds used.

    Example: statementkit report tests/fixtures/polis/london.youth.policing corpus/paper-statements.jsonl -o report.html
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from statementkit.report.data import build_report_data
    from statementkit.report.html import write_report

    with Progress(TextColumn("{task.description:<40}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console(), transient=True) as bar:
        task = bar.add_task("starting", total=EXPECTED_STEPS * len(sources) + 2)

        def step(message: str) -> None:
            bar.update(task, advance=1, description=message)

        from statementkit.votes.conversation import parse_id_ranges

        data = build_report_data(sources, rules, title=title, progress=step, meta=parse_id_ranges(meta))
        path = write_report(data, output, max_rows=max_rows, progress=step)
        bar.update(task, completed=bar.tasks[0].total)
    size = path.stat().st_size / 1e6
    counts = data.category_counts()
    summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.most_common()) or "no votes"
    err_console().print(f"wrote {path} ({size:.1f} MB): {len(data.statements)} statements; {summary}")
