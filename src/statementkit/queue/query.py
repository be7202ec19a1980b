"""Reading the queue: filtered lists, one item in full, counts.

The list is read in two steps so a 10,000-item queue opens instantly: `seqs`
returns the ordered row numbers that match a filter (cheap integers), `rows`
fetches the few rows a screen shows.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from statementkit.errors import QueueError
from statementkit.queue.actions import log
from statementkit.queue.items import Candidate, ClusterInfo, Item, Row
from statementkit.queue.schema import STATUSES
from statementkit.records import (
    REASON_CODES,
    Duplicate,
    Flag,
    Span,
    Statement,
    ThemeAssignment,
)

STATUS_FILTERS = (*STATUSES, "decided", "published", "all")
KINDS = ("submission", "reference", "all")
NO_THEME = "-"


@dataclass(slots=True)
class Filter:
    """Which statements to list. Every field is optional; they combine with AND.

    status: pending | accepted | rejected | edited | merged | decided | published | all
    kind: submission (default) | reference | all
    code: a reason code among the flags or the decision's codes
    theme: a theme id (the effective theme: analyst's pin, else the model's), or "-" for none
    text: case-insensitive substring of the text or the id
    """

    status: str | None = None
    kind: str = "submission"
    code: str | None = None
    lang: str | None = None
    theme: str | None = None
    text: str | None = None
    verdict: str | None = None
    group: int | None = None
    cluster: int | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUS_FILTERS:
            raise QueueError(f"unknown status '{self.status}' (valid: {', '.join(STATUS_FILTERS)})")
        if self.kind not in KINDS:
            raise QueueError(f"unknown kind '{self.kind}' (valid: {', '.join(KINDS)})")
        if self.code is not None and self.code not in REASON_CODES:
            raise QueueError(f"unknown reason code '{self.code}' (valid: {', '.join(REASON_CODES)})")

    #: Short names accepted by `parse` (the TUI's filter bar).
    KEYS = {"status": "status", "s": "status", "code": "code", "c": "code", "lang": "lang", "l": "lang",
            "theme": "theme", "t": "theme", "verdict": "verdict", "v": "verdict", "kind": "kind", "k": "kind",
            "group": "group", "g": "group", "cluster": "cluster"}

    @classmethod
    def parse(cls, query: str) -> Filter:
        """`status:pending code:jargon lang:de theme:3 museum` -> Filter; other words search the text."""
        values: dict[str, Any] = {}
        words = []
        for token in query.split():
            key, sep, value = token.partition(":")
            if sep and key.lower() in cls.KEYS and value:
                name = cls.KEYS[key.lower()]
                if name in ("group", "cluster"):
                    if not value.lstrip("-").isdigit():
                        raise QueueError(f"{name} must be a number, got '{value}'")
                    values[name] = int(value)
                else:
                    values[name] = value
            else:
                words.append(token)
        if words:
            values["text"] = " ".join(words)
        return cls(**values)

    def to_query(self) -> str:
        """The inverse of `parse`."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.name == "text" or (f.name == "kind" and value == "submission"):
                continue
            parts.append(f"{f.name}:{value}")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def describe(self) -> str:
        """Short text for a status line, e.g. "pending · code=jargon · 'museum'"."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name == "kind" and value == "submission"):
                continue
            parts.append(f"'{value}'" if f.name == "text" else value if f.name == "status" else f"{f.name}={value}")
        return " · ".join(parts) or "all submissions"

    def sql(self) -> tuple[str, list[Any]]:
        where, params = [], []
        if self.kind != "all":
            where.append("s.kind = ?")
            params.append(self.kind)
        if self.status == "decided":
            where.append("s.status != 'pending'")
        elif self.status == "published":
            where.append("s.published = 1")
        elif self.status not in (None, "all"):
            where.append("s.status = ?")
            params.append(self.status)
        if self.code:
            where.append("(EXISTS (SELECT 1 FROM flags f WHERE f.statement_id = s.id AND f.code = ?) OR "
                         "EXISTS (SELECT 1 FROM json_each(s.codes) j WHERE j.value = ?))")
            params += [self.code, self.code]
        if self.lang:
            where.append("s.lang = ?")
            params.append(self.lang)
        if self.theme == NO_THEME:
            where.append("s.id IN (SELECT statement_id FROM effective_themes WHERE theme IS NULL)")
        elif self.theme:
            where.append("s.id IN (SELECT statement_id FROM effective_themes WHERE theme = ? OR theme2 = ?)")
            params += [self.theme, self.theme]
        if self.text:
            where.append("instr(casefold(s.id || ' ' || s.text), ?) > 0")
            params.append(self.text.casefold())
        if self.verdict:
            where.append("s.verdict = ?")
            params.append(self.verdict)
        if self.group is not None:
            where.append("s.dup_group = ?")
            params.append(self.group)
        if self.cluster is not None:
            where.append("s.id IN (SELECT statement_id FROM themes WHERE cluster = ?)")
            params.append(self.cluster)
        return (" AND ".join(where) or "1"), params


def seqs(conn: sqlite3.Connection, flt: Filter | None = None) -> list[int]:
    """Row numbers of the matching statements, in arrival order."""
    where, params = (flt or Filter()).sql()
    return [r[0] for r in conn.execute(f"SELECT s.seq FROM statements s WHERE {where} ORDER BY s.seq", params)]


_ROW_SQL = """
SELECT s.seq, s.id, s.kind, s.status, s.lang, s.verdict, s.codes, s.n_duplicates, substr(s.text, 1, 300) AS text,
       (SELECT group_concat(f.code, ',') FROM flags f WHERE f.statement_id = s.id) AS flag_codes,
       COALESCE(sp.value, cp.value, mp.value, t.theme) AS theme,
       (SELECT c.who FROM claims c WHERE c.statement_id = s.id AND c.expires > ? AND c.who != ?) AS claimed_by
