"""`duplicate`: a near-duplicate of a published statement or of an earlier submission.

Filled in from the duplicate detector (`statementkit.dedup.detect.find_duplicates`)
when published statements are given (`--against PUBLISHED`), or from its
results when a pipeline ran it already (`checks.add_duplicates`). Only pairs
the detector calls duplicates count: stance flips ("should" vs "should not")
and same-topic statements with a different claim are not flagged. Within the
batch, only the later of two duplicate submissions is flagged, with the
criterion's weak severity (review): neither is published yet, and a
moderator chooses which one to keep. A duplicate of a published statement
that is no copy (the same claim in other words, variant `meaning`) is weak
evidence by the rules (`weak_variants`): on real pol.is comments two readers
found such flags right about half the time, copies 19 times in 20
(`benchmarks/realtext/dedup-flagged.jsonl`). A pair the detector is not sure of
(close and on the same topic, but a claim word left over) is no duplicate:
it is `similar`, shown for context, and raises no flag (issue 14: a flag
must be right at least 9 times in 10 in a same-topic batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from statementkit.checks.document import Doc
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion
from statementkit.records import COPY, NEAR_COPY, DedupResult, Statement

MAX_QUOTE = 90


def _quote(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "…"


def duplicate_findings(statements: Sequence[Statement], results: Sequence[DedupResult],
                       published: Sequence[Statement], criterion: Criterion) -> dict[int, list[Finding]]:
    """Findings (by statement index) from the duplicate detector's results, in input order."""
    by_id = {s.id: s for s in published}
    order = {s.id: i for i, s in enumerate(statements)}
    out: dict[int, list[Finding]] = {}
    for index, (statement, result) in enumerate(zip(statements, results)):
        candidates: list[tuple[Any, str, str]] = []
        for dup in result.duplicates:
            if not dup.is_duplicate:
                continue
            if dup.published and dup.id in by_id:  # a copy, or the same claim in other words ("meaning")
                copy = dup.reason in (COPY, NEAR_COPY)
                candidates.append((dup, by_id[dup.id].text, "published" if copy else "meaning"))
            elif not dup.published and criterion.params["within_batch"] and order.get(dup.id, 1 << 30) < index:
                candidates.append((dup, statements[order[dup.id]].text, "batch"))
        if not candidates:
            continue
        dup, text, variant = max(candidates, key=lambda c: (c[2] != "batch", c[2] == "published", c[0].score))
        out[index] = [Finding(criterion.code, criterion.id, None, variant=variant, weak=variant == "batch",
                              values={"id": dup.id, "text": _quote(text), "score": round(float(dup.score), 2)})]
    return out


@register_check("duplicate", batch=True, within_batch=True)
def duplicate(docs: Sequence[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
    if ctx.against is None:
        return {}
    try:
        from statementkit.dedup.detect import find_duplicates
    except ImportError as e:  # pragma: no cover - dedup ships with the package
        from statementkit.errors import ModelError

        raise ModelError(f"the duplicate check needs statementkit.dedup.detect: {e}") from None
    statements = [d.statement for d in docs]
    results = find_duplicates(statements, list(ctx.against), embedder=ctx.embedder)
    ctx.cache["dedup"] = results
    return duplicate_findings(statements, results, ctx.against, criterion)
