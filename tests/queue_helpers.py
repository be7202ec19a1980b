"""Small queues for the queue and TUI tests: real statements, hand-made stage results.

The stage results (flags, duplicate candidates, themes, clusters) are written
here by hand so the queue's storage and UI are tested independently of the
checker, dedup and themes models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from statementkit.pipeline import ScreenRow
from statementkit.queue import Queue
from statementkit.records import (
    DedupResult,
    Duplicate,
    Flag,
    Screening,
    Span,
    Statement,
    ThemeAssignment,
)

REFERENCE = [
    Statement("p1", "Cultural heritage institutions should keep control over how their collections train AI.", "en"),
    Statement("p2", "Museums should label every AI-generated description in their catalogues.", "en"),
]

SUBMISSIONS = [
    Statement("s1", "Europeana should fine-tune an open LLM with LoRA adapters on its metadata.", "en"),
    Statement("s2", "Heritage institutions must stay in control of how their collections are used to train AI.", "en"),
    Statement("s3", "Museen sollten KI-generierte Beschreibungen in ihren Katalogen kennzeichnen.", "de"),
    Statement("s4", "Archives should publish their AI policies openly.", "en"),
    Statement("s5", "Institutions should keep control over AI training on their collections!", "en"),
]


@dataclass
class FakeCluster:
    id: int
    label: str
    keywords: list[str]
    representatives: list[str]
    theme: str | None
    theme2: str | None
    confidence: float
    members: list[str] = field(default_factory=list)


def screened_rows() -> list[ScreenRow]:
    s1, s2, s3, s4, s5 = SUBMISSIONS
    start = s1.text.index("fine-tune")
    lora = s1.text.index("LoRA")
    return [
        ScreenRow(s1, Screening("s1", "reject", [
            Flag("jargon", "'fine-tune' is a term only AI specialists know", Span(start, start + 9), "further train",
                 "reject", "jargon.en"),
            Flag("jargon", "'LoRA' is a term only AI specialists know", Span(lora, lora + 4), None, "reject"),
        ]), DedupResult("s1"), ThemeAssignment("s1", 1, "7", 0.62, ["llm", "metadata"], None)),
        ScreenRow(s2, Screening("s2", "reject", [Flag("duplicate", "says what p1 says", None, None, "reject")]),
                  DedupResult("s2", [Duplicate("p1", 0.91), Duplicate("s5", 0.88, published=False)], group=1),
                  ThemeAssignment("s2", 2, "3", 0.8, ["control"], "1")),
        ScreenRow(s3, Screening("s3", "review", [Flag("duplicate", "translation of p2", None, None, "review")]),
                  DedupResult("s3", [Duplicate("p2", 0.83)]), ThemeAssignment("s3", 1, "7", 0.55, ["label"])),
        ScreenRow(s4, Screening("s4", "accept", []), DedupResult("s4", [Duplicate("p2", 0.41, is_duplicate=False)]),
                  ThemeAssignment("s4", 1, "1", 0.7, ["policy"])),
        ScreenRow(s5, Screening("s5", "reject", [Flag("duplicate", "says what p1 says", None, None, "reject")]),
                  DedupResult("s5", [Duplicate("p1", 0.9), Duplicate("s2", 0.88, published=False)], group=1),
                  ThemeAssignment("s5", 2, "3", 0.77, ["control"])),
    ]


CLUSTERS = [
    FakeCluster(1, "AI descriptions and metadata", ["metadata", "label"], ["s1", "s3"], "7", None, 0.6,
                ["s1", "s3", "s4"]),
    FakeCluster(2, "Control over collections", ["control", "collections"], ["s2"], "3", "1", 0.8, ["s2", "s5"]),
]


def make_queue(path: Path, who: str = "alice") -> Queue:
    q = Queue.create(path, published=REFERENCE, who=who)
    q.add_screened(screened_rows(), clusters=CLUSTERS, stages=["lang", "checks", "dedup", "themes"])
    return q
