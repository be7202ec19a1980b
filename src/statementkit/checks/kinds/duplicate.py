"""`duplicate`: a near-duplicate of a published statement or of an earlier submission.

Filled in from the duplicate detector (`statementkit.dedup.find_duplicates`)
when published statements are given (`--against PUBLISHED`). Only pairs it
calls duplicates count: stance flips ("should" vs "should not") and same-topic
statements with a different claim are not flagged. Within the batch, only the
later of two duplicate submissions is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

from statementkit.checks.analysis import Doc
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion

MAX_QUOTE = 90


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "…"


@register_check("duplicate", batch=True, within_batch=True)
def duplicate(docs: Sequence[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
    if ctx.against is None:
        return {}
    from statementkit.dedup import find_duplicates

    statements = [d.statement for d in docs]
    results = find_duplicates(statements, list(ctx.against), embedder=ctx.embedder)
    ctx.cache["dedup"] = results
    published = {s.id: s for s in ctx.against}
    order = {s.id: i for i, s in enumerate(statements)}
    out: dict[int, list[Finding]] = {}
    for doc, result in zip(docs, results):
        candidates = []
        for dup in result.duplicates:
            if not dup.is_duplicate:
                continue
            if dup.published and dup.id in published:
                candidates.append((dup, published[dup.id].text, "published"))
            elif not dup.published and criterion.params["within_batch"] and order.get(dup.id, 1 << 30) < doc.index:
                candidates.append((dup, statements[order[dup.id]].text, "batch"))
        if not candidates:
            continue
        dup, text, variant = max(candidates, key=lambda c: (c[2] == "published", c[0].score))
        out[doc.index] = [Finding(criterion.code, criterion.id, None, variant=variant,
                                  values={"id": dup.id, "text": _quote(text), "score": round(float(dup.score), 2)})]
    return out
