"""Exports: the published set, every statement with its state, the moderation log, theme assignments.

Published statements go out as CSV, JSONL/JSON, a pol.is `comments.csv`
(moderated = 1) or a pol.is seed-comment upload file (`comment_text`, the
column pol.is' bulk upload reads). The moderation log is one CSV/JSONL line
per audit-log entry with its reason codes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import IO, Any

from statementkit.errors import QueueError
from statementkit.io import SafeCSVWriter, write_records, write_statements
from statementkit.queue.actions import log
from statementkit.records import Statement

WHAT = ("published", "statements", "log", "themes")
FORMATS = {
    "published": ("csv", "jsonl", "json", "polis", "polis-seed"),
    "statements": ("csv", "jsonl", "json", "polis"),
    "log": ("csv", "jsonl", "json"),
    "themes": ("csv", "jsonl", "json"),
}
MODERATED = {"pending": 0, "accepted": 1, "edited": 1, "rejected": -1, "merged": -1}


def check_format(what: str, fmt: str) -> None:
    if what not in FORMATS:
        raise QueueError(f"unknown export '{what}' (valid: {', '.join(WHAT)})")
    if fmt not in FORMATS[what]:
        raise QueueError(f"cannot export {what} as '{fmt}' (valid: {', '.join(FORMATS[what])})")


def export(conn: sqlite3.Connection, what: str, out: IO[str], fmt: str, *, new_only: bool = False) -> int:
    """Write one export to `out`; returns the number of records."""
    check_format(what, fmt)
    if what == "published":
        return _statements(conn, out, fmt, "s.published = 1" + (" AND s.kind = 'submission'" if new_only else ""))
    if what == "statements":
        return _statements(conn, out, fmt, "s.kind = 'submission'")
    if what == "log":
        return _log(conn, out, fmt)
    return _themes(conn, out, fmt)


def _statements(conn: sqlite3.Connection, out: IO[str], fmt: str, where: str) -> int:
    statements = []
    for r in conn.execute(f"SELECT s.*, e.theme FROM statements s LEFT JOIN effective_themes e "
                          f"ON e.statement_id = s.id WHERE {where} ORDER BY s.seq"):
        meta: dict[str, Any] = json.loads(r["meta"])
        meta.update(status=r["status"], source=r["kind"])
        if r["text"] != r["original_text"]:
            meta["original_text"] = r["original_text"]
        if r["merged_into"]:
            meta["merged_into"] = r["merged_into"]
        if r["codes"] != "[]":
            meta["codes"] = json.loads(r["codes"])
        if r["theme"] is not None:
            meta["theme"] = r["theme"]
        if fmt == "polis":
            meta["moderated"] = MODERATED[r["status"]]
        statements.append(Statement(r["id"], r["text"], r["lang"], meta))
    if fmt == "polis-seed":
        w = SafeCSVWriter(out)
        w.writerow(["comment_text"])
        for s in statements:
            w.writerow([s.text.replace("\r", " ").replace("\n", " ")])
        return len(statements)
    return write_statements(statements, out, fmt)


LOG_COLUMNS = ("seq", "batch", "at", "who", "action", "target", "codes", "note", "status_before", "status_after",
               "text_before", "text_after", "merged_into", "theme_before", "theme_after", "undoes", "undone_by")


def log_records(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    out = []
    for d in log(conn):
        b, a = d.before, d.after
        out.append({
            "seq": d.seq, "batch": d.batch, "at": d.at, "who": d.who, "action": d.action, "target": d.target,
            "codes": d.codes, "note": d.note, "status_before": b.get("status"), "status_after": a.get("status"),
            "text_before": b.get("text") if b.get("text") != a.get("text") else None,
            "text_after": a.get("text") if b.get("text") != a.get("text") else None,
            "merged_into": a.get("merged_into"), "theme_before": b.get("value"), "theme_after": a.get("value"),
            "undoes": d.undoes, "undone_by": d.undone_by,
        })
    return out


def _log(conn: sqlite3.Connection, out: IO[str], fmt: str) -> int:
    records = log_records(conn)
    if fmt == "csv":
        w = SafeCSVWriter(out)
        w.writerow(LOG_COLUMNS)
        for rec in records:
            w.writerow(["" if rec[k] is None else ";".join(rec[k]) if k == "codes" else rec[k] for k in LOG_COLUMNS])
    else:
        write_records(records, out, fmt)
    return len(records)


THEME_COLUMNS = ("id", "theme", "source", "suggested", "theme2", "confidence", "cluster", "cluster_label",
                 "labels", "text")


def theme_records(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    labels = {r["id"]: r["label"] for r in conn.execute("SELECT id, label FROM clusters")}
    labels.update({int(r["key"]): r["value"] for r in conn.execute(
        "SELECT key, value FROM theme_decisions WHERE kind = 'cluster_label'")})
    out = []
    for r in conn.execute("SELECT s.id, s.text, e.* FROM statements s JOIN effective_themes e ON e.statement_id = s.id "
                          "WHERE s.published = 1 ORDER BY s.seq"):
        out.append({"id": r["id"], "theme": r["theme"], "source": r["source"] if r["theme"] is not None else None,
                    "suggested": r["suggested"], "theme2": r["theme2"],
                    "confidence": None if r["confidence"] is None else round(r["confidence"], 4),
                    "cluster": r["cluster"], "cluster_label": labels.get(r["cluster"]),
                    "labels": json.loads(r["labels"] or "[]"), "text": r["text"]})
    return out


def _themes(conn: sqlite3.Connection, out: IO[str], fmt: str) -> int:
    records = theme_records(conn)
    if fmt == "csv":
        w = SafeCSVWriter(out)
        w.writerow(THEME_COLUMNS)
        for rec in records:
            w.writerow(["" if rec[k] is None else ";".join(rec[k]) if k == "labels" else rec[k]
                        for k in THEME_COLUMNS])
    else:
        write_records(records, out, fmt)
    return len(records)
