"""`statementkit selfcheck "TEXT"`: plain advice for a participant, in the statement's language."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from statementkit.cli._util import (
    FORMAT_OPTION,
    LANG_OPTION,
    RULES_OPTION,
    Format,
    console,
    emit_records,
    handle_errors,
)


@handle_errors
def selfcheck(
    text: str = typer.Argument(..., help="The draft statement (or - to read it from stdin)."),
    force: str = LANG_OPTION,
    against: str = typer.Option(None, "--against", metavar="PUBLISHED",
                                help="Published statements: also warn when the draft repeats one of them.",
                                show_default=False),
    embed: bool = typer.Option(True, "--embed/--no-embed",
                               help="Use the embedding model when it is installed, as `check` and the triage queue "
                                    "do, so the participant gets the moderators' answer (~2 s to load the model). "
                                    "--no-embed gives up the classifiers' flags (vague, question-like, reply-like, "
                                    "uncivil or off-topic wording the lexicons miss) and scope judged by meaning."),
    rules: Path = RULES_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Check a draft statement before submitting it, with advice in its own language.

    The same criteria as the moderators' `check`, answered in the language the
    statement is written in (en, de, fr, nl, es, it, pl), with how to fix each
    problem. A statement in another language is sent to review (most criteria
    cannot be checked in it); an empty one is rejected.

    Exit codes, for a web form:
      0   ready to submit;
      10  probably fine, but a moderator may ask for a change;
      11  a moderator would probably reject it (fix the problems first);
      2   usage error; 3  the input or the rules could not be read; 1  a bug.

    Example: statementkit selfcheck "Que pensez-vous de l'IA dans les musées ?"
    """
    from statementkit.checks import load_rules
    from statementkit.checks import selfcheck as run_selfcheck

    if text == "-":
        from statementkit.io import decode

        text = decode(sys.stdin.buffer.read(), "<stdin>").strip()
    loaded = load_rules(rules)
    published = None
    embedder = None
    if against:
        from statementkit.embed import default_embedder
        from statementkit.io import read_statements

        published = read_statements(against)
        embedder = default_embedder()
    elif embed:
        from statementkit.cli.check import optional_embedder

        embedder = optional_embedder(None)
    advice = run_selfcheck(text, force, loaded, against=published, embedder=embedder)
    if fmt is not Format.table:
        emit_records([advice.to_dict()], fmt)
        raise typer.Exit(advice.exit_code)
    from rich.text import Text

    from statementkit.checks.render import label
    from statementkit.tui.render import VERDICT_STYLE, code_style, highlight

    out = console()
    out.print(Text(advice.summary, style=VERDICT_STYLE[advice.verdict]))
    if advice.problems:
        out.print(highlight(advice.text, advice.problems))
        fix_label = label(loaded, advice.lang, "fix", "How to fix it")
        for p in advice.problems:
            out.print(Text.assemble(("• ", "dim"), (p.title, code_style(p.code)), ": ",
                                    p.message))
            if p.fix:
                out.print(Text.assemble(("  ", ""), (f"{fix_label}: ", "dim"), p.fix))
    raise typer.Exit(advice.exit_code)
