"""Shared by the per-criterion test modules (test_checks_ideas, test_checks_jargon): the flags
one statement gets, and pytest ids for (lang, text, ...) cases."""

from __future__ import annotations

from collections.abc import Sequence

from statementkit.checks import check
from statementkit.records import Statement


def flags_of(code: str, lang: str, text: str, rules) -> list:
    """The flags of one reason code for one statement, checked with the lexicons alone."""
    return [f for f in check([Statement("x", text, lang)], rules)[0].flags if f.code == code]


def case_ids(cases: Sequence[tuple]) -> list[str]:
    """pytest ids: the language and the first 30 characters of the text."""
    return [f"{c[0]}-{c[1][:30]}" for c in cases]
