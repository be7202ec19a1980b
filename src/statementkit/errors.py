"""Errors a user can act on.

Every stage raises one of these; only the CLI catches them, prints the message
to stderr and exits with the error's `exit_code`. A message says what was
wrong, where (file, line, field) and how to fix it.

    StatementkitError
    ├── InputError          bad statements file: missing column, bad JSON, encoding, ...
    ├── RulesError          malformed rules / taxonomy / registry file
    ├── ClusterEditError    an analyst edit names a cluster or statement that is not there
    ├── ModelError          an embedding model or spaCy pipeline is unavailable
    ├── QueueError          the triage database is locked, corrupt or too new
    │   └── QueueConflict   another moderator decided or claimed the item first
    └── VotesError          a pol.is votes export cannot be read

The exit codes of the `statementkit` command, one meaning each, so a script can
tell them apart (`EXIT_CODES`; `statementkit --help` and the README list them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: exit code -> what it means; `selfcheck` adds its verdicts (`checks.advice.VERDICT_EXIT_CODES`).
EXIT_CODES = {
    0: "done",
    1: "an unexpected failure: a bug in statementkit (the traceback says where; please report it)",
    2: "usage: an unknown command or option, or a missing or invalid argument",
    3: "input: a statements file, rules, model, queue or votes export could not be used (the message says "
       "which, where and how to fix it)",
    4: "conflict: another moderator decided or claimed the statement first; nothing was written",
}
EXIT_INPUT, EXIT_CONFLICT = 3, 4


class StatementkitError(Exception):
    """Base class; the message is shown to the user as is."""

    exit_code = EXIT_INPUT


def _where(path: str | Path | None, line: int | None = None, field: str | None = None) -> str:
    parts = []
    if path is not None:
        parts.append(str(path) + (f":{line}" if line is not None else ""))
    elif line is not None:
        parts.append(f"line {line}")
    if field:
        parts.append(f"field '{field}'")
    return ", ".join(parts)


class LocatedError(StatementkitError):
    """An error that happened at a place in a file."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None,
                 field: str | None = None, hint: str | None = None):
        self.problem, self.path, self.line, self.field, self.hint = problem, path, line, field, hint
        where = _where(path, line, field)
        msg = f"{where}: {problem}" if where else problem
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class InputError(LocatedError):
    """A statements file cannot be read as given."""


class RulesError(LocatedError):
    """A rules, taxonomy or model-registry file is malformed."""


class ClusterEditError(LocatedError, ValueError):
    """An analyst's theme edit (pin, rename, merge, split) names a cluster that does not exist,
    a statement outside the cluster, or would merge a cluster into itself."""


class ModelError(StatementkitError):
    """A model (embedding or spaCy) cannot be loaded offline."""


class QueueError(StatementkitError):
    """The triage database cannot be used (locked, corrupt, newer schema)."""


class QueueConflict(QueueError):
    """Someone else decided or claimed the item first; nothing was written."""

    exit_code = EXIT_CONFLICT


class VotesError(LocatedError):
    """A pol.is votes export cannot be read."""


def listed(items: Sequence[str], limit: int = 8) -> str:
    """The first `limit` items and how many more ("s1, s2 and 98 more"): a message stays readable
    however many statements a command names."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
