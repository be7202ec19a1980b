"""The catalogue of check kinds: each criterion in `criteria.toml` names one.

A kind is a function registered with `@register_check(name, **params)`; the
keyword arguments are its parameters with their defaults (their types are
checked when the rules load, and an unknown parameter is an error naming the
file and key). Kinds return `Finding`s: what was found and where, in no
particular language; `render` turns them into flags and advice. The built-in
kinds live in `statementkit.checks.kinds` and are imported the first time the
catalogue is used, like spaCy's `catalogue` registries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statementkit.records import Span

if TYPE_CHECKING:
    from statementkit.checks.document import Doc
    from statementkit.checks.ruleset import Criterion, Rules


@dataclass(slots=True)
class Finding:
    """One criterion broken by one statement, before it is put into words."""

    code: str
    rule: str
    span: Span | None = None
    variant: str | None = None            # which message of the code (e.g. no_standpoint "question")
    values: dict[str, Any] = field(default_factory=dict)  # fills the message templates
    weak: bool = False                    # weak evidence: the criterion's weak_severity applies
    severity: str | None = None           # fixed, for findings about the input itself (not a criterion)


@dataclass(slots=True)
class Context:
    """What a check may need besides the docs: the rules, the published statements, a model."""

    rules: Rules
    against: Sequence[Any] | None = None
    embedder: Any = None
    statements: Sequence[Any] = ()
    cache: dict[str, Any] = field(default_factory=dict)


CheckFn = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class CheckKind:
    name: str
    fn: CheckFn
    params: dict[str, Any]
    batch: bool  # fn(docs, criterion, ctx) -> {index: [Finding]} instead of fn(doc, criterion, ctx)

    def run(self, docs: Sequence[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
        if self.batch:
            return self.fn(docs, criterion, ctx)
        out: dict[int, list[Finding]] = {}
        for doc in docs:
            found = self.fn(doc, criterion, ctx)
            if found:
                out[doc.index] = found
        return out


_KINDS: dict[str, CheckKind] = {}
_BUILTIN = ("length", "lexical", "standpoint", "vague", "ideas", "scope", "duplicate")
_loaded = False


def register_check(name: str, *, batch: bool = False, **params: Any) -> Callable[[CheckFn], CheckFn]:
    """Register a check kind under `name` with its parameters and their defaults."""

    def decorate(fn: CheckFn) -> CheckFn:
        _KINDS[name] = CheckKind(name, fn, dict(params), batch)
        return fn

    return decorate


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN:
            importlib.import_module(f"statementkit.checks.kinds.{module}")


def get_kind(name: str) -> CheckKind | None:
    _load_builtin()
    return _KINDS.get(name)


def kind_names() -> list[str]:
    _load_builtin()
    return sorted(_KINDS)
