"""The queue's schema, as numbered migrations; `db.migrate` applies them.

A new version appends a function `@migration(N)` below; never edit one that
has shipped, since existing databases already ran it.

Tables: `statements` (one row per submission or reference statement, with its
current state), the stage results `flags`, `duplicates`, `themes`, `clusters`,
the analyst's `theme_decisions`, the append-only audit log `decisions`,
`claims` (who is looking at what, with expiry), `runs` (imports and
re-screens), `taxonomy` (theme ids and labels) and `meta`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

STATUSES = ("pending", "accepted", "rejected", "edited", "merged")
ACTIONS = ("accept", "reject", "edit", "merge", "theme", "cluster_theme", "cluster_label",
           "cluster_merge", "cluster_split", "undo")
#: The kinds of `ThemeDecisions.to_records()` (the themes stage's analyst decisions and its cluster bookkeeping).
THEME_DECISION_KINDS = ("statement_theme", "cluster_theme", "cluster_label", "merge", "split", "example",
                        "cluster_members", "next_cluster")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: dict[int, tuple[str, Migration]] = {}


def migration(version: int) -> Callable[[Migration], Migration]:
    """Register `fn` as the migration that brings the schema to `version`."""

    def register(fn: Migration) -> Migration:
        if version in MIGRATIONS:
            raise ValueError(f"migration {version} defined twice")
        MIGRATIONS[version] = (fn.__name__, fn)
        return fn

    return register


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute several SQL statements inside the current transaction.

    (`Connection.executescript` would COMMIT first, breaking the migration's
    all-or-nothing promise.)
    """
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                conn.execute(buf)
            buf = ""
    if buf.strip().strip(";").strip():
        raise ValueError(f"incomplete SQL statement: {buf.strip()[:80]}")


