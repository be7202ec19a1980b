"""Claims: which moderator is looking at which item, with an expiry.

A triage session claims the item it shows; other sessions skip it when
jumping to the next pending item, show who holds it, and cannot decide it
until the claim is released (by the decision) or expires (the session died or
walked away). Claims are hints for working side by side; the guarantee that
nothing is decided twice comes from `actions.decide`, which checks both the
claim and the status inside one write transaction.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from statementkit.queue.db import transaction

DEFAULT_TTL_S = 120.0


def claim(conn: sqlite3.Connection, sid: str, who: str, session: str, ttl: float = DEFAULT_TTL_S) -> str | None:
    """Claim (or renew) `sid` for `session`; returns the other holder's name when it is taken.

    A claim left by the same moderator's earlier session (one that crashed or
    was closed without releasing) is taken over rather than waited out.
    """
    with transaction(conn):
        now = time.time()
        row = conn.execute("SELECT who, session FROM claims WHERE statement_id = ? AND expires > ?",
                           (sid, now)).fetchone()
        if row is not None and row["session"] != session and row["who"] != who:
            return row["who"]
        conn.execute("INSERT OR REPLACE INTO claims (statement_id, who, session, expires) VALUES (?, ?, ?, ?)",
                     (sid, who, session, now + ttl))
        return None


def release(conn: sqlite3.Connection, session: str, ids: Sequence[str] | None = None) -> None:
    """Give back this session's claims (all of them, or `ids`)."""
    with transaction(conn):
        if ids is None:
            conn.execute("DELETE FROM claims WHERE session = ?", (session,))
        else:
            conn.executemany("DELETE FROM claims WHERE session = ? AND statement_id = ?",
                             ((session, i) for i in ids))


def holders(conn: sqlite3.Connection, exclude_who: str | None = None) -> dict[str, str]:
    """Live claims: statement id -> who holds it (leaving out `exclude_who`'s own)."""
    rows = conn.execute("SELECT statement_id, who FROM claims WHERE expires > ?", (time.time(),))
    return {r["statement_id"]: r["who"] for r in rows if r["who"] != exclude_who}


def claim_next(conn: sqlite3.Connection, who: str, session: str, *, after_seq: int = 0,
               ttl: float = DEFAULT_TTL_S, candidates: Sequence[int] | None = None) -> str | None:
    """Claim the first pending submission after `after_seq` that nobody else holds.

    `candidates` (seqs in list order) restricts the search to a filtered list;
    the search wraps around to the start. Returns the claimed id, or None when
    every pending item is decided or held by someone else.
    """
    with transaction(conn):
        now = time.time()
        conn.execute("DELETE FROM claims WHERE expires <= ?", (now,))
        free = ("SELECT s.seq, s.id FROM statements s LEFT JOIN claims c ON c.statement_id = s.id "
                "WHERE s.kind = 'submission' AND s.status = 'pending' AND (c.who IS NULL OR c.who = ?)")
        if candidates is None:
            row = (conn.execute(free + " AND s.seq > ? ORDER BY s.seq LIMIT 1", (who, after_seq)).fetchone()
                   or conn.execute(free + " ORDER BY s.seq LIMIT 1", (who,)).fetchone())
        else:
            ok = {r["seq"]: r["id"] for r in conn.execute(free, (who,))}
            order = [s for s in candidates if s > after_seq] + [s for s in candidates if s <= after_seq]
            seq = next((s for s in order if s in ok), None)
            row = {"id": ok[seq]} if seq is not None else None
        if row is None:
            return None
        conn.execute("INSERT OR REPLACE INTO claims (statement_id, who, session, expires) VALUES (?, ?, ?, ?)",
                     (row["id"], who, session, now + ttl))
        return row["id"]
