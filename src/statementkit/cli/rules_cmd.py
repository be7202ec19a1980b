"""`statementkit rules init|check`: a rules folder for a new assembly, and what a folder will do.

    statementkit rules init parks-rules/ --name "City parks" --description "How the city runs its parks" \\
        --example "The city should keep parks open until midnight." \
        --advice "en=The city should …|The city should not …"
    statementkit rules init climate-rules/ --from-polis path/to/polis-export/
    statementkit rules check parks-rules/
    statementkit rules taxonomy parks-rules/ --from-queue parks.db     # the analysts' named clusters
"""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import console, err_console, handle_errors

app = typer.Typer(help="Make and check a rules folder for a new assembly.\n\n"
                       "Example: statementkit rules init my-rules/ --from-polis tests/fixtures/polis/"
                       "canadian-electoral-reform", no_args_is_help=True)


@app.command("init")
@handle_errors
def init(
    folder: Path = typer.Argument(..., help="Folder to write (created if missing)."),
    from_polis: Path = typer.Option(None, "--from-polis", help="A pol.is export folder (comments.csv, summary.csv): "
                                    "topic, description and examples from the moderators' decisions.",
                                    show_default=False),
    name: str = typer.Option(None, "--name", help="The assembly's name (default with --from-polis: its topic).",
                             show_default=False),
    description: str = typer.Option(None, "--description", help="What the assembly is about, in a sentence or two.",
                                    show_default=False),
    languages: list[str] = typer.Option(None, "--lang", help="A language participants write in (repeat; the "
                                        "first is the main one). Default: en, or detected with --from-polis.",
                                        show_default=False),
    example: list[str] = typer.Option(None, "--example", help="A statement about the subject (repeat).",
                                      show_default=False),
    outside: list[str] = typer.Option(None, "--outside", help="A statement off the subject (repeat).",
                                      show_default=False),
    keyword: list[str] = typer.Option(None, "--keyword", help="A keyword that puts a statement in scope "
                                      "(optional, repeat; pattern syntax of rules/README.md).", show_default=False),
    advice: list[str] = typer.Option(None, "--advice", help="Example opening for advice: 'LANG=SHOULD …|SHOULD "
                                     "NOT …' (repeat per language; default: 'We should …').", show_default=False),
    max_chars: int = typer.Option(None, "--max-chars", help="Length limit (default 140; with --from-polis the "
                                  "longest accepted comment).", show_default=False),
    moderator_language: str = typer.Option("en", "--moderator-language", help="Language of the moderators' flags."),
    seed: int = typer.Option(0, "--seed", help="--from-polis: seed of the split into examples and held-out comments."),
    n_examples: int = typer.Option(12, "--examples", help="--from-polis: how many accepted comments to take."),
    embed: bool = typer.Option(True, "--embed/--no-embed", help="--from-polis: choose examples and calibrate "
                               "the threshold with the embedding model."),
    force: bool = typer.Option(False, "--force", help="Replace the files of an existing rules folder."),
) -> None:
    """Write a complete rules folder for a new assembly: name, languages, limits, its scope (a description
    and example statements, judged by meaning), the advice example; no taxonomy.

    With --from-polis the moderated comments are split in two by --seed: examples come only from the
    first half (accepted comments in scope; rejected ones unlike every accepted one as off-topic
    examples), and the second half is left untouched to measure the rules on (rules/README.md).

    Example: statementkit rules init electoral-rules/ --from-polis tests/fixtures/polis/canadian-electoral-reform
    """
    from statementkit.assembly import (
        AssemblySpec,
        inspect_rules,
        spec_from_polis,
        write_rules,
    )

    if from_polis is not None:
        embedder = None
        if embed:
            from statementkit.embed import default_embedder

            embedder = default_embedder()
        with err_console().status("reading the export ..."):
            spec, _ = spec_from_polis(from_polis, seed=seed, n_examples=n_examples, embedder=embedder)
    else:
        if not name:
            from statementkit.errors import InputError

            raise InputError("a new assembly needs a name", hint="pass --name, or --from-polis EXPORT_DIR")
        spec = AssemblySpec(name=name, description=description or name)
    if name:
        spec.name = spec.scope_name = name
    if description:
        spec.description = description
    if languages:
        spec.languages = tuple(x.lower() for x in languages)
    spec.in_scope += list(example or [])
    spec.out_of_scope += list(outside or [])
    spec.keywords += list(keyword or [])
    spec.example.update(_advice(a) for a in advice or [])
    if max_chars is not None:
        spec.max_chars = max_chars
    spec.moderator_language = moderator_language
    written = write_rules(spec, folder, overwrite=force)
    err_console().print(f"wrote {', '.join(str(p) for p in written)}")
    console().print("\n".join(inspect_rules(folder).lines()), markup=False, highlight=False)


@app.command("check")
@handle_errors
def check(folder: Path = typer.Argument(..., help="The rules folder.")) -> None:
    """Validate a rules folder (a mistake names the file, line and field) and print what each criterion
    will do; exit 0 when it loads.

    Example: statementkit rules check rules/
    """
    from statementkit.assembly import inspect_rules

    console().print("\n".join(inspect_rules(folder).lines()), markup=False, highlight=False)


@app.command("taxonomy")
@handle_errors
def taxonomy(
    folder: Path = typer.Argument(..., help="The rules folder to write taxonomy.toml into."),
    from_queue: Path = typer.Option(..., "--from-queue", help="The triage-queue database whose named clusters "
                                    "become themes."),
    force: bool = typer.Option(False, "--force", help="Replace a taxonomy.toml that already has themes."),
) -> None:
    """Write the clusters the analysts named (renamed) in a queue as the assembly's taxonomy, with the
    clusters' public statements as examples; the next themes run maps statements onto them.

    Example: statementkit rules taxonomy electoral-rules/ --from-queue electoral.db
    """
    from statementkit.assembly import themes_from_queue, write_taxonomy
    from statementkit.rules import assembly_config

    themes = themes_from_queue(from_queue)
    path = write_taxonomy(themes, folder, str(assembly_config(folder).get("name", "")), overwrite=force)
    for t in themes:
        console().print(f"{t.id}  {t.label}  ({len(t.examples)} examples)", markup=False, highlight=False)
    err_console().print(f"wrote {path}")


def _advice(value: str) -> tuple[str, tuple[str, str]]:
    from statementkit.errors import InputError

    lang, _, pair = value.partition("=")
    should, _, should_not = pair.partition("|")
    if not lang.strip() or not should.strip() or not should_not.strip():
        raise InputError(f"--advice '{value}': expected LANG=SHOULD …|SHOULD NOT …",
                         hint="e.g. --advice 'en=The city should …|The city should not …'")
    return lang.strip().lower(), (should.strip(), should_not.strip())
