"""Run the criteria over a batch: analyse once, match every lexicon once, run each check.

`check()` is the whole stage: it fills in languages that are missing, builds
one `Doc` per statement (fast analysis for every language), matches all
patterns of the statement's language in one pass, runs the enabled criteria
of the rules in order and renders the findings as flags with a verdict.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from statementkit.checks import render
from statementkit.checks.document import Doc, analyse
from statementkit.checks.registry import Context, Finding, get_kind
from statementkit.checks.ruleset import Rules, load_rules
from statementkit.records import UNDETERMINED, Screening, Span, Statement


def as_rules(rules: Rules | str | Path | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


def prepare(statements: Sequence[Statement], rules: Rules) -> list[Doc]:
    """Docs with languages detected where missing and every lexicon matched."""
    from statementkit.text.language import with_languages

    # every statement gets a valid language: a missing, regional ("en-GB") or unknown code is
    # mapped or detected, never a reason to skip the checks
    statements = with_languages(list(statements), rules.languages)
    docs = analyse(statements, default_lang=rules.default_language)
    for doc in docs:
        grouped: dict[str, list[Any]] = {}
        for m in rules.patterns(doc.lang).find(doc):
            grouped.setdefault(m.data["cat"], []).append(m)
        doc.cache["m"] = grouped
    return docs


def findings(docs: Sequence[Doc], rules: Rules, *, against: Sequence[Statement] | None = None,
             embedder: Any = None) -> list[list[Finding]]:
    """Findings per doc, in input order."""
    ctx = Context(rules, against=against, embedder=embedder, statements=[d.statement for d in docs])
    out: list[list[Finding]] = [input_findings(d, rules) for d in docs]
    for criterion in rules.criteria:
        if not criterion.enabled:
            continue
        kind = get_kind(criterion.kind)
        assert kind is not None  # validated when the rules loaded
        for index, found in kind.run(docs, criterion, ctx).items():
            out[index].extend(found)
    if embedder is not None:
        from statementkit.checks import learned

        learned.apply(docs, out, ctx)
    return [language_independent(found) for found in out]


def language_independent(found: list[Finding]) -> list[Finding]:
    """A statement in a language without lexicons keeps only what holds in any language: lexicons
    and classifiers know nothing of it."""
    if not any(f.code == "unsupported_language" for f in found):
        return found
    return [f for f in found if f.rule == "input" or f.code in LANGUAGE_INDEPENDENT
            or (f.code == "out_of_scope" and f.variant == "meaning")]


#: Codes judged the same way in every language (length in characters, copies and translations); scope
#: judged by meaning (multilingual sentence vectors against the exemplars) also holds.
LANGUAGE_INDEPENDENT = ("too_long", "duplicate")


def input_findings(doc: Doc, rules: Rules) -> list[Finding]:
    """What is wrong with the text itself, before any criterion: no words at all (empty, spaces,
    symbols, emoji, invisible characters) is rejected; a language the assembly has no lexicons
    for is sent to review, since most criteria cannot be judged in it."""
    if not any(unicodedata.category(ch)[0] in "LN" for ch in doc.statement.text):
        return [Finding("no_standpoint", "input", Span(0, len(doc.statement.text)), variant="empty",
                        severity="reject")]
    if doc.lang not in rules.lexicons and doc.lang != UNDETERMINED:
        return [Finding("unsupported_language", "input", None, values={"lang": doc.lang}, severity="review")]
    return []


def message_language(rules: Rules, doc: Doc) -> str:
    return doc.lang if rules.moderator_language == "statement" else rules.moderator_language


def check(statements: Sequence[Statement], rules: Rules | str | Path | None = None, *,
          against: Sequence[Statement] | None = None, embedder: Any = None) -> list[Screening]:
    """Screen statements against the assembly's criteria; one Screening per statement, in input order.

    `rules`: a loaded `Rules`, a rules directory, or None for the bundled rules.
    `against`: published statements; given, near-duplicates of them are flagged
    (needs the duplicate detector and its embedding model).
    `embedder`: an embedding model: scope is also judged by meaning and the
    classifiers of `classifier.toml` add what the lexicons miss; None uses the
    lexicons only (fast, no model).
    """
    rules = as_rules(rules)
    docs = prepare(statements, rules)
    results = findings(docs, rules, against=against, embedder=embedder)
    return [screening_of(doc, found, rules) for doc, found in zip(docs, results)]


def screening_of(doc: Doc, found: list[Finding], rules: Rules) -> Screening:
    """One statement's findings as the moderators' Screening: flags in the moderator language and
    the verdict (shared by `check` and the self-check's one-pass `check_with_advice`)."""
    flags = render.flags(rules, found, message_language(rules, doc))
    return Screening(doc.statement.id, render.verdict(flags), flags, doc.statement.lang or UNDETERMINED,
                     doc.statement.text)


def check_stream(statements: Iterable[Statement], rules: Rules | str | Path | None = None, *,
                 embedder: Any = None, chunk: int = 2000) -> Iterator[Screening]:
    """`check` over a stream of any length, in batches that grow from one statement to `chunk`: the
    first screening comes as soon as its language is ready and memory stays flat. The same answers
    as `check` (no criterion looks across statements unless published statements are given, which
    this does not take)."""
    rules = as_rules(rules)
    for batch in growing_batches(statements, chunk):
        yield from check(batch, rules, embedder=embedder)


def growing_batches(items: Iterable[Any], largest: int) -> Iterator[list[Any]]:
    """Lists of 1, 16, 256, ... items, then `largest` at a time: the first answers come quickly,
    the rest in batches big enough to run fast."""
    it, size = iter(items), 1
    while batch := list(itertools.islice(it, size)):
        yield batch
        size = min(size * 16, largest)


def add_duplicates(screenings: Sequence[Screening], results: Sequence[Any], published: Sequence[Statement],
                   rules: Rules | str | Path | None = None) -> list[Screening]:
    """Screenings with `duplicate` flags added from the duplicate detector's results
    (`dedup.find_duplicates` over the same statements, in the same order), verdicts updated.

    For pipelines that ran the detector already: the same flags `check(..., against=...)` gives.
    """
    from statementkit.checks.kinds.duplicate import duplicate_findings

    rules = as_rules(rules)
    criterion = rules.criterion("duplicate")
    if criterion is None:
        return list(screenings)
    statements = [Statement(s.id, s.text or "", s.lang) for s in screenings]
    found = duplicate_findings(statements, results, published, criterion)
    out = []
    for i, s in enumerate(screenings):
        lang = s.lang if rules.moderator_language == "statement" and s.lang else rules.moderator_language
        flags = render.sort_flags(list(s.flags) + render.flags(rules, found.get(i, []), lang))
        out.append(Screening(s.id, render.verdict(flags), flags, s.lang, s.text))
    return out
