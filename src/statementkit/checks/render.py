"""Findings into words: flag messages for moderators, advice for participants.

Texts come from `messages/<lang>.toml` in the rules (every code in every
language; a test checks it). A finding's `variant` picks a sub-table of its
code (`[no_standpoint.question]`), its `values` fill the `{placeholders}`;
`{scope}` is the scope's name in the message language, `{example}` and
`{example_not}` the assembly's example openings ("Museums should …"). A language without a
messages file falls back to the moderator language, then English.
"""

from __future__ import annotations

from typing import Any

from statementkit.checks.registry import Finding
from statementkit.checks.ruleset import Rules
from statementkit.records import NOTICE_CODES, REASON_CODES, Flag

_ORDER = {code: n for n, code in enumerate(REASON_CODES + NOTICE_CODES)}


def display_order(item: Finding | Flag) -> tuple[int, int]:
    """Sort key of a finding or flag: by reason code (the criteria's order), then position."""
    return _ORDER.get(item.code, 99), item.span.start if item.span else -1


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def texts(rules: Rules, lang: str, finding: Finding) -> tuple[str, str, str]:
    """(title, message, fix) of a finding in `lang`."""
    for table in (rules.messages.get(lang), rules.message_table(lang)):
        entry = (table or {}).get(finding.code)
        if isinstance(entry, dict):
            break
    else:
        return finding.code, finding.code.replace("_", " "), ""
    sub = entry.get(finding.variant, {}) if finding.variant else {}
    sub = sub if isinstance(sub, dict) else {}
    should, should_not = rules.advice_example(lang)
    values = _Values(scope=rules.scope_name(lang), example=should, example_not=should_not,
                     **{k: v for k, v in finding.values.items() if v is not None})
    pick = (lambda key: str(sub.get(key) or entry.get(key) or "").format_map(values))
    return str(entry.get("title", finding.code)), pick("message"), pick("fix")


def severity(rules: Rules, finding: Finding) -> str:
    if finding.severity:
        return finding.severity
    rule = finding.rule.split(":", 1)[0]  # "vague:model": the classifier of criterion "vague"
    crit = next((c for c in rules.criteria if c.id == rule), None)
    if crit is None:
        return "reject"
    return crit.weak_severity if finding.weak or finding.variant in crit.weak_variants else crit.severity


def flags(rules: Rules, findings: list[Finding], lang: str) -> list[Flag]:
    """Flags in the moderator language (or the statement's, with moderator_language = "statement")."""
    out = []
    for f in sorted(findings, key=display_order):
        _, message, fix = texts(rules, lang, f)
        out.append(Flag(f.code, message, f.span, fix or None, severity(rules, f), f.rule))
    return out


def sort_flags(flags: list[Flag]) -> list[Flag]:
    """Flags in the order of the reason codes, then by position."""
    return sorted(flags, key=display_order)


def verdict(flags: list[Flag]) -> str:
    severities = {f.severity for f in flags}
    return "reject" if "reject" in severities else "review" if "review" in severities else "accept"


def verdict_text(rules: Rules, lang: str, verdict: str) -> str:
    table = rules.messages.get(lang) or rules.message_table(lang)
    return str(table.get("verdict", {}).get(verdict, verdict))


def label(rules: Rules, lang: str, key: str, default: str) -> Any:
    table = rules.messages.get(lang) or rules.message_table(lang)
    return table.get("labels", {}).get(key, default)
