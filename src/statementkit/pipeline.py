"""The main job: screen a batch of submissions against the published statements.

It runs every stage in order (language, criteria checks, duplicates, themes)
and returns one `ScreenRow` per submission. `statementkit demo` runs it on the bundled corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statementkit.io import read_statements
from statementkit.records import DedupResult, Screening, Statement, ThemeAssignment
from statementkit.resources import corpus_dir
from statementkit.rules import expected_languages
from statementkit.text.language import with_languages

DEMO_SUBMISSIONS = "demo-submissions.jsonl"
PAPER_STATEMENTS = "paper-statements.jsonl"


@dataclass(slots=True)
class ScreenRow:
    """Everything the toolkit found about one submission."""

    statement: Statement
    screening: Screening | None = None     # criteria checks (checks stage)
    duplicates: DedupResult | None = None  # near-duplicates (dedup stage)
    theme: ThemeAssignment | None = None   # cluster and theme (themes stage)

    @property
    def verdict(self) -> str | None:
        return self.screening.verdict if self.screening else None

    @property
    def codes(self) -> list[str]:
        return self.screening.codes if self.screening else []

    def to_dict(self) -> dict:
        d = {"id": self.statement.id, "lang": self.statement.lang, "verdict": self.verdict,
             "codes": list(self.codes), "text": self.statement.text}
        if self.screening:
            d["flags"] = [f.to_dict() for f in self.screening.flags]
        if self.duplicates:
            d["duplicates"] = [x.to_dict() for x in self.duplicates.duplicates]
        if self.theme:
            d["theme"] = self.theme.to_dict()
        return d


@dataclass(slots=True)
class ScreenResult:
    rows: list[ScreenRow]
    published: list[Statement]
    stages: list[str]
    theme_result: Any = None  # themes stage: the whole ThemeResult (published statements' themes, updated decisions)

    @property
    def clusters(self) -> list:
        """Themes stage: the clusters of submissions + published statements ([] without the stage)."""
        return self.theme_result.clusters if self.theme_result is not None else []


def load_published(path: str | Path | None = None) -> list[Statement]:
    """Published statements: a file, or the paper's published statements from the corpus."""
    if path is not None:
        return read_statements(path)
    statements = read_statements(corpus_dir() / PAPER_STATEMENTS)
    return [s for s in statements if s.meta.get("published", True)]


def screen(submissions: Sequence[Statement], published: Sequence[Statement],
           rules: str | Path | None = None, *, embedder=None, decisions=None, themes: bool = True) -> ScreenResult:
    """Run every available stage on `submissions` against `published`.

    `themes=False` leaves the themes stage out, for a caller that clusters a larger set itself
    (the triage queue, when earlier imports are pending too).

    `embedder` (default: the registry's default model, cached on disk) and
    `decisions` (the analyst's `ThemeDecisions`) are passed to the stages
    that use them; the criteria checks use the model for their classifiers
    too (rules/classifier.toml).
    """
    from statementkit.checks import check

    languages = expected_languages(rules)
    subs = with_languages(submissions, languages)
    pub = with_languages(published, languages)
    if embedder is None and subs:
        from statementkit.embed import installed_embedder

        embedder = installed_embedder()  # none installed: copies only, no themes
    # the checks' classifiers use the model the later stages load anyway (none: lexicons only)
    screenings = check(subs, rules, embedder=embedder)
    rows = [ScreenRow(s, screening=sc) for s, sc in zip(subs, screenings)]
    result = ScreenResult(rows, pub, ["lang", "checks"])
    _dedup_stage(result, rules, embedder)
    if themes:
        _themes_stage(result, rules, embedder, decisions)
    return result


def _dedup_stage(result: ScreenResult, rules, embedder) -> None:
    """Near-duplicates of each submission among the published statements and within the batch,
    and the `duplicate` flags the checks derive from them."""
    from statementkit.checks import add_duplicates
    from statementkit.dedup.detect import find_duplicates

    if not result.rows:
        return
    # without an installed model: exact and near-exact copies only
    found = find_duplicates([row.statement for row in result.rows], result.published, embedder=embedder,
                            rules=rules, semantic=embedder is not None)
    screenings = add_duplicates([row.screening for row in result.rows], found, result.published, rules)
    for row, dups, screening in zip(result.rows, found, screenings):
        row.duplicates, row.screening = dups, screening
    result.stages.append("dedup")


def _themes_stage(result: ScreenResult, rules, embedder, decisions) -> None:
    """Cluster submissions together with the published statements and suggest a theme for each.

    Published statements that carry a theme (the corpus does) are pinned on
    a copy of the decisions, so they count as confirmed examples.
    """
    import copy

    from statementkit.themes.assign import assign_themes
    from statementkit.themes.decisions import ThemeDecisions
    from statementkit.themes.taxonomy import taxonomy_for_rules

    if not result.rows or embedder is None:  # themes need vectors
        return
    taxonomy = taxonomy_for_rules(rules)
    decisions = copy.deepcopy(decisions) if decisions is not None else ThemeDecisions()
    sub_ids = {row.statement.id for row in result.rows}
    published = [s for s in result.published if s.id not in sub_ids]
    for s in published:
        theme = s.meta.get("theme")
        if theme is not None and str(theme) in taxonomy.ids and s.id not in decisions.statement_themes:
            decisions.pin_statement(s.id, str(theme), s.text, s.lang)
    themed = assign_themes([row.statement for row in result.rows] + published, taxonomy,
                           embedder=embedder, decisions=decisions)
    for row, assignment in zip(result.rows, themed.assignments):
        row.theme = assignment
    result.theme_result = themed
    result.stages.append("themes")


def demo(rules: str | Path | None = None) -> ScreenResult:
    """Screen the bundled demo batch against the paper's published statements."""
    submissions = read_statements(corpus_dir() / DEMO_SUBMISSIONS)
    return screen(submissions, load_published(), rules)
