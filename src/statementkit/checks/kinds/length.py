"""`too_long`: more user-perceived characters than the assembly allows.

Counted in graphemes (an accented letter typed as two code points, or an
emoji with a skin tone, is one character), URLs included, after trimming the
ends and collapsing runs of white space, as a participant would count. The
span covers the part beyond the limit.
"""

from __future__ import annotations

from statementkit.checks.document import Doc, graphemes
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion
from statementkit.records import Span


def _counted(text: str) -> list[tuple[int, int]]:
    """Grapheme offsets that count: no leading/trailing space, one per run of white space."""
    out: list[tuple[int, int]] = []
    prev_space = True
    for start, end in graphemes(text):
        space = text[start:end].isspace()
        if space and prev_space:
            continue
        out.append((start, end))
        prev_space = space
    while out and text[out[-1][0]:out[-1][1]].isspace():
        out.pop()
    return out


def count_characters(text: str) -> int:
    """How many characters the length limit sees in `text`."""
    return len(_counted(text))


@register_check("length", max_chars=140)
def too_long(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    limit = int(criterion.params["max_chars"])
    if len(doc.text) <= limit:  # graphemes never outnumber code points
        return []
    chars = _counted(doc.text)
    if len(chars) <= limit:
        return []
    span = Span(chars[limit][0], chars[-1][1])
    return [Finding(criterion.code, criterion.id, span,
                    values={"count": len(chars), "limit": limit, "over": len(chars) - limit})]
