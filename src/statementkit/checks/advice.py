"""Self-check for participants: plain advice in the statement's own language.

`selfcheck("...")` runs the same criteria as the moderators' `check` and
answers in the language the statement is written in (every message exists in
en, de, fr, nl, es, it, pl), with the fix for each problem and an exit code a
web form can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.checks import render
from statementkit.checks.document import Doc
from statementkit.checks.engine import as_rules, findings, prepare, screening_of
from statementkit.checks.registry import Finding
from statementkit.checks.ruleset import Rules
from statementkit.records import UNDETERMINED, Screening, Span, Statement

#: Exit codes of `statementkit selfcheck` (2 is taken by input and rules errors).
#: `selfcheck`'s exit code per verdict: apart from the error codes (errors.EXIT_CODES), so a web form can
#: tell "fix your statement" from "the check itself failed".
VERDICT_EXIT_CODES = {"accept": 0, "review": 10, "reject": 11}


@dataclass(slots=True)
class Problem:
    """One thing a moderator would object to, and how to fix it."""

    code: str
    title: str
    message: str
    fix: str
    severity: str
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "message": self.message, "fix": self.fix,
                "severity": self.severity, "span": [self.span.start, self.span.end] if self.span else None}


@dataclass(slots=True)
class Advice:
    """The self-check's answer: a verdict, a summary sentence and the problems, all in `lang`."""

    text: str
    lang: str
    verdict: str
    summary: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == "accept"

    @property
    def exit_code(self) -> int:
        return VERDICT_EXIT_CODES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "verdict": self.verdict, "exit_code": self.exit_code, "summary": self.summary,
                "problems": [p.to_dict() for p in self.problems], "text": self.text}


def advice_language(rules: Rules, lang: str | None) -> str:
    """The statement's language if messages exist for it, else the moderator language."""
    if lang and lang in rules.messages:
        return lang
    return rules.moderator_language if rules.moderator_language in rules.messages else "en"


def selfcheck(text: str, lang: str | None = None, rules: Rules | str | Path | None = None, *,
              against: Sequence[Statement] | None = None, embedder: Any = None) -> Advice:
    """Check one draft statement and advise its author in the statement's language.

    `lang` forces the language (else it is detected); `against` also warns
    about near-duplicates of published statements.
    """
    rules = as_rules(rules)
    docs = prepare([Statement("draft", text, lang)], rules)
    found = findings(docs, rules, against=against, embedder=embedder)[0]
    return advice_of(docs[0], found, rules)


def advice_of(doc: Doc, found: list[Finding], rules: Rules, lang: str | None = None) -> Advice:
    """One statement's findings as advice to its author, in `lang` (default: the statement's
    language; either falls back as `advice_language` says)."""
    stated = doc.statement.lang or UNDETERMINED
    out_lang = advice_language(rules, lang or (stated if stated != UNDETERMINED else None))
    flags = render.flags(rules, found, out_lang)
    problems = []
    for f, flag in zip(sorted(found, key=render.display_order), flags):
        title, message, fix = render.texts(rules, out_lang, f)
        problems.append(Problem(f.code, title, message, fix, flag.severity, f.span))
    verdict = render.verdict(flags)
    return Advice(doc.statement.text, out_lang, verdict, render.verdict_text(rules, out_lang, verdict), problems)


def check_with_advice(statements: Sequence[Statement], rules: Rules | str | Path | None = None, *,
                      embedder: Any = None,
                      advice_lang: str | Sequence[str | None] | None = None) -> list[tuple[Screening, Advice]]:
    """`check` and `selfcheck` from one run of the criteria: each statement's Screening (what
    `check --format json` prints) with the advice to its author, so a web service answers both
    without checking twice, and the two can never disagree on the verdict.

    `advice_lang` puts the advice in that language (a page's language) instead of each
    statement's own; a list gives one per statement (None: the statement's own).
    """
    rules = as_rules(rules)
    docs = prepare(statements, rules)
    results = findings(docs, rules, embedder=embedder)
    langs = [advice_lang] * len(docs) if advice_lang is None or isinstance(advice_lang, str) else list(advice_lang)
    return [(screening_of(doc, found, rules), advice_of(doc, found, rules, lang))
            for doc, found, lang in zip(docs, results, langs, strict=True)]
