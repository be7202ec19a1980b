"""Writing statements and their stage results into the queue.

Stage results are stored schema-first: flags, duplicate candidates, theme
assignments and clusters each have their table, filled from whatever the
pipeline returned. A stage that has not run leaves its table empty; nothing
is invented in its place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from statementkit.errors import QueueError
from statementkit.queue.db import now_iso
from statementkit.records import DedupResult, Screening, Statement, ThemeAssignment


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def check_encodable(statements: Iterable[Statement]) -> None:
    """SQLite stores UTF-8: refuse text with unpaired surrogates (e.g. JSON "\\ud800") up front."""
    for st in statements:
        for what, value in (("id", st.id), ("text", st.text), ("fields", dumps(st.meta))):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise QueueError(f"statement '{st.id!r}': its {what} contains an unpaired surrogate "
                                 f"({value[e.start]!r} at position {e.start}), which cannot be stored; "
                                 "fix the input file's encoding") from None


def new_run(conn: sqlite3.Connection, kind: str, source: str | None, who: str, n: int,
            stages: Sequence[str]) -> int:
    cur = conn.execute("INSERT INTO runs (kind, source, who, at, n, stages) VALUES (?, ?, ?, ?, ?, ?)",
                       (kind, source, who, now_iso(), n, dumps(list(stages))))
    return int(cur.lastrowid)


def insert_statements(conn: sqlite3.Connection, statements: Iterable[Statement], *, kind: str, run_id: int,
                      who: str) -> None:
    """New rows: submissions start pending; reference statements start published."""
    at = now_iso()
    if kind == "reference":
        rows = ((s.id, kind, s.text, s.text, s.lang, dumps(s.meta), "accepted", 1, who, at, run_id, at)
                for s in statements)
    else:
        rows = ((s.id, kind, s.text, s.text, s.lang, dumps(s.meta), "pending", 0, None, None, run_id, at)
                for s in statements)
    conn.executemany(
        "INSERT INTO statements (id, kind, text, original_text, lang, meta, status, published, decided_by,"
        " decided_at, run_id, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def set_languages(conn: sqlite3.Connection, statements: Iterable[Statement]) -> None:
    conn.executemany("UPDATE statements SET lang = ? WHERE id = ?",
                     ((s.lang, s.id) for s in statements if s.lang is not None))


def store_screening(conn: sqlite3.Connection, screenings: Iterable[Screening]) -> None:
    """Replace the criteria flags and verdict of each screened statement."""
    for sc in screenings:
        conn.execute("DELETE FROM flags WHERE statement_id = ?", (sc.id,))
        conn.executemany(
            "INSERT INTO flags (statement_id, pos, code, message, span_start, span_end, suggestion, severity,"
            " rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((sc.id, i, f.code, f.message, f.span.start if f.span else None, f.span.end if f.span else None,
              f.suggestion, f.severity, f.rule) for i, f in enumerate(sc.flags)))
        conn.execute("UPDATE statements SET verdict = ? WHERE id = ?", (sc.verdict, sc.id))


def store_duplicates(conn: sqlite3.Connection, results: Iterable[DedupResult]) -> None:
    """Replace the duplicate candidates (best first) and group of each statement."""
    for r in results:
        conn.execute("DELETE FROM duplicates WHERE statement_id = ?", (r.id,))
        ranked = sorted(r.duplicates, key=lambda d: -d.score)
        conn.executemany(
            "INSERT INTO duplicates (statement_id, pos, other_id, score, same_stance, is_duplicate, published,"
            " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((r.id, i, d.id, float(d.score), int(d.same_stance), int(d.is_duplicate), int(d.published), d.reason)
             for i, d in enumerate(ranked)))
        n = sum(1 for d in ranked if d.is_duplicate)
        conn.execute("UPDATE statements SET dup_group = ?, n_duplicates = ? WHERE id = ?", (r.group, n, r.id))


def store_themes(conn: sqlite3.Connection, assignments: Iterable[ThemeAssignment]) -> None:
    """Replace the model's theme assignment of each statement (analyst pins live elsewhere)."""
    conn.executemany(
        "INSERT OR REPLACE INTO themes (statement_id, cluster, theme, theme2, confidence, labels, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((a.id, a.cluster, a.theme, a.theme2, float(a.confidence), dumps(list(a.labels)), a.source)
         for a in assignments))


def leave_clusters_except(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Clear the cluster of every statement not in `ids` (the statements a themes run clustered)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_ids (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM run_ids")
    conn.executemany("INSERT OR IGNORE INTO run_ids (id) VALUES (?)", ((i,) for i in ids))
    conn.execute("UPDATE themes SET cluster = NULL WHERE cluster IS NOT NULL "
                 "AND statement_id NOT IN (SELECT id FROM run_ids)")
    conn.execute("DELETE FROM run_ids")


def store_clusters(conn: sqlite3.Connection, clusters: Iterable[Any], run_id: int) -> None:
    """Replace the cluster table with the themes stage's clusters.

    A cluster has `id, label, keywords, representatives, theme, theme2,
    confidence, members` (the themes stage's `Cluster`).
    """
    conn.execute("DELETE FROM clusters")
    conn.executemany(
        "INSERT INTO clusters (id, label, keywords, representatives, theme, theme2, confidence, size, run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((c.id, c.label, dumps(list(c.keywords)), dumps([_rep_id(r) for r in c.representatives]), c.theme,
          c.theme2, None if c.confidence is None else float(c.confidence), len(c.members), run_id)
         for c in clusters))


def _rep_id(rep: Any) -> str:
    """Representatives may be statement ids or Statements."""
    return rep if isinstance(rep, str) else str(getattr(rep, "id", rep))


def store_taxonomy(conn: sqlite3.Connection, themes: Sequence[tuple[str, str, str]]) -> None:
    """(id, label, title) of each theme the analyst can assign."""
    conn.execute("DELETE FROM taxonomy")
    conn.executemany("INSERT INTO taxonomy (id, label, title, pos) VALUES (?, ?, ?, ?)",
                     ((tid, label, title, i) for i, (tid, label, title) in enumerate(themes)))


def set_meta(conn: sqlite3.Connection, **values: str) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default
