"""The analyst's theme decisions in the queue, in the themes stage's own record format.

The themes stage keeps its decisions in a storage-agnostic `ThemeDecisions`
whose `to_records()` rows are `{kind, key, value, ...}`. The queue stores the
same rows in `theme_decisions` (their other fields in `extra`), so the
analyst view and `statementkit themes` share one set of decisions:

- analyst decisions (statement/cluster themes, labels, merges) are written one
  at a time through `actions`, each with an audit-log entry and undo;
- the model's bookkeeping (last run's cluster membership, next free cluster id)
  is replaced wholesale after each themes run, without audit;
- every statement the analyst pinned also becomes a confirmed `example`, with
  its current text, so the model learns from the queue's decisions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from statementkit.queue.db import now_iso

#: Kinds the themes stage maintains itself; the queue stores them as they come.
BOOKKEEPING = ("cluster_members", "next_cluster")
_KNOWN = ("kind", "key", "value")


def records(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every stored decision as `ThemeDecisions.to_records()` rows, plus examples from pinned statements."""
    rows = []
    explicit_examples = set()
    for r in conn.execute("SELECT kind, key, value, extra FROM theme_decisions ORDER BY kind, key"):
        row = {"kind": r["kind"], "key": r["key"], "value": r["value"], **json.loads(r["extra"])}
        if r["kind"] == "example":
            explicit_examples.add(r["key"])
        rows.append(row)
    for r in conn.execute("SELECT d.key, d.value, s.text, s.lang FROM theme_decisions d JOIN statements s "
                          "ON s.id = d.key WHERE d.kind = 'statement_theme' ORDER BY s.seq"):
        if r["key"] not in explicit_examples:
            rows.append({"kind": "example", "key": r["key"], "value": r["value"], "text": r["text"],
                         "lang": r["lang"]})
    return rows


def reserve_cluster_id(conn: sqlite3.Connection, who: str) -> int:
    """A new cluster id, never given before and never given again (call inside a transaction).

    The themes stage's `next_cluster` moves past it at once: an id an analyst has seen (a split's
    new cluster) stays used when the decision that created it is undone.
    """
    from statementkit.themes.decisions import ThemeDecisions

    decisions = ThemeDecisions.from_records(records(conn))
    # the clusters on screen, also those the bookkeeping does not list (`Queue.add_screened` stores a
    # themes result the queue did not run itself)
    shown = conn.execute("SELECT max(id) FROM (SELECT id FROM clusters UNION ALL "
                         "SELECT cluster AS id FROM themes WHERE cluster IS NOT NULL)").fetchone()[0]
    if shown is not None:
        decisions.next_cluster = max(decisions.next_cluster, int(shown) + 1)
    new = decisions.allocate()
    store_bookkeeping(conn, decisions.to_records(), who)
    return new


def store_bookkeeping(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]], who: str) -> None:
    """Replace the themes stage's bookkeeping rows (call inside a transaction)."""
    conn.execute(f"DELETE FROM theme_decisions WHERE kind IN ({', '.join('?' * len(BOOKKEEPING))})", BOOKKEEPING)
    at = now_iso()
    conn.executemany(
        "INSERT INTO theme_decisions (kind, key, value, extra, who, at) VALUES (?, ?, ?, ?, ?, ?)",
        ((r["kind"], str(r.get("key") or ""), str(r.get("value") or ""),
          json.dumps({k: v for k, v in r.items() if k not in _KNOWN}, ensure_ascii=False), who, at)
         for r in rows if r["kind"] in BOOKKEEPING))
