"""Decisions, undo and the audit log.

Every change is one row appended to `decisions` with a JSON snapshot of what
it changed before and after; undo appends another row that restores the
"before" (the log itself is never rewritten: triggers forbid it). A batch
action writes all its rows in one transaction under one batch number and is
undone as a whole.

Concurrency: each decision runs in a `BEGIN IMMEDIATE` transaction and only
applies when the statement is still in the state the moderator saw
(`expect`, by default "pending") and nobody else holds a live claim on it, so
two sessions never decide the same item twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from statementkit.errors import QueueConflict, QueueError, listed
from statementkit.queue.db import now_iso, transaction
from statementkit.queue.items import LogEntry
from statementkit.queue.store import dumps, store_screening
from statementkit.records import REASON_CODES, Screening

STATUS_ACTIONS = ("accept", "reject", "edit", "merge")
#: Analyst decisions on clusters and the theme_decisions kind each one writes.
CLUSTER_ACTIONS = {"cluster_theme": "cluster_theme", "cluster_label": "cluster_label", "cluster_merge": "merge"}
STATE_FIELDS = ("status", "text", "published", "merged_into", "codes", "note", "decided_by", "decided_at")
NEW_STATUS = {"accept": "accepted", "reject": "rejected", "edit": "edited", "merge": "merged"}
CLUSTER_PREFIX = "cluster:"


@dataclass(slots=True)
class Skipped:
    """An item a batch action left alone, and why."""

    id: str
    reason: str


# ---------------------------------------------------------------- snapshots


def _statement_state(conn: sqlite3.Connection, sid: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {', '.join(STATE_FIELDS)} FROM statements WHERE id = ?", (sid,)).fetchone()
    if row is None:
        return None
    state = dict(zip(STATE_FIELDS, row))
    state["codes"] = json.loads(state["codes"])
    return state


def _set_statement_state(conn: sqlite3.Connection, sid: str, state: dict[str, Any], expect_status: str) -> None:
    values = {**state, "codes": dumps(state["codes"])}
    cur = conn.execute(
        f"UPDATE statements SET {', '.join(f'{k} = ?' for k in STATE_FIELDS)} WHERE id = ? AND status = ?",
        (*(values[k] for k in STATE_FIELDS), sid, expect_status))
    if cur.rowcount != 1:  # cannot happen inside BEGIN IMMEDIATE; refuse rather than half-write
        raise QueueConflict(f"'{sid}' changed while being decided; nothing was written")


def _theme_value(conn: sqlite3.Connection, kind: str, key: str) -> str | None:
    row = conn.execute("SELECT value FROM theme_decisions WHERE kind = ? AND key = ?", (kind, key)).fetchone()
    return row[0] if row else None


def _set_theme_value(conn: sqlite3.Connection, kind: str, key: str, value: str | None, who: str, at: str) -> None:
    if value is None:
        conn.execute("DELETE FROM theme_decisions WHERE kind = ? AND key = ?", (kind, key))
    else:
        conn.execute("INSERT OR REPLACE INTO theme_decisions (kind, key, value, who, at) VALUES (?, ?, ?, ?, ?)",
                     (kind, key, value, who, at))


def _target_of(action: str, key: str) -> tuple[str, str]:
    """(theme_decisions kind, key) of a theme action on `key`."""
    if action == "theme":
        return "statement_theme", key
    if action == "cluster_split":  # keyed by the new cluster, as ThemeDecisions.to_records() has it
        return "split", key.removeprefix(CLUSTER_PREFIX)
    return CLUSTER_ACTIONS[action], key.removeprefix(CLUSTER_PREFIX)


# ---------------------------------------------------------------- claims check


def _claim_holder(conn: sqlite3.Connection, sid: str, who: str, now: float) -> str | None:
    """The other moderator holding a live claim on `sid` (a moderator's own claims never block them)."""
    row = conn.execute("SELECT who FROM claims WHERE statement_id = ? AND expires > ?", (sid, now)).fetchone()
    if row is None or row[0] == who:
        return None
    return row[0]


def _next_batch(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM decisions").fetchone()[0]


def _append(conn: sqlite3.Connection, batch: int, target: str, action: str, codes: Sequence[str],
            note: str | None, who: str, at: str, before: dict, after: dict, undoes: int | None = None) -> LogEntry:
    cur = conn.execute(
        "INSERT INTO decisions (batch, target, action, codes, note, who, at, before, after, undoes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (batch, target, action, dumps(list(codes)), note, who, at, dumps(before), dumps(after), undoes))
    return LogEntry(int(cur.lastrowid), batch, target, action, list(codes), note, who, at, before, after, undoes)


# ---------------------------------------------------------------- deciding


def check_codes(codes: Sequence[str]) -> list[str]:
    """Reason codes, de-duplicated, each one of the design's codes."""
    out = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    bad = [c for c in out if c not in REASON_CODES]
    if bad:
        raise QueueError(f"unknown reason code '{bad[0]}' (valid: {', '.join(REASON_CODES)})")
    return out


def decide(conn: sqlite3.Connection, ids: Sequence[str], action: str, *, who: str,
           codes: Sequence[str] = (), note: str | None = None, text: str | None = None, into: str | None = None,
           theme: str | None = None, expect: Collection[str] | None = ("pending",),
           skip_conflicts: bool = False, themes: Collection[str] | None = None,
           screening: Screening | None = None, reason_known: bool = True) -> tuple[list[LogEntry], list[Skipped]]:
    """Apply one action to each of `ids` in a single transaction.

    action: accept | reject (needs `codes`) | edit (needs `text`, one id) |
    merge (needs `into`) | theme (needs `theme`; None clears the analyst's pin).
    `expect` is the set of statuses the moderator saw (None: any, to revise a
    decision). `screening`: the checks' result for an edit's new text, stored with the edit in
    the same transaction (flags and verdict always describe the text shown). `reason_known=False`
    records a rejection made elsewhere whose reason was not recorded (a pol.is export's
    `moderated = -1`); the report shows it as "not recorded". With `skip_conflicts`, items decided or claimed by someone else
    are skipped and returned; otherwise the first one raises `QueueConflict`
    and nothing is written.
    """
    if action not in STATUS_ACTIONS and action != "theme":
        raise QueueError(f"unknown action '{action}' (valid: {', '.join((*STATUS_ACTIONS, 'theme'))})")
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise QueueError("no statement ids given")
    codes = check_codes(codes)
    if action == "reject" and not codes and reason_known:
        raise QueueError(f"a rejection needs at least one reason code (valid: {', '.join(REASON_CODES)})")
    if action == "edit":
        if len(ids) != 1:
            raise QueueError("edit one statement at a time")
        if text is None or not text.strip():
            raise QueueError("an edit needs the new, non-empty text")
        text = text.strip()
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise QueueError("the edited text contains an unpaired surrogate and cannot be stored") from None
    if action == "merge":
        if not into:
            raise QueueError("a merge needs the id of the statement to merge into")
        if into in ids:
            raise QueueError(f"cannot merge '{into}' into itself")
        codes = codes or ["duplicate"]
    if action == "theme" and theme is not None and themes is not None and theme not in themes:
        raise QueueError(f"unknown theme '{theme}' (valid: {', '.join(themes)})")
    made: list[LogEntry] = []
    skipped: list[Skipped] = []
    with transaction(conn):
        now, at = time.time(), now_iso()
        batch = _next_batch(conn)
        if action == "merge":
            _check_merge_target(conn, into)
        for sid in ids:
            before = _statement_state(conn, sid)
            if before is None:
                raise QueueError(f"no statement '{sid}' in the queue")
            if action == "theme":
                kind, key = _target_of(action, sid)
                old = _theme_value(conn, kind, key)
                if old == theme:
                    skipped.append(Skipped(sid, f"already has theme {theme}"))
                    continue
                _set_theme_value(conn, kind, key, theme, who, at)
                made.append(_append(conn, batch, sid, action, codes, note, who, at, {"value": old}, {"value": theme}))
                continue
            problem = _conflict(conn, sid, before, expect, who, now)
            blocked = _unpublish_problem(conn, sid) if action in ("reject", "merge") and before["published"] else None
            if blocked and not problem:
                if not skip_conflicts:
                    raise QueueError(blocked)
                skipped.append(Skipped(sid, blocked))
                continue
            if problem:
                if not skip_conflicts:
                    raise QueueConflict(problem)
                skipped.append(Skipped(sid, problem))
                continue
            if action == "edit" and text == before["text"]:
                raise QueueError(f"the edit leaves '{sid}' unchanged; accept it instead")
            after = _after(action, before, codes=codes, note=note, text=text, into=into, who=who, at=at)
            _set_statement_state(conn, sid, after, before["status"])
            if action == "edit" and screening is not None:
                store_screening(conn, [screening])
            conn.execute("DELETE FROM claims WHERE statement_id = ?", (sid,))
            made.append(_append(conn, batch, sid, action, codes, note, who, at, before, after))
    return made, skipped


def pin_themes(conn: sqlite3.Connection, pins: dict[str, str], *, who: str, note: str | None = None) -> list[LogEntry]:
    """Record statement themes given with the input (e.g. a published set with known themes).

    Runs inside the caller's transaction (an import), as one undoable batch.
    """
    if not pins:
        return []
    at = now_iso()
    batch = _next_batch(conn)
    made = []
    for sid, theme in pins.items():
        old = _theme_value(conn, "statement_theme", sid)
        if old == theme:
            continue
        _set_theme_value(conn, "statement_theme", sid, theme, who, at)
        made.append(_append(conn, batch, sid, "theme", (), note, who, at, {"value": old}, {"value": theme}))
    return made


def _check_merge_target(conn: sqlite3.Connection, into: str) -> None:
    """A merge points at a published statement (reference, accepted or edited): never at a pending,
    rejected or merged one, so no statement is 'merged into' something that is not public, and no
    chain of merges forms."""
    row = conn.execute("SELECT status, merged_into, published FROM statements WHERE id = ?", (into,)).fetchone()
    if row is None:
        raise QueueError(f"cannot merge into '{into}': no such statement in the queue")
    if row[0] in ("rejected", "merged"):
        where = f" into '{row[1]}'" if row[1] else ""
        raise QueueError(f"cannot merge into '{into}': it was {row[0]}{where}; merge into a published statement")
    if not row[2]:
        raise QueueError(f"cannot merge into '{into}': it is {row[0]}, not published; accept it first, "
                         "or merge into a published statement")


def followers(conn: sqlite3.Connection, sid: str) -> list[str]:
    """Statements merged into `sid`: while there are any, `sid` must stay published."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM statements WHERE merged_into = ? AND status = 'merged' ORDER BY seq", (sid,))]


def _unpublish_problem(conn: sqlite3.Connection, sid: str) -> str | None:
    """Why `sid` cannot stop being published (rejected, merged, an accept undone), or None."""
    following = followers(conn, sid)
    if not following:
        return None
    return (f"'{sid}' has {len(following)} statement{'s' * (len(following) > 1)} merged into it "
            f"({listed(following, 5)}); "
            "undo or revise those merges first")


def _conflict(conn: sqlite3.Connection, sid: str, state: dict[str, Any], expect: Collection[str] | None,
              who: str, now: float) -> str | None:
    if expect is not None and state["status"] not in expect:
        by = f" by {state['decided_by']}" if state["decided_by"] else ""
        when = f" at {state['decided_at']}" if state["decided_at"] else ""
        return f"'{sid}' is already {state['status']}{by}{when}"
    holder = _claim_holder(conn, sid, who, now)
    if holder:
        return f"'{sid}' is being looked at by {holder} (claimed); pick another item"
    return None


def _after(action: str, before: dict[str, Any], *, codes: list[str], note: str | None, text: str | None,
           into: str | None, who: str, at: str) -> dict[str, Any]:
    after = {**before, "status": NEW_STATUS[action], "codes": codes, "note": note, "decided_by": who,
             "decided_at": at, "merged_into": None}
    if action in ("accept", "edit"):
        after["published"] = 1
    else:
        after["published"] = 0
    if action == "edit":
        after["text"] = text
    if action == "merge":
        after["merged_into"] = into
    return after


def decide_cluster(conn: sqlite3.Connection, cluster_id: int | str, action: str, value: str | None, *,
                   who: str, note: str | None = None) -> LogEntry | None:
    """An analyst decision on a cluster: its theme, label, a merge into another cluster, a split.

    Returns None when the decision is already in force.
    """
    if action not in CLUSTER_ACTIONS:
        raise QueueError(f"unknown cluster action '{action}' (valid: {', '.join(CLUSTER_ACTIONS)})")
    key = str(cluster_id)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM clusters WHERE id = ?", (int(key),)).fetchone() is None:
            raise QueueError(f"no cluster {key} in the queue")
        if action == "cluster_merge" and value is not None:
            _check_cluster_merge(conn, int(key), value)
        kind = CLUSTER_ACTIONS[action]
        old = _theme_value(conn, kind, key)
        if old == value:
            return None
        at = now_iso()
        _set_theme_value(conn, kind, key, value, who, at)
        return _append(conn, _next_batch(conn), CLUSTER_PREFIX + key, action, (), note, who, at,
                       {"value": old}, {"value": value})


def _check_cluster_merge(conn: sqlite3.Connection, cluster: int, into: str) -> None:
    """A cluster merges into another cluster that exists, not into itself or into one merged into it."""
    try:
        target = int(into)
    except ValueError:
        raise QueueError(f"cluster ids are numbers, got '{into}'") from None
    known = [r[0] for r in conn.execute("SELECT id FROM clusters ORDER BY id")]
    if target not in known:
        raise QueueError(f"no cluster {target} to merge into (clusters: {', '.join(map(str, known))})")
    if target == cluster:
        raise QueueError("cannot merge a cluster into itself")
    merges = {int(k): int(v) for k, v in conn.execute(
        "SELECT key, value FROM theme_decisions WHERE kind = 'merge' AND value IS NOT NULL")}
    seen, at = set(), target
    while at in merges and at not in seen:
        seen.add(at)
        at = merges[at]
    if at == cluster:
        raise QueueError(f"cluster {target} is already merged into {cluster}")


def split_cluster(conn: sqlite3.Connection, cluster_id: int | str, ids: Sequence[str], *, who: str,
                  note: str | None = None) -> LogEntry:
    """Move statements `ids` out of cluster `cluster_id` into a new cluster (applied on the next themes run).

    The new cluster's id comes from the themes stage's own bookkeeping
    (`ThemeDecisions.allocate`) and is reserved there at once, so it is never
    given again, not even after the split is undone. The audit-log target is
    the new cluster; undo removes the split.
    """
    from statementkit.queue.analyst import reserve_cluster_id

    ids = list(dict.fromkeys(str(i) for i in ids))
    with transaction(conn):
        members = [r[0] for r in conn.execute("SELECT statement_id FROM themes WHERE cluster = ? "
                                              "ORDER BY statement_id", (int(cluster_id),))]
        if not members:
            raise QueueError(f"no cluster {cluster_id} in the queue")
        strangers = [i for i in ids if i not in members]
        if not ids or strangers:
            raise QueueError(f"cannot split {listed(strangers) or 'nothing'} out of cluster {cluster_id}: "
                             f"its statements are {listed(members)}")
        if len(ids) == len(members):
            raise QueueError(f"a split must leave statements in cluster {cluster_id}; rename it instead")
        for into, extra in conn.execute("SELECT key, extra FROM theme_decisions WHERE kind = 'split' AND value = ?",
                                        (str(cluster_id),)):
            again = [i for i in ids if i in json.loads(extra).get("ids", ())]
            if again:  # a second new cluster would be reserved and stay empty
                raise QueueError(f"{listed(again)} already move{'s' * (len(again) == 1)} out of cluster "
                                 f"{cluster_id} into new cluster {into} on the next themes run; undo that first")
        into = str(reserve_cluster_id(conn, who))
        at = now_iso()
        conn.execute("INSERT INTO theme_decisions (kind, key, value, extra, who, at) VALUES ('split', ?, ?, ?, ?, ?)",
                     (into, str(cluster_id), dumps({"ids": ids}), who, at))
        return _append(conn, _next_batch(conn), CLUSTER_PREFIX + into, "cluster_split", (), note, who, at,
                       {"value": None}, {"value": str(cluster_id), "ids": ids})


# ---------------------------------------------------------------- undo


def undo(conn: sqlite3.Connection, *, who: str, seq: int | None = None) -> list[LogEntry]:
    """Undo `who`'s latest decision (its whole batch), or the decision `seq`.

    Refuses, writing nothing, when the item changed since (someone decided it
    after): undo that later decision first.
    """
    with transaction(conn):
        if seq is None:
            # the latest of `who`'s batches that can still be undone: one that someone revised since
            # (a later decision on the same statement) is passed over, not a dead end
            candidates = conn.execute(
                "SELECT seq, batch FROM decisions d WHERE who = ? AND action != 'undo' AND NOT EXISTS "
                "(SELECT 1 FROM decisions u WHERE u.undoes = d.seq) ORDER BY seq DESC", (who,)).fetchall()
            if not candidates:
                raise QueueError(f"nothing to undo: {who} has no decision left that is not undone")
            row = next((c for c in candidates if _undoable(conn, c[1])), None)
            if row is None:
                blocked = LogEntry.from_row(conn.execute("SELECT * FROM decisions WHERE seq = ?",
                                                         (candidates[0][0],)).fetchone())
                raise QueueConflict(_changed_since(conn, blocked))
        else:
            row = conn.execute("SELECT seq, batch, action FROM decisions WHERE seq = ?", (seq,)).fetchone()
            if row is None:
                raise QueueError(f"no decision #{seq} in the audit log")
            if row[2] == "undo":
                raise QueueError(f"decision #{seq} is itself an undo; decide again instead")
            if conn.execute("SELECT seq FROM decisions WHERE undoes = ?", (seq,)).fetchone():
                raise QueueError(f"decision #{seq} is already undone")
        at = now_iso()
        batch = _next_batch(conn)
        return [_undo_one(conn, d, who, at, batch) for d in _open_decisions(conn, row[1])]


def _undo_one(conn: sqlite3.Connection, d: LogEntry, who: str, at: str, batch: int) -> LogEntry:
    if not _in_force(conn, d):
        raise QueueConflict(_changed_since(conn, d))
    if d.action in STATUS_ACTIONS:
        current = _statement_state(conn, d.target)
        if current["published"] and not d.before.get("published"):
            problem = _unpublish_problem(conn, d.target)
            if problem:
                raise QueueError(f"cannot undo #{d.seq} ({d.action} '{d.target}'): {problem}")
        _set_statement_state(conn, d.target, d.before, current["status"])
    else:
        kind, key = _target_of(d.action, d.target)
        _set_theme_value(conn, kind, key, d.before["value"], who, at)
    return _append(conn, batch, d.target, "undo", d.codes, None, who, at, d.after, d.before, undoes=d.seq)


def _open_decisions(conn: sqlite3.Connection, batch: int) -> list[LogEntry]:
    """The decisions of `batch` that are not undone, newest first."""
    return [LogEntry.from_row(r) for r in conn.execute(
        "SELECT * FROM decisions d WHERE batch = ? AND action != 'undo' AND NOT EXISTS "
        "(SELECT 1 FROM decisions u WHERE u.undoes = d.seq) ORDER BY seq DESC", (batch,))]


def _in_force(conn: sqlite3.Connection, d: LogEntry) -> bool:
    """Whether decision `d` still describes its target: nobody changed it since."""
    if d.action in STATUS_ACTIONS:
        return _statement_state(conn, d.target) == d.after
    kind, key = _target_of(d.action, d.target)
    return _theme_value(conn, kind, key) == d.after["value"]


def _undoable(conn: sqlite3.Connection, batch: int) -> bool:
    return all(_in_force(conn, d) for d in _open_decisions(conn, batch))


def _changed_since(conn: sqlite3.Connection, d: LogEntry) -> str:
    later = conn.execute("SELECT seq, action, who FROM decisions WHERE target = ? AND seq > ? ORDER BY seq DESC "
                         "LIMIT 1", (d.target, d.seq)).fetchone()
    by = f" by #{later[0]} ({later[1]}, {later[2]})" if later else ""
    return (f"cannot undo #{d.seq} ({d.action} '{d.target}'): it was changed since{by}; "
            "undo that later decision first")


# ---------------------------------------------------------------- reading the log


def log(conn: sqlite3.Connection, *, target: str | None = None, who: str | None = None, since: int = 0,
        limit: int | None = None) -> list[LogEntry]:
    """The audit log, oldest first, each entry with the seq of the undo that reverted it."""
    where, params = ["d.seq > ?"], [since]
    if target is not None:
        where.append("d.target = ?")
        params.append(target)
    if who is not None:
        where.append("d.who = ?")
        params.append(who)
    sql = (f"SELECT d.*, (SELECT u.seq FROM decisions u WHERE u.undoes = d.seq) AS undone_by FROM decisions d "
           f"WHERE {' AND '.join(where)} ORDER BY d.seq")
    if limit is not None:
        sql = f"SELECT * FROM ({sql[:-len(' ORDER BY d.seq')]} ORDER BY d.seq DESC LIMIT {int(limit)}) ORDER BY seq"
    return [LogEntry.from_row(r) for r in conn.execute(sql, params)]


def last_undoable(conn: sqlite3.Connection, who: str) -> LogEntry | None:
    """The decision `undo(who=who)` would revert."""
    r = conn.execute("SELECT d.*, NULL AS undone_by FROM decisions d WHERE who = ? AND action != 'undo' AND "
                     "NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq) ORDER BY seq DESC LIMIT 1",
                     (who,)).fetchone()
    return LogEntry.from_row(r) if r else None
