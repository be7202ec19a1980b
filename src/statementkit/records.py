"""The dataclasses every stage takes and returns.

Stages are plain functions over these; `to_dict()` gives the records of the
output contract in DESIGN.md (what `--format json|jsonl` prints).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any

#: The reason codes of the assembly's moderation criteria, in display order.
REASON_CODES: tuple[str, ...] = (
    "too_long",
    "jargon",
    "vague",
    "out_of_scope",
    "no_standpoint",
    "multiple_ideas",
    "not_standalone",
    "duplicate",
    "incivility",
)
#: Flags about what the checks could not judge, never a reason to reject: a moderator should look.
NOTICE_CODES: tuple[str, ...] = ("unsupported_language",)

VERDICTS: tuple[str, ...] = ("accept", "review", "reject")

#: Language code for "could not tell" (ISO 639-2 'undetermined').
UNDETERMINED = "und"


class Moderation(IntEnum):
    """pol.is' `moderated` column."""

    REJECTED = -1
    UNMODERATED = 0
    ACCEPTED = 1


@dataclass(slots=True)
class Statement:
    """One submitted or published statement.

    `lang` is an ISO 639-1 code, `und`, or None when not yet detected. `meta`
    keeps every other input field (pol.is `author-id`, `moderated`, `agrees`,
    `disagrees`, corpus themes and vote shares, ...) so nothing is lost on a
    round trip.
    """

    id: str
    text: str
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.lang is not None:
            d["lang"] = self.lang
        d.update({k: v for k, v in self.meta.items() if k not in d})
        return d


@dataclass(slots=True)
class Span:
    """Character offsets [start, end) into the statement text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start:self.end]


@dataclass(slots=True)
class Flag:
    """One criterion a statement breaks (or may break)."""

    code: str
    message: str
    span: Span | None = None
    suggestion: str | None = None
    severity: str = "reject"  # "reject" | "review" | "info"
    rule: str | None = None   # id of the rule entry that fired, for explanations

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "span": [self.span.start, self.span.end] if self.span else None,
            "suggestion": self.suggestion,
            "severity": self.severity,
            "rule": self.rule,
        }


@dataclass(slots=True)
class Screening:
    """The checker's result for one statement."""

    id: str
    verdict: str
    flags: list[Flag] = field(default_factory=list)
    lang: str | None = None
    text: str | None = None

    @property
    def codes(self) -> list[str]:
        """The distinct reason codes, in the order of the flags (one code may flag several spans)."""
        return list(dict.fromkeys(f.code for f in self.flags))

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "verdict": self.verdict, "flags": [f.to_dict() for f in self.flags]}
        if self.lang is not None:
            d["lang"] = self.lang
        return d


#: `Duplicate.reason` of a copy (any other reason of a duplicate: the same claim in other words).
COPY, NEAR_COPY = "exact copy", "near-exact copy"


@dataclass(slots=True)
class Duplicate:
    """A candidate near-duplicate of a statement."""

    id: str
    score: float
    same_stance: bool = True
    is_duplicate: bool = True
    published: bool = True
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": round(float(self.score), 4),
            "same_stance": self.same_stance,
            "duplicate": self.is_duplicate,
            "published": self.published,
            "reason": self.reason,
        }


@dataclass(slots=True)
class DedupResult:
    """Near-duplicates found for one new statement."""

    id: str
    duplicates: list[Duplicate] = field(default_factory=list)
    group: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The output contract: `duplicates` holds only what the detector calls a duplicate;
        `similar` the close statements shown for context (a different claim or the opposite stance)."""
        return {"id": self.id, "duplicates": [d.to_dict() for d in self.duplicates if d.is_duplicate],
                "similar": [d.to_dict() for d in self.duplicates if not d.is_duplicate], "group": self.group}


@dataclass(slots=True)
class ThemeAssignment:
    """Cluster and taxonomy theme of one statement."""

    id: str
    cluster: int | None
    theme: str | None
    confidence: float
    labels: list[str] = field(default_factory=list)
    theme2: str | None = None
    source: str = "model"  # "model" | "analyst"
    cluster_label: str | None = None  # the cluster's label phrase (the analyst's, once renamed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cluster": self.cluster,
            "theme": self.theme,
            "confidence": round(float(self.confidence), 4),
            "labels": list(self.labels),
            "theme2": self.theme2,
            "source": self.source,
            "cluster_label": self.cluster_label,
        }


@dataclass(slots=True)
class LangResult:
    """Detected language of one statement, with the detector's probability."""

    id: str
    lang: str
    prob: float
    forced: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "prob": round(self.prob, 4), "forced": self.forced}


def as_dict(obj: Any) -> dict[str, Any]:
    """Record form of any result dataclass (uses its `to_dict` when it has one)."""
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if to_dict else asdict(obj)