FROM statements s
LEFT JOIN themes t ON t.statement_id = s.id
LEFT JOIN theme_decisions sp ON sp.kind = 'statement_theme' AND sp.key = s.id
LEFT JOIN theme_decisions cp ON cp.kind = 'cluster_theme' AND cp.key = CAST(t.cluster AS TEXT)
LEFT JOIN theme_decisions mg ON mg.kind = 'merge' AND mg.key = CAST(t.cluster AS TEXT)
LEFT JOIN theme_decisions mp ON mp.kind = 'cluster_theme' AND mp.key = mg.value
"""


def rows(conn: sqlite3.Connection, wanted: Sequence[int], who: str = "") -> list[Row]:
    """The list rows for these seqs, in the order given."""
    if not wanted:
        return []
    out: dict[int, Row] = {}
    now = time.time()
    for start in range(0, len(wanted), 500):
        chunk = list(wanted[start:start + 500])
        sql = _ROW_SQL + f" WHERE s.seq IN ({', '.join('?' * len(chunk))})"
        for r in conn.execute(sql, (now, who, *chunk)):
            out[r["seq"]] = Row(r["seq"], r["id"], r["kind"], r["status"], r["lang"], r["verdict"],
                                list(dict.fromkeys((r["flag_codes"] or "").split(","))) if r["flag_codes"] else [],
                                json.loads(r["codes"]), r["theme"], r["n_duplicates"], r["text"], r["claimed_by"])
    return [out[s] for s in wanted if s in out]


def list_rows(conn: sqlite3.Connection, flt: Filter | None = None, limit: int | None = None) -> list[Row]:
    found = seqs(conn, flt)
    return rows(conn, found[:limit] if limit is not None else found)


def seq_of(conn: sqlite3.Connection, sid: str) -> int | None:
    r = conn.execute("SELECT seq FROM statements WHERE id = ?", (sid,)).fetchone()
    return r[0] if r else None


def get_item(conn: sqlite3.Connection, sid: str, who: str = "", history: bool = True) -> Item:
    """Everything about statement `sid`."""
    s = conn.execute("SELECT * FROM statements WHERE id = ?", (sid,)).fetchone()
    if s is None:
        raise QueueError(f"no statement '{sid}' in the queue")
    flags = flags_of(conn, [sid])[sid]
    candidates = [
        Candidate(Duplicate(d["other_id"], d["score"], bool(d["same_stance"]), bool(d["is_duplicate"]),
                            bool(d["published"]), d["reason"]), d["text"], d["status"], d["kind"])
        for d in conn.execute("SELECT d.*, o.text, o.status, o.kind FROM duplicates d LEFT JOIN statements o "
                              "ON o.id = d.other_id WHERE d.statement_id = ? ORDER BY d.pos", (sid,))]
    members = []
    if s["dup_group"] is not None:
        members = [r[0] for r in conn.execute("SELECT id FROM statements WHERE dup_group = ? AND id != ? ORDER BY seq",
                                              (s["dup_group"], sid))]
    e = conn.execute("SELECT * FROM effective_themes WHERE statement_id = ?", (sid,)).fetchone()
    theme = None
    label = None
    if e is not None and (e["theme"] is not None or e["cluster"] is not None or e["suggested"] is not None):
        theme = ThemeAssignment(sid, e["cluster"], e["theme"], e["confidence"] or 0.0,
                                json.loads(e["labels"] or "[]"), e["theme2"], e["source"] or "model")
        if e["cluster"] is not None:
            c = conn.execute("SELECT label FROM clusters WHERE id = ?", (e["cluster"],)).fetchone()
            renamed = conn.execute("SELECT value FROM theme_decisions WHERE kind = 'cluster_label' AND key = ?",
                                   (str(e["cluster"]),)).fetchone()
            label = renamed[0] if renamed else (c[0] if c else None)
    holder = conn.execute("SELECT who FROM claims WHERE statement_id = ? AND expires > ? AND who != ?",
                          (sid, time.time(), who)).fetchone()
    return Item(
        seq=s["seq"], statement=Statement(s["id"], s["text"], s["lang"], json.loads(s["meta"])), kind=s["kind"],
        status=s["status"], original_text=s["original_text"], published=bool(s["published"]), verdict=s["verdict"],
        flags=flags, candidates=candidates, group=s["dup_group"], group_members=members, theme=theme,
        suggested_theme=e["suggested"] if e else None, cluster_label=label, merged_into=s["merged_into"],
        codes=json.loads(s["codes"]), note=s["note"], decided_by=s["decided_by"], decided_at=s["decided_at"],
        claimed_by=holder[0] if holder else None, history=log(conn, target=sid) if history else [])


def flags_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[Flag]]:
    """The stored flags of each statement in `ids`, in their order (a few queries, whatever the count)."""
    out: dict[str, list[Flag]] = {sid: [] for sid in ids}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for f in conn.execute(f"SELECT * FROM flags WHERE statement_id IN ({', '.join('?' * len(chunk))}) "
                              "ORDER BY statement_id, pos", chunk):
            out[f["statement_id"]].append(Flag(
                f["code"], f["message"], Span(f["span_start"], f["span_end"]) if f["span_start"] is not None else None,
                f["suggestion"], f["severity"], f["rule"]))
    return out


def published(conn: sqlite3.Connection) -> list[Statement]:
    """The published statements (reference + accepted + edited), in arrival order, current text."""
    return [Statement(r["id"], r["text"], r["lang"], json.loads(r["meta"]))
            for r in conn.execute("SELECT id, text, lang, meta FROM statements WHERE published = 1 ORDER BY seq")]


def near_duplicates_of(conn: sqlite3.Connection, sid: str, *, pending_only: bool = True) -> list[str]:
    """Submissions that name `sid` as a duplicate candidate (is_duplicate), or share its group."""
    status = "AND s.status = 'pending'" if pending_only else ""
    found = [r[0] for r in conn.execute(
        f"SELECT DISTINCT s.id FROM duplicates d JOIN statements s ON s.id = d.statement_id "
        f"WHERE d.other_id = ? AND d.is_duplicate = 1 AND s.kind = 'submission' {status} ORDER BY s.seq", (sid,))]
    g = conn.execute("SELECT dup_group FROM statements WHERE id = ?", (sid,)).fetchone()
    if g and g[0] is not None:
        found += [r[0] for r in conn.execute(
            f"SELECT s.id FROM statements s WHERE s.dup_group = ? AND s.id != ? AND s.kind = 'submission' {status} "
            "ORDER BY s.seq", (g[0], sid))]
    return list(dict.fromkeys(x for x in found if x != sid))


def clusters(conn: sqlite3.Connection) -> list[ClusterInfo]:
    """The themes stage's clusters with the analyst's decisions applied: least settled first.

    Unconfirmed clusters come before confirmed ones, and among them the ones
    the model is least sure about first.
    """
    pins = {(r["kind"], r["key"]): r["value"] for r in conn.execute(
        "SELECT kind, key, value FROM theme_decisions WHERE kind IN ('cluster_theme', 'cluster_label', 'merge')")}
    out = []
    for c in conn.execute("SELECT * FROM clusters"):
        key = str(c["id"])
        into = pins.get(("merge", key))
        pinned = pins.get(("cluster_theme", key)) or (pins.get(("cluster_theme", into)) if into else None)
        label = pins.get(("cluster_label", key))
        out.append(ClusterInfo(c["id"], label or c["label"], json.loads(c["keywords"]),
                               json.loads(c["representatives"]), pinned or c["theme"], c["theme"], c["theme2"],
                               c["confidence"], c["size"], pinned is not None, label is not None,
                               int(into) if into else None))
    out.sort(key=lambda c: (c.confirmed, c.merged_into is not None, c.confidence or 0.0, -c.size, c.id))
    return out


def cluster_members(conn: sqlite3.Connection, cluster: int | None) -> list[dict[str, Any]]:
    """Statements of a cluster (None: every published statement), least sure first."""
    where = "t.cluster = ?" if cluster is not None else "s.published = 1"
    params = [cluster] if cluster is not None else []
    return [dict(r) for r in conn.execute(
        f"SELECT s.id, s.status, s.kind, s.text, e.theme, e.source, e.suggested, e.theme2, e.confidence "
        f"FROM statements s JOIN effective_themes e ON e.statement_id = s.id LEFT JOIN themes t "
        f"ON t.statement_id = s.id WHERE {where} ORDER BY e.source = 'analyst', COALESCE(e.confidence, 0), s.seq",
        params)]


def taxonomy(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(id, label, title) of the themes stored with the queue."""
    return [(r["id"], r["label"], r["title"]) for r in conn.execute("SELECT * FROM taxonomy ORDER BY pos")]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Submissions per status (cheap: the status index answers it)."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT status, count(*) FROM statements WHERE kind = 'submission' GROUP BY status")}


