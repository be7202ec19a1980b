"""statementkit: screen, de-duplicate and theme deliberation statements.

The Python API mirrors the CLI; every stage is a plain function over the
dataclasses in `statementkit.records`::

    import statementkit as sk

    statements = sk.read_statements("corpus/demo-submissions.jsonl")
    for r in sk.detect_languages(statements):
        print(r.id, r.lang)

Heavy libraries (torch, spaCy, hdbscan, datasets) load only when a stage
needs them, so importing the package is fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

from statementkit.errors import (
    ClusterEditError,
    InputError,
    ModelError,
    QueueConflict,
    QueueError,
    RulesError,
    StatementkitError,
    VotesError,
)
from statementkit.io import read_statements, write_records, write_statements
from statementkit.records import (
    REASON_CODES,
    DedupResult,
    Duplicate,
    Flag,
    LangResult,
    Screening,
    Span,
    Statement,
    ThemeAssignment,
)
from statementkit.text.language import detect, detect_languages, with_languages

__all__ = [
    "__version__",
    "REASON_CODES",
    "DedupResult",
    "ClusterEditError",
    "DedupStats",
    "Duplicate",
    "Embedder",
    "Filter",
    "Flag",
    "InputError",
    "LangResult",
    "ModelError",
    "Queue",
    "QueueConflict",
    "QueueError",
    "RulesError",
    "Screening",
    "Span",
    "Statement",
    "StatementkitError",
    "ThemeAssignment",
    "VotesError",
    "compare_pairs",
    "default_embedder",
    "detect",
    "detect_languages",
    "find_duplicates",
    "group_members",
    "read_statements",
    "with_languages",
    "write_records",
    "write_statements",
    # the whole pipeline: every stage on a batch of submissions
    "ScreenResult",
    "ScreenRow",
    "load_published",
    "screen",
    # criteria checks
    "Advice",
    "Rules",
    "check",
    "load_rules",
    "selfcheck",
    # vote analysis and the assembly report
    "Conversation",
    "OpinionGroups",
    "ReportData",
    "StatementVotes",
    "VoteAnalysis",
    "Votes",
    "analyse_conversation",
    "analyse_votes",
    "build_report_data",
    "find_opinion_groups",
    "load_vote_rules",
    "read_conversation",
    "render_report",
    "write_report",
    # themes: clusters, labels, taxonomy mapping, analyst decisions
    "Cluster",
    "Taxonomy",
    "ThemeDecisions",
    "ThemeResult",
    "Uncertain",
    "assign_themes",
    "decisions_path",
    "least_certain",
    "load_taxonomy",
]

#: Stage names -> the stage package that exports them, imported on first use so `import statementkit` and `statementkit --help` stay fast.
_LAZY = {
    "DedupStats": "dedup", "compare_pairs": "dedup", "find_duplicates": "dedup", "group_members": "dedup",
    "Filter": "queue", "Queue": "queue",
    "ScreenResult": "pipeline", "ScreenRow": "pipeline", "load_published": "pipeline", "screen": "pipeline",
    "Advice": "checks", "Rules": "checks", "check": "checks", "load_rules": "checks", "selfcheck": "checks",
    "Conversation": "votes", "Votes": "votes", "read_conversation": "votes",
    "OpinionGroups": "votes", "find_opinion_groups": "votes",
    "StatementVotes": "votes", "VoteAnalysis": "votes", "analyse_conversation": "votes",
    "analyse_votes": "votes", "load_vote_rules": "votes",
    "ReportData": "report", "build_report_data": "report", "render_report": "report", "write_report": "report",
    "Cluster": "themes", "ThemeResult": "themes", "Uncertain": "themes", "assign_themes": "themes",
    "least_certain": "themes", "ThemeDecisions": "themes", "decisions_path": "themes",
    "Taxonomy": "themes", "load_taxonomy": "themes",
    "default_embedder": "embed", "Embedder": "embed",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'statementkit' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(f"statementkit.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
