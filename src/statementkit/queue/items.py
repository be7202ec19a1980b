"""What the queue hands out: plain dataclasses read from the database.

`Item` is everything about one statement (the detail pane), `Row` the light
summary the list shows, `LogEntry` one entry of the audit log, `ClusterInfo`
one cluster for the analyst view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from statementkit.records import Duplicate, Flag, Statement, ThemeAssignment


@dataclass(slots=True)
class Row:
    """One line of the list: enough to draw it, nothing more."""

    seq: int
    id: str
    kind: str
    status: str
    lang: str | None
    verdict: str | None
    flag_codes: list[str]
    codes: list[str]
    theme: str | None
    n_duplicates: int
    text: str
    claimed_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "lang": self.lang,
                "verdict": self.verdict, "flags": self.flag_codes, "codes": self.codes, "theme": self.theme,
                "duplicates": self.n_duplicates, "text": self.text}


@dataclass(slots=True)
class Candidate:
    """A duplicate candidate with the other statement's text and state."""

    duplicate: Duplicate
    text: str | None
    status: str | None
    kind: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.duplicate.to_dict(), "text": self.text, "status": self.status}


@dataclass(slots=True)
class LogEntry:
    """One entry of the audit log."""

    seq: int
    batch: int
    target: str
    action: str
    codes: list[str]
    note: str | None
    who: str
    at: str
    before: dict[str, Any]
    after: dict[str, Any]
    undoes: int | None = None
    undone_by: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "batch": self.batch, "target": self.target, "action": self.action,
                "codes": self.codes, "note": self.note, "who": self.who, "at": self.at,
                "before": self.before, "after": self.after, "undoes": self.undoes, "undone_by": self.undone_by}

    @classmethod
    def from_row(cls, r: Any) -> LogEntry:
        keys = r.keys()
        return cls(r["seq"], r["batch"], r["target"], r["action"], json.loads(r["codes"]), r["note"], r["who"],
                   r["at"], json.loads(r["before"]), json.loads(r["after"]), r["undoes"],
                   r["undone_by"] if "undone_by" in keys else None)


@dataclass(slots=True)
class Item:
    """Everything known about one statement: state, stage results, history."""

    seq: int
    statement: Statement
    kind: str
    status: str
    original_text: str
    published: bool
    verdict: str | None = None
    flags: list[Flag] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    group: int | None = None
    group_members: list[str] = field(default_factory=list)
    theme: ThemeAssignment | None = None
    suggested_theme: str | None = None
    cluster_label: str | None = None
    merged_into: str | None = None
    codes: list[str] = field(default_factory=list)
    note: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    claimed_by: str | None = None
    history: list[LogEntry] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.statement.id

    @property
    def text(self) -> str:
        return self.statement.text

    @property
    def edited(self) -> bool:
        return self.statement.text != self.original_text

    @property
    def flag_codes(self) -> list[str]:
        return list(dict.fromkeys(f.code for f in self.flags))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "text": self.text,
            "original_text": self.original_text, "lang": self.statement.lang, "published": self.published,
            "verdict": self.verdict, "flags": [f.to_dict() for f in self.flags],
            "duplicates": [c.to_dict() for c in self.candidates], "group": self.group,
            "theme": self.theme.to_dict() if self.theme else None, "merged_into": self.merged_into,
            "codes": self.codes, "note": self.note, "decided_by": self.decided_by, "decided_at": self.decided_at,
            "claimed_by": self.claimed_by, "meta": self.statement.meta,
            "history": [d.to_dict() for d in self.history],
        }


@dataclass(slots=True)
class ClusterInfo:
    """One cluster with the theme the model suggests and the analyst's decisions."""

    id: int
    label: str | None
    keywords: list[str]
    representatives: list[str]
    theme: str | None          # effective: the analyst's pin, else the model's
    suggested: str | None      # the model's suggestion
    theme2: str | None
    confidence: float | None
    size: int
    confirmed: bool            # the analyst pinned a theme for the whole cluster
    renamed: bool = False
    merged_into: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "keywords": self.keywords,
                "representatives": self.representatives, "theme": self.theme, "suggested": self.suggested,
                "theme2": self.theme2, "confidence": self.confidence, "size": self.size,
                "confirmed": self.confirmed, "renamed": self.renamed, "merged_into": self.merged_into}


@dataclass(slots=True)
class AddReport:
    """What `Queue.add` did."""

    added: list[str]
    skipped: list[str]
    stages: list[str]
    kind: str
    run_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"added": len(self.added), "skipped": len(self.skipped), "stages": self.stages,
                "kind": self.kind, "run": self.run_id}