def _agreement(conn: sqlite3.Connection) -> dict[str, int]:
    """How the checker's verdicts compare with what moderators decided (decided submissions with a verdict)."""
    row = conn.execute(
        "SELECT count(*), "
        "sum(verdict = 'accept' AND status IN ('accepted', 'edited')), "
        "sum(verdict = 'reject' AND status IN ('rejected', 'merged')), "
        "sum(verdict = 'accept' AND status IN ('rejected', 'merged')), "
        "sum(verdict = 'reject' AND status IN ('accepted', 'edited')), "
        "sum(verdict = 'review') "
        "FROM statements WHERE kind = 'submission' AND status != 'pending' AND verdict IS NOT NULL").fetchone()
    keys = ("decided", "both_accept", "both_reject", "checker_accept_moderator_reject",
            "checker_reject_moderator_accept", "checker_review")
    return {k: int(v or 0) for k, v in zip(keys, row)} if row[0] else {}


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Counts for `queue stats` and the TUI's header."""

    def count(sql: str, *params: Any) -> dict[str, int]:
        return {str(r[0]): r[1] for r in conn.execute(sql, params)}

    sub = "FROM statements WHERE kind = 'submission'"
    return {
        "submissions": conn.execute(f"SELECT count(*) {sub}").fetchone()[0],
        "reference": conn.execute("SELECT count(*) FROM statements WHERE kind = 'reference'").fetchone()[0],
        "published": conn.execute("SELECT count(*) FROM statements WHERE published = 1").fetchone()[0],
        "status": count(f"SELECT status, count(*) {sub} GROUP BY status ORDER BY count(*) DESC"),
        "verdict": count(f"SELECT COALESCE(verdict, '-'), count(*) {sub} GROUP BY 1 ORDER BY 2 DESC"),
        "lang": count(f"SELECT COALESCE(lang, '-'), count(*) {sub} GROUP BY 1 ORDER BY 2 DESC"),
        "flags": count("SELECT code, count(DISTINCT statement_id) FROM flags GROUP BY code ORDER BY 2 DESC"),
        "reasons": count("SELECT j.value, count(*) FROM statements s, json_each(s.codes) j "
                         "WHERE s.status IN ('rejected', 'merged') GROUP BY 1 ORDER BY 2 DESC"),
        "themes": count("SELECT COALESCE(theme, '-'), count(*) FROM effective_themes e JOIN statements s "
                        "ON s.id = e.statement_id WHERE s.published = 1 GROUP BY 1 ORDER BY 1"),
        "moderators": count("SELECT who, count(*) FROM decisions d WHERE action IN ('accept','reject','edit','merge')"
                            " AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq) GROUP BY who "
                            "ORDER BY 2 DESC"),
        "decisions": conn.execute("SELECT count(*) FROM decisions").fetchone()[0],
        "checker_vs_moderators": _agreement(conn),
        "clusters": conn.execute("SELECT count(*) FROM clusters").fetchone()[0],
        "stages": sorted({s for r in conn.execute("SELECT stages FROM runs") for s in json.loads(r[0])}),
    }


def import_summary(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Any]:
    """What an import brought in: verdicts, reason codes, languages, duplicates and clusters of `ids`."""
    from collections import Counter

    verdicts: Counter = Counter()
    langs: Counter = Counter()
    codes: Counter = Counter()
    duplicates = 0
    clusters: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        for r in conn.execute(f"SELECT verdict, lang, n_duplicates FROM statements WHERE id IN ({marks})", chunk):
            verdicts[r[0] or "unchecked"] += 1
            langs[r[1] or "und"] += 1
            duplicates += bool(r[2])
        for code, n in conn.execute(f"SELECT code, count(DISTINCT statement_id) FROM flags WHERE statement_id IN "
                                    f"({marks}) GROUP BY code", chunk):
            codes[code] += n
        clusters.update(r[0] for r in conn.execute(f"SELECT DISTINCT cluster FROM themes WHERE statement_id IN "
                                                   f"({marks}) AND cluster IS NOT NULL", chunk))
    return {"statements": len(ids), "verdicts": dict(verdicts.most_common()), "codes": dict(codes.most_common()),
            "languages": dict(langs.most_common()), "with_duplicates": duplicates, "clusters": len(clusters)}