@migration(1)
def initial_schema(conn: sqlite3.Connection) -> None:
    run_script(conn, f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('import', 'reference', 'rescreen', 'themes')),
        source TEXT,
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        n INTEGER NOT NULL,
        stages TEXT NOT NULL DEFAULT '[]'
    );

    CREATE TABLE statements (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('submission', 'reference')),
        text TEXT NOT NULL,
        original_text TEXT NOT NULL,
        lang TEXT,
        meta TEXT NOT NULL DEFAULT '{{}}',
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN {_in(STATUSES)}),
        published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
        merged_into TEXT REFERENCES statements(id),
        codes TEXT NOT NULL DEFAULT '[]',
        note TEXT,
        decided_by TEXT,
        decided_at TEXT,
        verdict TEXT,
        dup_group INTEGER,
        n_duplicates INTEGER NOT NULL DEFAULT 0,
        run_id INTEGER REFERENCES runs(id),
        added_at TEXT NOT NULL
    );
    CREATE INDEX statements_kind_status ON statements(kind, status, seq);
    CREATE INDEX statements_published ON statements(published, seq);
    CREATE INDEX statements_group ON statements(dup_group);

    CREATE TABLE flags (
        statement_id TEXT NOT NULL REFERENCES statements(id),
        pos INTEGER NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        span_start INTEGER,
        span_end INTEGER,
        suggestion TEXT,
        severity TEXT NOT NULL,
        rule TEXT,
        PRIMARY KEY (statement_id, pos)
    ) WITHOUT ROWID;
    CREATE INDEX flags_code ON flags(code, statement_id);

    CREATE TABLE duplicates (
        statement_id TEXT NOT NULL REFERENCES statements(id),
        pos INTEGER NOT NULL,
        other_id TEXT NOT NULL,
        score REAL NOT NULL,
        same_stance INTEGER NOT NULL,
        is_duplicate INTEGER NOT NULL,
        published INTEGER NOT NULL,
        reason TEXT,
        PRIMARY KEY (statement_id, pos)
    ) WITHOUT ROWID;
    CREATE INDEX duplicates_other ON duplicates(other_id);

    CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        label TEXT,
        keywords TEXT NOT NULL DEFAULT '[]',
        representatives TEXT NOT NULL DEFAULT '[]',
        theme TEXT,
        theme2 TEXT,
        confidence REAL,
        size INTEGER NOT NULL DEFAULT 0,
        run_id INTEGER REFERENCES runs(id)
    );

    CREATE TABLE themes (
        statement_id TEXT PRIMARY KEY REFERENCES statements(id),
        cluster INTEGER,
        theme TEXT,
        theme2 TEXT,
        confidence REAL,
        labels TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL DEFAULT 'model'
    ) WITHOUT ROWID;
    CREATE INDEX themes_cluster ON themes(cluster);

    -- The analyst's decisions, shared with the themes stage: the rows of
    -- ThemeDecisions.to_records() (key: a statement or cluster id; value: a theme
    -- id, a label or a cluster id; extra: their other fields as JSON).
    CREATE TABLE theme_decisions (
        kind TEXT NOT NULL CHECK (kind IN {_in(THEME_DECISION_KINDS)}),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{{}}',
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;

    -- Statement pin > cluster pin (following a merge) > the model's suggestion.
    CREATE VIEW effective_themes AS
    SELECT s.id AS statement_id,
           t.cluster AS cluster,
           COALESCE(sp.value, cp.value, mp.value, t.theme) AS theme,
           CASE WHEN sp.value IS NOT NULL THEN 'analyst'
                WHEN cp.value IS NOT NULL OR mp.value IS NOT NULL THEN 'cluster'
                ELSE t.source END AS source,
           t.theme AS suggested,
           t.theme2 AS theme2,
           t.confidence AS confidence,
           t.labels AS labels
    FROM statements s
    LEFT JOIN themes t ON t.statement_id = s.id
    LEFT JOIN theme_decisions sp ON sp.kind = 'statement_theme' AND sp.key = s.id
    LEFT JOIN theme_decisions cp ON cp.kind = 'cluster_theme' AND cp.key = CAST(t.cluster AS TEXT)
    LEFT JOIN theme_decisions mg ON mg.kind = 'merge' AND mg.key = CAST(t.cluster AS TEXT)
    LEFT JOIN theme_decisions mp ON mp.kind = 'cluster_theme' AND mp.key = mg.value;

    -- The audit log: every change, appended, never rewritten.
    CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        batch INTEGER NOT NULL,
        target TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN {_in(ACTIONS)}),
        codes TEXT NOT NULL DEFAULT '[]',
        note TEXT,
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        undoes INTEGER REFERENCES decisions(seq)
    );
    CREATE INDEX decisions_target ON decisions(target, seq);
    CREATE INDEX decisions_who ON decisions(who, seq);
    CREATE INDEX decisions_batch ON decisions(batch);
    CREATE UNIQUE INDEX decisions_undoes ON decisions(undoes) WHERE undoes IS NOT NULL;
    CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TABLE claims (
        statement_id TEXT PRIMARY KEY REFERENCES statements(id),
        who TEXT NOT NULL,
        session TEXT NOT NULL,
        expires REAL NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE taxonomy (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        pos INTEGER NOT NULL
    ) WITHOUT ROWID;
    """)


@migration(2)
def duplicate_certainty(conn: sqlite3.Connection) -> None:
    """Whether the detector was sure of each duplicate. Unused since issue 14 (a pair the detector is
    not sure of is `similar`, not a duplicate); the column stays so that older queues open unchanged."""
    conn.execute("ALTER TABLE duplicates ADD COLUMN sure INTEGER NOT NULL DEFAULT 1")


@migration(3)
def unsure_duplicates_are_similar(conn: sqlite3.Connection) -> None:
    """Issue 14's contract for queues made before it: a pair the detector was not sure of is
    `similar` (shown for context), not a duplicate, so it no longer counts in `n_duplicates`. The
    flags stored then stay as they were: they are the record of what the moderator was shown."""
    run_script(conn, """
    UPDATE duplicates SET is_duplicate = 0 WHERE is_duplicate = 1 AND sure = 0;
    UPDATE statements SET n_duplicates = (SELECT count(*) FROM duplicates d
                                          WHERE d.statement_id = statements.id AND d.is_duplicate = 1)
    WHERE id IN (SELECT statement_id FROM duplicates);
    """)
