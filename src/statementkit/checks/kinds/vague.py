"""The `vague` check: empty or vague terms, with too few concrete words around them.

A strong vague term is always flagged; a weak one ("things", "improve") only
when the statement has at most `max_concrete` concrete words besides it. A
one-word text is `empty`; a question is left to `no_standpoint`.
"""

from __future__ import annotations

from statementkit.checks.document import Doc
from statementkit.checks.kinds.lexical import concrete_words, covered, matches, span_of
from statementkit.checks.kinds.standpoint import is_question
from statementkit.checks.patterns import longest
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion
from statementkit.records import Span


@register_check("vague", max_concrete=1)
def vague(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    if all(is_question(doc, s) for s in range(len(doc.sentences))):
        return []  # a question takes no position at all: that is no_standpoint, not vagueness
    words = [u for u in doc.units if not u.punct and any(ch.isalnum() for ch in u.text)]
    if len(words) < 2:  # "ok", "na", "#Timesup": nothing to agree or disagree with
        return [Finding(criterion.code, criterion.id, Span(0, len(doc.text.rstrip())), variant="empty",
                        values={"term": doc.text.strip()})] if words else []
    strong = longest(matches(doc, "vague.strong"))
    if strong:
        m = strong[0]
        return [Finding(criterion.code, criterion.id, span_of(m), values={"term": doc.text[m.start:m.end]})]
    weak = longest(matches(doc, "vague.weak"))
    if not weak:
        return []
    ignore = covered(doc, weak) | covered(doc, matches(doc, "vague.generic"))
    concrete = concrete_words(doc, ignore)
    doc.cache["concrete"] = concrete
    if len(concrete) > int(criterion.params["max_concrete"]):
        return []
    m = weak[0]
    return [Finding(criterion.code, criterion.id, span_of(m), variant="empty",
                    values={"term": doc.text[m.start:m.end]})]
