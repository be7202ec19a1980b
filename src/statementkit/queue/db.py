"""The queue's SQLite file: connection, schema, migrations, error translation.

One database per assembly. It runs in WAL mode with `synchronous=FULL`, so a
decision is on disk when its transaction commits and a process killed at any
moment leaves either the whole decision or none of it. Every write happens in
an explicit `BEGIN IMMEDIATE` transaction (see `transaction`).

The schema is built by numbered migration functions (`schema.py`), each run
in its own transaction and recorded in `_migrations`; `PRAGMA user_version`
holds the schema version, `PRAGMA application_id` marks the file as ours.
Opening a file that is locked, corrupt, not a queue or made by a newer
statementkit raises `QueueError` with what to do about it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from statementkit.errors import QueueError
from statementkit.queue import schema

#: 'SKTQ': marks a file as a statementkit queue (`PRAGMA application_id`).
APPLICATION_ID = 0x534B5451
BUSY_TIMEOUT_S = 5.0


def schema_version() -> int:
    """The newest schema version this statementkit knows."""
    return max(schema.MIGRATIONS)


# ---------------------------------------------------------------- errors


def explain(e: sqlite3.Error, path: str | Path) -> QueueError:
    """A QueueError saying what went wrong with the database file and what to do."""
    msg = str(e)
    low = msg.lower()
    if "locked" in low or "busy" in low:
        return QueueError(f"{path}: the queue is locked by another process (waited {BUSY_TIMEOUT_S:g} s); "
                          "finish or close the other session and try again")
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return QueueError(f"{path}: the file is corrupted or not an SQLite database ({msg}); "
                          "restore it from a backup, or salvage it with `sqlite3 FILE .recover`")
    if "readonly" in low or "read-only" in low:
        return QueueError(f"{path}: cannot write to the queue ({msg}); check the file's permissions")
    if "unable to open" in low or "disk i/o" in low or "full" in low:
        return QueueError(f"{path}: cannot use the queue file ({msg}); check the path, permissions and free space")
    return QueueError(f"{path}: database error: {msg}")


@contextmanager
def translate(path: str | Path) -> Iterator[None]:
    """Turn sqlite3 errors raised inside the block into QueueError."""
    try:
        yield
    except sqlite3.Error as e:
        raise explain(e, path) from None
    except UnicodeEncodeError as e:
        raise QueueError(f"{path}: text with an unpaired surrogate ({e.object[e.start]!r}) cannot be stored; "
                         "fix the input's encoding") from None


# ---------------------------------------------------------------- opening


def connect(path: str | Path, *, create: bool = False, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """Open (or with `create`, make) a queue and bring its schema up to date."""
    p = Path(path)
    if p.is_dir():
        raise QueueError(f"{p}: is a directory; give the queue's database file, e.g. {p / 'queue.db'}")
    if not p.exists() and not create:
        raise QueueError(f"{p}: no such queue; create it with `statementkit queue init {p}`")
    if p.exists() and create:
        raise QueueError(f"{p}: already exists; open it, or choose another file name")
    if create and not p.parent.exists():
        raise QueueError(f"{p.parent}: no such directory")
    with translate(p):
        conn = sqlite3.connect(str(p), timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        try:
            _configure(conn, p, create)
            migrate(conn, p)
        except BaseException:
            conn.close()
            raise
    return conn


def _casefold(text: str | None) -> str | None:
    return text.casefold() if isinstance(text, str) else text


def _configure(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if not create and app_id != APPLICATION_ID:
        raise QueueError(f"{path}: not a statementkit queue (an empty file or another application's "
                         "database); create one with `statementkit queue init NEW.db`")
    newest = schema_version()
    if version > newest:
        raise QueueError(f"{path}: made by a newer statementkit (schema version {version}; this one "
                         f"understands up to {newest}); upgrade statementkit to open it")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise QueueError(f"{path}: cannot switch the database to WAL mode (got {mode}); "
                         "is it on a network file system?")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    if create:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def migrate(conn: sqlite3.Connection, path: str | Path = "queue") -> list[int]:
    """Apply every migration newer than the file's schema version; returns those applied.

    Each runs in its own transaction together with its bookkeeping, so a crash
    leaves the schema at the previous version, and re-running is safe.
    """
    applied: list[int] = []
    for version in sorted(schema.MIGRATIONS):
        name, fn = schema.MIGRATIONS[version]
        with transaction(conn):
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= version:
                continue
            if current != version - 1:
                raise QueueError(f"{path}: schema version {current} cannot be migrated to {version}")
            conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                         "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            try:
                fn(conn)
            except sqlite3.Error:
                raise
            except Exception as e:  # a migration's own bug: report it, the transaction rolls back
                raise QueueError(f"{path}: migration {version} ({name}) failed: {type(e).__name__}: {e}; "
                                 f"the database is unchanged at schema version {current}") from e
            conn.execute("INSERT INTO _migrations VALUES (?, ?, ?)", (version, name, now_iso()))
            conn.execute(f"PRAGMA user_version = {version}")
            applied.append(version)
    return applied


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it commits, or none of it.

    `BEGIN IMMEDIATE` takes the write lock up front, so two sessions never both
    read "pending" and then both decide.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now_iso() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"
