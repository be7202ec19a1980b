"""statementkit: screen, de-duplicate and theme deliberation statements.

The Python API mirrors the CLI; every stage is a plain function over the
dataclasses in `statementkit.model`::

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
    InputError,
    ModelError,
    QueueError,
    RulesError,
    StatementkitError,
    VotesError,
)
from statementkit.io import read_statements, write_records, write_statements
from statementkit.lang import detect, detect_languages, with_languages
from statementkit.model import (
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

__all__ = [
    "__version__",
    "REASON_CODES",
    "DedupResult",
    "Duplicate",
    "Flag",
    "InputError",
    "LangResult",
    "ModelError",
    "QueueError",
    "RulesError",
    "Screening",
    "Span",
    "Statement",
    "StatementkitError",
    "ThemeAssignment",
    "VotesError",
    "detect",
    "detect_languages",
    "read_statements",
    "with_languages",
    "write_records",
    "write_statements",
]
